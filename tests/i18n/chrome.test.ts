/**
 * Every page, feed, mail and endpoint answer rendered in each chrome language: the document
 * declares the language and its direction, and no English chrome is left in what people read
 * (text, titles, placeholders, labels, alt text), once the fixture data (stories, names) is set aside.
 */
import path from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
import * as cheerio from 'cheerio';
import { simpleParser } from 'mailparser';
import { renderAlreadySubscribedEmail, renderConfirmationEmail, renderDigestEmail, createOutboxMailer } from '../../src/email';
import { CHROME_LANGUAGES, chromeFor } from '../../src/i18n';
import {
  outageNotice,
  renderArchivePage,
  renderAtomFeed,
  renderDailyPage,
  renderJsonFeed,
  renderSearchPage,
  siteAssets,
  type PageContext,
} from '../../src/render';
import { renderNotFoundPage } from '../../src/render/archive';
import { formatLongDate } from '../../src/render/format';
import { weekdayName } from '../../src/render/preference-fields';
import { renderWeeklyAtom, renderWeeklyPage } from '../../src/render/weekly';
import { buildWeeklyEdition } from '../../src/pipeline/weekly';
import { FsStore } from '../../src/store';
import {
  createSubscriptionEndpoint,
  preferencesToken,
  readSubscriber,
  subscriberIdFor,
  valueSecretLoader,
  WEEKDAYS,
  weekdayOf,
  writeSubscriber,
  type EndpointRequest,
} from '../../src/subscriptions';
import { readerMail } from '../../src/subscriptions/reader-edition';
import { discordMessage, postView, slackMessage, teamsMessage, telegramMessage, telegramVisibleText } from '../../src/channels';
import type { Digest } from '../../src/types';
import { tempDir } from '../helpers/tmp';
import { arabicStory, digest as baseDigest, story } from '../render/digests';
import { englishLeftovers, fixtureData } from './leftovers';

const assets = siteAssets();
const ctx = (lang: string, root = '../../../'): PageContext => ({
  root,
  assets: { css: assets.css.path, icon: assets.icon.path, searchJs: assets.searchJs.path },
  siteTitle: 'Morning digest',
  siteUrl: 'https://digest.example',
  subscribeEndpoint: 'https://digest.example/api',
  lang,
  images: true,
});

/** A day that uses every kind of chrome a story has: sources, an update, a byline, feed text, a picture, a failed feed. */
const day: Digest = baseDigest({
  stories: [
    story({
      authors: [{ name: 'Jane Roe' }],
      leadImage: 'https://img.ledger.example/bridge.jpg',
      sources: [
        {
          name: 'Northern Ledger',
          feedUrl: 'https://ledger.example/rss.xml',
          url: 'https://ledger.example/a',
          title: 'Bridge reopens',
        },
        {
          name: 'Harbor Post',
          feedUrl: 'https://post.example/rss.xml',
          url: 'https://post.example/b',
          title: 'The bridge is back',
        },
        { name: 'City Wire', feedUrl: 'https://wire.example/rss.xml', url: 'https://wire.example/c', title: 'Traffic returns' },
        { name: 'Bay Times', feedUrl: 'https://bay.example/rss.xml', url: 'https://bay.example/d', title: 'Cables replaced' },
      ],
    }),
    arabicStory({ updateOf: { id: 'old', date: '2026-11-27' } }),
    story({ id: 'id-3', title: 'Libraries end late fees', summaryKind: 'feed', contentSource: 'feed', category: 'Culture' }),
    story({ id: 'id-4', title: 'Night buses return', category: undefined, source: 'Harbor Post' }),
  ],
});

/** The week of `day` (Sunday 29 November 2026 ends 2026-W48), with the day before it. */
const week = buildWeeklyEdition({
  digests: [baseDigest({ date: '2026-11-28', stories: day.stories.slice(0, 2) }), day],
  from: '2026-11-23',
  to: '2026-11-29',
  week: '2026-W48',
  title: 'Morning digest',
  timezone: 'UTC',
  generatedAt: '2026-11-29T07:00:00.000Z',
});
const emptyWeek = { ...week, week: '2026-W49', from: '2026-11-30', to: '2026-12-06', dates: [], stories: [] };

