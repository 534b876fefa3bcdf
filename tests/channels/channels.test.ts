/**
 * Chat channels against local fakes of each platform (tests/channels/fake-platforms.ts), which
 * refuse a post the way the platform would: the payload's shape and the platform's limits on a
 * 100-story day, Arabic titles, HTML-special titles for Telegram, the webhook's signature, a
 * missing secret, a failing channel retried by the next run, and once a day per channel.
 */
import { rm } from 'node:fs/promises';
import { parseConfig, type Config } from '../../src/config';
import {
  discordMessage,
  fitsDiscord,
  fitsSlack,
  fitsTeams,
  postView,
  slackMessage,
  teamsMessage,
  telegramMessage,
  telegramVisibleText,
  webhookSignature,
  type DiscordMessage,
  type SlackMessage,
  type TeamsMessage,
  type WebhookPayload,
} from '../../src/channels';
import { createChannelDeliverer, deliveryKey } from '../../src/delivery';
import { FsStore, getJson } from '../../src/store';
import type { Digest, DigestStory } from '../../src/types';
import { tempDir } from '../helpers/tmp';
import {
  DISCORD_PATH,
  SLACK_PATH,
  startFakePlatforms,
  TEAMS_PATH,
  TELEGRAM_TOKEN,
  telegramVisibleLength,
  WEBHOOK_PATH,
  WEBHOOK_SECRET,
  type FakePlatforms,
} from './fake-platforms';

const DATE = '2026-12-06';
const ARABIC_TITLE = 'الأمم المتحدة تدعو إلى وقف فوري لإطلاق النار في المنطقة';
const SPECIAL_TITLE = '<b>Rates</b> & "bonds": 5 > 3 < 7 — Q&A';

function story(i: number, overrides: Partial<DigestStory> = {}): DigestStory {
  const long = i % 7 === 3;
  return {
    id: `s${i}`,
    title: long
      ? `Story ${i}: ${'a very long headline that keeps going '.repeat(12)}`
      : `Story ${i}: harbor bridge reopens after rebuild`,
    url: `https://news.example.org/${i}/article?id=${i}&ref=rss`,
    source: i % 2 ? 'World Desk' : 'City Desk',
    sources: [{ name: i % 2 ? 'World Desk' : 'City Desk', feedUrl: 'https://news.example.org/feed.xml' }],
    lang: 'en',
    dir: 'ltr',
    publishedAt: '2026-12-06T06:00:00.000Z',
    summary: [
      long
        ? `${'The council approved the plan after a long debate about costs and benefits for the city. '.repeat(20)}`
        : `The bridge reopened to traffic on Monday after 18 months. Officials said tolls would stay the same.`,
      'A second sentence that no chat post shows.',
    ],
    summaryKind: 'extractive',
    contentSource: 'page',
    readingMinutes: 3,
    wordCount: 600,
    ...overrides,
  };
}

/** A 100-story day with Arabic titles and titles full of HTML specials among them. */
function bigDay(): Digest {
  const stories = Array.from({ length: 100 }, (_, i) => story(i));
  stories[0] = story(0, { title: SPECIAL_TITLE, summary: ['Markets <rallied> & "cheered" today. More later.'] });
  stories[1] = story(1, {
    title: ARABIC_TITLE,
    lang: 'ar',
    dir: 'rtl',
    source: 'الجزيرة',
    summary: ['قال المتحدث إن المفاوضات مستمرة. وأضاف أن الوفد سيعود غدا.'],
  });
  return {
    version: 1,
    title: 'Morning Digest',
    date: DATE,
    timezone: 'UTC',
    generatedAt: '2026-12-06T07:00:00.000Z',
    stories,
    feeds: [],
    stats: { feedsOk: 2, feedsFailed: 0, feedsNotModified: 0, articlesExtracted: 100, articlesFromFeed: 0, stories: 100 },
  };
}

const ENV_NAMES = {
  slack: 'TEST_SLACK_URL',
  discord: 'TEST_DISCORD_URL',
  teams: 'TEST_TEAMS_URL',
  telegram: 'TEST_TELEGRAM_TOKEN',
  webhook: 'TEST_WEBHOOK_URL',
  webhookSecret: 'TEST_WEBHOOK_SECRET',
} as const;

function channelsConfig(fake: FakePlatforms, maxStories = 25): Config {
  return parseConfig({
    site: { url: 'https://digest.example.org/' },
    channels: [
      { kind: 'slack', urlEnv: ENV_NAMES.slack, maxStories },
      { kind: 'discord', urlEnv: ENV_NAMES.discord, maxStories },
      { kind: 'teams', urlEnv: ENV_NAMES.teams, maxStories },
      { kind: 'telegram', tokenEnv: ENV_NAMES.telegram, chatId: '@morning_digest', apiBaseUrl: fake.base, maxStories },
      { kind: 'webhook', id: 'archive-hook', urlEnv: ENV_NAMES.webhook, secretEnv: ENV_NAMES.webhookSecret, maxStories },
    ],
  });
}