/** The topics the configuration offers (feeds' categories: data, not chrome). */
const CATEGORIES = ['Culture', 'Science'];
const choices = { categories: CATEGORIES, defaultMaxStories: 30 };
const withChoices = (page: PageContext): PageContext => ({
  ...page,
  subscribeChoices: { categories: CATEGORIES, weekdays: WEEKDAYS, minStories: 1, maxStories: 100, defaultMaxStories: 30 },
});

/** Fixture data, not chrome, and the titles and addresses the tests configure. */
const data = (d: Digest): string[] => [
  ...fixtureData(d),
  'Morning digest',
  'Morning Digest',
  'https://digest.example',
  'https://digest.example.org',
  ...CATEGORIES,
];

/** What a reader of a page sees or hears: text, the title, placeholders, labels, alt text. */
function readable(html: string): string {
  const $ = cheerio.load(html);
  const attributes = $('[placeholder], [aria-label], [alt], [title]')
    .toArray()
    .flatMap((el) => ['placeholder', 'aria-label', 'alt', 'title'].map((a) => $(el).attr(a) ?? ''));
  $('script, style').remove();
  return [$('title').text(), $('body').text(), ...attributes].join('\n');
}

const htmlOf = (html: string) => {
  const $ = cheerio.load(html);
  return { lang: $('html').attr('lang'), dir: $('html').attr('dir') };
};

const SECRET = 'test-secret-'.repeat(4);