const envFor = (fake: FakePlatforms): Record<string, string> => ({
  [ENV_NAMES.slack]: `${fake.base}${SLACK_PATH}`,
  [ENV_NAMES.discord]: `${fake.base}${DISCORD_PATH}`,
  [ENV_NAMES.teams]: `${fake.base}${TEAMS_PATH}`,
  [ENV_NAMES.telegram]: TELEGRAM_TOKEN,
  [ENV_NAMES.webhook]: `${fake.base}${WEBHOOK_PATH}`,
  [ENV_NAMES.webhookSecret]: WEBHOOK_SECRET,
});

const SECRETS = [
  'slack-secret-token',
  'discord-secret-token',
  'teams-secret-token',
  'telegram-secret-token',
  'digest-secret-path',
  WEBHOOK_SECRET,
];

describe('posting the day to every kind of channel', () => {
  let fake: FakePlatforms;
  let dir: string;
  let store: FsStore;
  beforeEach(async () => {
    fake = await startFakePlatforms();
    dir = await tempDir('channels-');
    store = new FsStore(dir);
  });
  afterEach(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('posts a 100-story day to each platform in its own format, accepted and within its limits', async () => {
    const deliver = createChannelDeliverer({ config: channelsConfig(fake), store, env: envFor(fake) })!;
    const report = await deliver(bigDay());
    expect(fake.received.filter((r) => r.refused).map((r) => `${r.platform}: ${r.refused}`)).toEqual([]);
    expect(report).toEqual({ attempted: 5, sent: 5, failed: 0, skipped: 0, errors: [] });

    const slack = fake.accepted('slack')[0].body as SlackMessage;
    expect(slack.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Morning Digest — 2026-12-06', emoji: true },
    });
    const sections = slack.blocks.filter((b) => b.type === 'section');
    expect(sections).toHaveLength(25);
    expect(JSON.stringify(slack.blocks.at(-1))).toContain(
      'And 75 more stories on the site: <https://digest.example.org/2026/12/06/|Read the full digest>',
    );
    expect(sections[0].text.text).toBe(
      '*<https://news.example.org/0/article?id=0&ref=rss|&lt;b&gt;Rates&lt;/b&gt; &amp; "bonds": 5 &gt; 3 &lt; 7 — Q&amp;A>*\nCity Desk — Markets &lt;rallied&gt; &amp; "cheered" today.',
    );
    expect(sections[1].text.text).toContain(`|${ARABIC_TITLE}>*\nالجزيرة — قال المتحدث إن المفاوضات مستمرة.`);

    const discord = fake.accepted('discord')[0].body as DiscordMessage;
    expect(discord.embeds).toHaveLength(10);
    expect(discord.content).toContain('And 90 more stories on the site: <https://digest.example.org/2026/12/06/>');
    expect(discord.embeds[1]).toMatchObject({
      title: ARABIC_TITLE,
      author: { name: 'الجزيرة' },
      url: 'https://news.example.org/1/article?id=1&ref=rss',
    });
    expect(discord.allowed_mentions).toEqual({ parse: [] });

    const teams = fake.accepted('teams')[0].body as TeamsMessage;
    const card = teams.attachments[0].content;
    expect(card.version).toBe('1.4');
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Read the full digest', url: 'https://digest.example.org/2026/12/06/' },
    ]);
    expect(JSON.stringify(card.body)).toContain(ARABIC_TITLE);

    const telegram = fake.accepted('telegram')[0].body as { chat_id: string; text: string };
    expect(telegram.chat_id).toBe('@morning_digest');
    // The title's markup is text, escaped; the link is ours.
    expect(telegram.text).toContain(
      '1. <a href="https://news.example.org/0/article?id=0&amp;ref=rss">&lt;b&gt;Rates&lt;/b&gt; &amp; &quot;bonds&quot;: 5 &gt; 3 &lt; 7 — Q&amp;A</a>',
    );
    expect(telegramVisibleText(telegram.text)).toContain(`1. ${SPECIAL_TITLE}\nCity Desk — Markets <rallied> & "cheered" today.`);
    expect(telegramVisibleText(telegram.text)).toContain(`2. ${ARABIC_TITLE}\nالجزيرة — قال المتحدث إن المفاوضات مستمرة.`);
    expect(telegramVisibleLength(telegram.text)).toBeLessThanOrEqual(4096);
    expect(telegram.text).toMatch(
      /more stories on the site: <a href="https:\/\/digest\.example\.org\/2026\/12\/06\/">Read the full digest<\/a>$/,
    );

    const hook = fake.accepted('webhook')[0];
    const payload = hook.body as WebhookPayload;
    expect(payload).toMatchObject({
      type: 'rss-digest.daily',
      date: DATE,
      url: 'https://digest.example.org/2026/12/06/',
      more: 75,
    });
    expect(payload.stories).toHaveLength(25);
    expect(payload.stories[1]).toEqual({
      title: ARABIC_TITLE,
      source: 'الجزيرة',
      url: 'https://news.example.org/1/article?id=1&ref=rss',
      summary: 'قال المتحدث إن المفاوضات مستمرة.',
      lang: 'ar',
      dir: 'rtl',
    });
    expect(hook.headers['x-rss-digest-delivery']).toBe(`archive-hook/${DATE}`);

    // Each channel's claim is done, under its own key, and holds no secret.
    for (const id of ['slack', 'discord', 'teams', 'telegram', 'archive-hook']) {
      const claim = await getJson<{ state: string }>(store, deliveryKey(DATE, `channel-${id}`));
      expect(claim).toMatchObject({ state: 'done' });
      for (const secret of SECRETS) expect(JSON.stringify(claim)).not.toContain(secret);
    }
  });

  it('fits every platform when a day is all long headlines and long sentences', () => {
    const day = bigDay();
    day.stories = day.stories.map((s, i) =>
      story(i, { title: `${'Ω'.repeat(10)}${'&<>"'.repeat(200)}`, summary: [`${'🙂'.repeat(1500)}.`], source: 'S'.repeat(400) }),
    );
    const view = postView(day, { dayUrl: 'https://digest.example.org/2026/12/06/', maxStories: 25 });
    const slack = slackMessage(view);
    const discord = discordMessage(view);
    const teams = teamsMessage(view);
    const telegram = telegramMessage(view, 1);
    expect([fitsSlack(slack), fitsDiscord(discord), fitsTeams(teams)]).toEqual([true, true, true]);
    expect(telegramVisibleLength(telegram.text)).toBeLessThanOrEqual(4096);
    // Fitting drops stories (the lowest ranked) rather than sending nothing.
    expect(slack.blocks.length).toBeGreaterThan(3);
    expect(discord.embeds.length).toBeGreaterThan(1);
    expect(telegram.text).toContain('1. <a href=');
    // No surrogate pair is cut in half.
    for (const text of [JSON.stringify(slack), JSON.stringify(discord), telegram.text])
      expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it("shows a headline's formatting characters as written on each platform", () => {
    const day = {
      ...bigDay(),
      stories: [story(0, { title: '*Breaking* _news_ [1] <@everyone> | a > b & c', url: 'https://x.example/a(1)' })],
    };
    const view = postView(day, { dayUrl: 'https://digest.example.org/2026/12/06/', maxStories: 10 });
    expect(discordMessage(view).embeds[0].title).toBe('\\*Breaking\\* \\_news\\_ \\[1\\] \\<@everyone\\> \\| a \\> b & c');
    const section = slackMessage(view).blocks[1] as { text: { text: string } };
    expect(section.text.text.split('\n')[0]).toBe(
      '*<https://x.example/a(1)|*Breaking* _news_ [1] &lt;@everyone&gt; | a &gt; b &amp; c>*',
    );
    const container = teamsMessage(view).attachments[0].content.body[2] as { items: { text: string }[] };
    expect(container.items[0].text).toBe(
      '[\\*Breaking\\* \\_news\\_ \\[1\\] <@everyone> | a > b & c](https://x.example/a%281%29)',
    );
    expect(telegramMessage(view, 1).text).toContain(
      '<a href="https://x.example/a(1)">*Breaking* _news_ [1] &lt;@everyone&gt; | a &gt; b &amp; c</a>',
    );
  });

  it('signs the webhook so that the receiver can verify it, and a wrong secret is refused', async () => {
    const config = channelsConfig(fake);
    const hookOnly = { ...config, channels: config.channels.filter((c) => c.kind === 'webhook') };
    const good = await createChannelDeliverer({ config: hookOnly, store, env: envFor(fake) })!(bigDay());
    expect(good.sent).toBe(1);
    const hook = fake.accepted('webhook')[0];
    const timestamp = Number(hook.headers['x-rss-digest-timestamp']);
    expect(hook.headers['x-rss-digest-signature']).toBe(webhookSignature(WEBHOOK_SECRET, timestamp, hook.raw));

    const otherStore = new FsStore(`${dir}-other`);
    const bad = await createChannelDeliverer({
      config: hookOnly,
      store: otherStore,
      env: { ...envFor(fake), [ENV_NAMES.webhookSecret]: 'not-the-shared-secret-at-all' },
    })!(bigDay());
    await rm(`${dir}-other`, { recursive: true, force: true });
    expect(bad).toMatchObject({
      sent: 0,
      failed: 1,
      errors: [{ target: 'channel-archive-hook', message: 'webhook: HTTP 401: signature refused' }],
    });
    expect(fake.received.filter((r) => r.platform === 'webhook').map((r) => r.refused)).toEqual([undefined, 'bad signature']);
  });

  it('a missing secret fails that channel with the variable named, and the others still post', async () => {
    const env = envFor(fake);
    delete env[ENV_NAMES.telegram];
    const report = await createChannelDeliverer({ config: channelsConfig(fake), store, env })!(bigDay());
    expect(report).toMatchObject({ attempted: 5, sent: 4, failed: 1 });
    expect(report.errors).toEqual([
      { target: 'channel-telegram', message: 'telegram: the environment variable TEST_TELEGRAM_TOKEN is not set' },
    ]);
    expect(fake.received.map((r) => r.platform).sort()).toEqual(['discord', 'slack', 'teams', 'webhook']);
  });

  it('posts once a day: a second run skips every channel that was posted, and retries the one that failed', async () => {
    fake.failNext('discord', { status: 500 });
    fake.failNext('slack', { status: 429, retryAfter: 30 });
    const deliver = createChannelDeliverer({ config: channelsConfig(fake, 5), store, env: envFor(fake) })!;
    const first = await deliver(bigDay());
    expect(first).toMatchObject({ attempted: 5, sent: 3, failed: 2, skipped: 0 });
    const messages = first.errors.map((e) => `${e.target}: ${e.message}`).sort();
    expect(messages).toEqual([
      // The fake quoted the webhook's secret path in its reply: it is masked.
      'channel-discord: discord: HTTP 500: upstream error for POST ***',
      'channel-slack: slack: rate limited (HTTP 429, Retry-After 30 s): posted on the next run',
    ]);
    for (const secret of SECRETS) expect(JSON.stringify(first)).not.toContain(secret);

    const second = await deliver(bigDay());
    expect(second).toMatchObject({ attempted: 2, sent: 2, failed: 0, skipped: 3 });
    const third = await deliver(bigDay());
    expect(third).toMatchObject({ attempted: 0, sent: 0, failed: 0, skipped: 5 });
    const accepted = (['slack', 'discord', 'teams', 'telegram', 'webhook'] as const).map((p) => fake.accepted(p).length);
    expect(accepted).toEqual([1, 1, 1, 1, 1]);
  });

  it('two deliverers at once post each channel once', async () => {
    const config = channelsConfig(fake, 3);
    const a = createChannelDeliverer({ config, store, env: envFor(fake) })!;
    const b = createChannelDeliverer({ config, store: new FsStore(dir), env: envFor(fake) })!;
    const [ra, rb] = await Promise.all([a(bigDay()), b(bigDay())]);
    expect(ra.sent + rb.sent).toBe(5);
    expect(ra.skipped + rb.skipped).toBe(5);
    expect(fake.received).toHaveLength(5);
  });

  it('posts nothing for a day without stories', async () => {
    const report = await createChannelDeliverer({ config: channelsConfig(fake), store, env: envFor(fake) })!({
      ...bigDay(),
      stories: [],
    });
    expect(report).toEqual({ attempted: 0, sent: 0, failed: 0, skipped: 0, errors: [] });
    expect(fake.received).toHaveLength(0);
    expect(await store.list(`state/runs/${DATE}/deliveries/`)).toEqual([]);
  });
});

describe('channels configuration', () => {
  it('names the key of a bad channel and refuses two channels of one id', () => {
    expect(() => parseConfig({ channels: [{ kind: 'slack' }] })).toThrow(/channels\[0\]\.urlEnv/);
    expect(() => parseConfig({ channels: [{ kind: 'slack', urlEnv: 'X', url: 'https://hooks.slack.com/x' }] })).toThrow(/url/);
    expect(() => parseConfig({ channels: [{ kind: 'irc', urlEnv: 'X' }] })).toThrow(/channels\[0\]\.kind/);
    expect(() => parseConfig({ channels: [{ kind: 'slack', urlEnv: 'https://hooks.slack.com/x' }] })).toThrow(
      /environment variable/,
    );
    expect(() =>
      parseConfig({
        channels: [
          { kind: 'slack', urlEnv: 'A' },
          { kind: 'slack', urlEnv: 'B' },
        ],
      }),
    ).toThrow(/"slack" names two channels/);
    const config = parseConfig({ channels: [{ kind: 'telegram', tokenEnv: 'TG', chatId: -1001234567890 }] });
    expect(config.channels[0]).toEqual({
      kind: 'telegram',
      tokenEnv: 'TG',
      chatId: -1001234567890,
      apiBaseUrl: 'https://api.telegram.org',
      maxStories: 10,
      timeoutMs: 10000,
    });
  });
});