/** The endpoint's pages and mails for a sign-up, a confirmation, an unsubscription and the errors. */
async function endpointAnswers(
  lang: string,
): Promise<{ pages: string[]; mails: { subject: string; text: string; html: string }[] }> {
  const dir = await tempDir(`chrome-${lang}-`);
  const outbox = path.join(dir, 'outbox');
  const endpoint = createSubscriptionEndpoint({
    store: new FsStore(path.join(dir, 'out')),
    mailer: createOutboxMailer({ dir: outbox }),
    secret: valueSecretLoader(SECRET),
    siteUrl: 'https://digest.example.org',
    endpointUrl: 'https://digest.example.org/api',
    title: 'Morning Digest',
    lang,
    from: 'Morning Digest <digest@example.org>',
    limits: { signupsPerClientPerHour: 5, confirmationsPerHour: 200 },
    choices,
    now: () => new Date('2026-11-29T08:00:00Z'),
  });
  const post = (p: string, body: string): EndpointRequest => ({
    method: 'POST',
    path: p,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const pages: string[] = [];
  const ask = async (request: EndpointRequest): Promise<void> => {
    const response = await endpoint(request);
    expect(htmlOf(response.body)).toEqual({ lang: chromeFor(lang).lang, dir: chromeFor(lang).dir });
    pages.push(response.body);
  };
  await ask(post('/api/subscribe', 'email=reader%40example.org'));
  await ask(post('/api/subscribe', 'email=reader%40example.org')); // too soon: rate limited
  await ask(post('/api/subscribe', 'email=not-an-address'));
  await ask({ method: 'GET', path: '/api/confirm', query: 'token=forged' });
  await ask({ method: 'GET', path: '/api/nowhere' });
  await ask({ method: 'DELETE', path: '/api/subscribe' });
  const files = (await readdir(outbox, { recursive: true })).filter((f) => f.endsWith('.eml'));
  expect(files).toHaveLength(1);
  const parsed = await simpleParser(await readFile(path.join(outbox, files[0]!)));
  const confirmUrl = /https:\/\/digest\.example\.org\/api\/confirm\?token=[\w.-]+/.exec(parsed.text ?? '')![0];
  const token = new URL(confirmUrl).searchParams.get('token')!;
  await ask({ method: 'GET', path: '/api/confirm', query: `token=${token}` });
  await ask({ ...post('/api/confirm', ''), query: `token=${token}` });
  // "Change what you receive": the form, a refused choice, a save, and a link of someone who left.
  const store = new FsStore(path.join(dir, 'out'));
  const secret = Buffer.from(SECRET);
  const reader = subscriberIdFor(secret, 'reader@example.org');
  const prefs = preferencesToken(secret, reader, new Date('2026-11-29T08:00:00Z'));
  expect(await readSubscriber(store, reader)).toMatchObject({ status: 'confirmed' });
  await ask({ method: 'GET', path: '/api/preferences', query: `token=${prefs}` });
  await ask({ ...post('/api/preferences', 'frequency=weekly&weekday=someday'), query: `token=${prefs}` });
  await ask({ ...post('/api/preferences', 'maxStories=1000'), query: `token=${prefs}` });
  await ask({
    ...post('/api/preferences', 'categories=Science&frequency=weekly&weekday=wednesday&maxStories=5'),
    query: `token=${prefs}`,
  });
  const gone = subscriberIdFor(secret, 'gone@example.org');
  await writeSubscriber(store, {
    version: 1,
    id: gone,
    status: 'unsubscribed',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-02T00:00:00.000Z',
    confirmationsSent: 1,
  });
  await ask({
    method: 'GET',
    path: '/api/preferences',
    query: `token=${preferencesToken(secret, gone, new Date('2026-11-29T08:00:00Z'))}`,
  });
  const mails = [{ subject: parsed.subject ?? '', text: parsed.text ?? '', html: String(parsed.html) }];
  return { pages, mails };
}

describe.each(CHROME_LANGUAGES)('chrome in %s', (lang) => {
  const t = chromeFor(lang);
  const expectNoEnglish = (text: string): void => expect(englishLeftovers(text, lang, data(day))).toEqual([]);

  it('the site pages declare the language and direction and hold no English chrome', () => {
    const pages = [
      renderDailyPage(day, ctx(lang), { path: '2026/11/29/index.html', previousDate: '2026-11-28' }),
      renderDailyPage(baseDigest({ stories: [] }), ctx(lang, ''), { path: 'index.html' }),
      renderDailyPage(day, ctx(lang, ''), {
        path: 'index.html',
        notice: outageNotice('2026-11-30T07:00:00Z', 'Europe/London', '2026-11-29', '2026-11-30', lang),
      }),
      renderArchivePage(
        [
          { date: '2026-11-29', title: 'Morning digest', stories: 4, feedsFailed: 1 },
          { date: '2026-11-28', title: 'Morning digest', stories: 1, feedsFailed: 0 },
        ],
        ctx(lang, ''),
        ['2026-W48', '2026-W47'],
      ),
      renderArchivePage([], ctx(lang, '')),
      renderSearchPage(ctx(lang, '')),
      renderNotFoundPage(ctx(lang, '/')),
    ];
    for (const html of pages) {
      expect(htmlOf(html)).toEqual({ lang: t.lang, dir: t.dir });
      expectNoEnglish(readable(html));
    }
    for (const notice of [
      outageNotice('2026-11-30T07:00:00Z', 'UTC', undefined, '2026-11-30', lang),
      outageNotice('2026-11-30T07:00:00Z', 'UTC', '2026-11-30', '2026-11-30', lang),
      outageNotice('2026-11-30T07:00:00Z', 'UTC', '2026-11-01', '2026-11-30', lang),
    ])
      expectNoEnglish(notice);
  });

  it('the search script gets its words and plural forms in the language', () => {
    const $ = cheerio.load(renderSearchPage(ctx(lang, '')));
    const messages = JSON.parse($('#search-status').attr('data-messages')!) as Record<string, unknown>;
    expect(messages).toMatchObject({ lang: t.locale, prompt: t.text('searchPrompt'), found: t.forms('searchFound') });
    expectNoEnglish(JSON.stringify(messages));
  });

  it('the Atom and JSON feeds carry the language and its words', () => {
    const atom = renderAtomFeed([day], { siteTitle: 'Morning digest', siteUrl: 'https://digest.example', lang });
    const $ = cheerio.load(atom, { xml: true });
    expect($('feed').attr('xml:lang')).toBe(t.lang);
    expectNoEnglish([$('subtitle').text(), $('entry > title').text(), $('entry > summary').text()].join('\n'));
    expectNoEnglish(readable($('entry > content').text()));
    const json = JSON.parse(renderJsonFeed([day], { siteTitle: 'Morning digest', lang })) as {
      language: string;
      description: string;
      items: { title: string; summary: string }[];
    };
    expect(json.language).toBe(t.lang);
    expectNoEnglish([json.description, json.items[0]!.title, json.items[0]!.summary].join('\n'));
  });

  it('the digest mail is in the language and direction, in both parts and the subject', () => {
    const links = {
      webUrl: 'https://digest.example.org/2026/11/29/',
      unsubscribeUrl: 'https://digest.example.org/api/unsubscribe?token=abc.def',
      siteUrl: 'https://digest.example.org',
    };
    const mail = renderDigestEmail(day, links, { lang, maxStories: 3 });
    expect(htmlOf(mail.html)).toEqual({ lang: t.lang, dir: t.dir });
    expectNoEnglish(readable(mail.html));
    expectNoEnglish(mail.text);
    expectNoEnglish(mail.subject);
    const empty = renderDigestEmail(baseDigest({ stories: [] }), links, { lang });
    expectNoEnglish(readable(empty.html));
    expectNoEnglish(empty.text);
  });

  it('the confirmation and notice mails and every endpoint page are in the language', async () => {
    const notices = [
      renderConfirmationEmail({
        title: 'Morning Digest',
        siteUrl: 'https://digest.example.org',
        lang,
        confirmUrl: 'https://digest.example.org/api/confirm?token=x',
      }),
      renderAlreadySubscribedEmail({
        title: 'Morning Digest',
        siteUrl: 'https://digest.example.org',
        lang,
        unsubscribeUrl: 'https://digest.example.org/api/unsubscribe?token=x',
      }),
    ];
    const { pages, mails } = await endpointAnswers(lang);
    expect(pages).toHaveLength(13);
    for (const mail of [...notices, ...mails]) {
      expect(htmlOf(mail.html)).toEqual({ lang: t.lang, dir: t.dir });
      expectNoEnglish([mail.subject, mail.text, readable(mail.html)].join('\n'));
    }
    for (const page of pages) expectNoEnglish(readable(page));
    // The preferences form names the weekdays in the language (Intl), and the saved page says what was chosen.
    const form = cheerio.load(pages[8]!);
    expect(
      form('select[name="weekday"] option')
        .map((_, o) => form(o).text())
        .get(),
    ).toEqual(
      WEEKDAYS.map((d) =>
        new Intl.DateTimeFormat(t.locale, { weekday: 'long' }).format(new Date(Date.UTC(2024, 0, WEEKDAYS.indexOf(d) + 1))),
      ),
    );
    expect(form('input[name="categories"]')).toHaveLength(CATEGORIES.length);
    expect(readable(pages[9]!)).toContain(weekdayName('monday', t));
    expect(readable(pages[11]!)).toContain(t.text('prefWeeklyOn', { weekday: weekdayName('wednesday', t) }));
    expect(readable(pages[11]!)).toContain(t.count('prefStoriesPerMail', 5));
  });

  it('the subscribe form offers its choices in the language', () => {
    const html = renderDailyPage(day, withChoices(ctx(lang)), { path: '2026/11/29/index.html' });
    const $ = cheerio.load(html);
    expect($('details.choices input[name="categories"]')).toHaveLength(CATEGORIES.length);
    expect($('details.choices option').first().text()).toBe(weekdayName('monday', t));
    expectNoEnglish(readable(html));
    if (lang !== 'en') expect($('details.choices').text()).not.toMatch(/Monday|Sunday/);
  });

  it('the weekly page, the archive weeks and weekly.xml are in the language', () => {
    for (const html of [
      renderWeeklyPage(week, withChoices(ctx(lang, '../../'))),
      renderWeeklyPage(emptyWeek, ctx(lang, '../../')),
    ]) {
      expect(htmlOf(html)).toEqual({ lang: t.lang, dir: t.dir });
      expectNoEnglish(readable(html));
    }
    const $ = cheerio.load(renderWeeklyPage(week, ctx(lang, '../../')));
    expect($('h1').text()).toBe(
      t.text('weekHeading', { week: t.number(48), year: new Intl.NumberFormat(t.locale, { useGrouping: false }).format(2026) }),
    );
    expect($('.lede time').text()).toBe(
      t.text('weekRange', { from: formatLongDate('2026-11-23', t.locale), to: formatLongDate('2026-11-29', t.locale) }),
    );
    const atom = renderWeeklyAtom([week, emptyWeek], { siteTitle: 'Morning digest', siteUrl: 'https://digest.example', lang });
    const feed = cheerio.load(atom, { xml: true });
    expect(feed('feed').attr('xml:lang')).toBe(t.lang);
    expectNoEnglish(
      [feed('feed > title').text(), feed('subtitle').text(), feed('entry > title').text(), feed('entry > summary').text()].join(
        '\n',
      ),
    );
    expectNoEnglish(readable(feed('entry > content').first().text()));
  });

  it('the weekly mail has its title and subject in the language', () => {
    const subscriber = { preferences: { frequency: 'weekly' as const, weekday: weekdayOf(day.date) } };
    const edition = readerMail(subscriber, day, { weekly: week }, { choices, siteUrl: 'https://digest.example.org', lang });
    if (!edition.send) throw new Error(`no weekly mail: ${edition.reason}`);
    expect(edition.digest.title).toBe(t.text('weekMailTitle', { title: 'Morning digest' }));
    const mail = renderDigestEmail(
      edition.digest,
      {
        webUrl: edition.webUrl,
        unsubscribeUrl: 'https://digest.example.org/api/unsubscribe?token=abc.def',
        siteUrl: 'https://digest.example.org',
      },
      { lang },
    );
    expect(mail.subject.startsWith(edition.digest.title)).toBe(true);
    expect(htmlOf(mail.html)).toEqual({ lang: t.lang, dir: t.dir });
    expectNoEnglish([mail.subject, mail.text, readable(mail.html)].join('\n'));
  });

  it('the chat posts are in the language, "and K more" in its plural forms', () => {
    const view = postView(day, { dayUrl: 'https://digest.example.org/2026/11/29/', maxStories: 1, lang });
    expect(view.labels.more(3)).toBe(t.count('postMore', 3));
    // What people read in each platform's payload: its text, titles and names, not its field names.
    const words = (value: unknown): string[] =>
      typeof value === 'string'
        ? []
        : Array.isArray(value)
          ? value.flatMap(words)
          : value && typeof value === 'object'
            ? Object.entries(value).flatMap(([k, v]) =>
                typeof v === 'string' && ['text', 'title', 'content', 'description', 'name', 'value'].includes(k)
                  ? [v]
                  : words(v),
              )
            : [];
    const posts = [
      ...words(slackMessage(view)),
      ...words(discordMessage(view)),
      ...words(teamsMessage(view)),
      telegramVisibleText(telegramMessage(view, 1).text),
    ].join('\n');
    expect(posts).toContain(t.count('postMore', day.stories.length - 1));
    expect(posts).toContain(t.text('postReadAll'));
    expectNoEnglish(posts);
  });
});

describe('the English chrome', () => {
  it('is what the leftover check looks for (the check can fail)', () => {
    const html = renderDailyPage(day, ctx('en'), { path: 'index.html' });
    expect(englishLeftovers(readable(html), 'ar', data(day))).toEqual(
      expect.arrayContaining(['Top stories', 'Skip to content', 'Get this digest by email']),
    );
    const weekly = renderWeeklyPage(week, withChoices(ctx('en', '../../')));
    expect(englishLeftovers(readable(weekly), 'ar', data(day))).toEqual(
      expect.arrayContaining(['Top stories of the week', 'Ran on', 'Topics', 'How often']),
    );
  });
});
