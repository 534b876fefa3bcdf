/**
 * Readers' choices over a week of real publish-stage runs (article records in a filesystem store,
 * the extractive summarizer), mailed through a real SMTP server: a weekly reader gets one mail on
 * their weekday, a one-topic reader only that topic, and a choice saved through the mailed
 * "Change what you receive" link shapes the next mail.
 */
import { rm } from 'node:fs/promises';
import { simpleParser, type ParsedMail } from 'mailparser';
import { parseConfig } from '../../src/config';
import { createDigestDeliverer } from '../../src/delivery';
import { articlesPrefix, runPublishStage, type PublishReport } from '../../src/pipeline';
import { FsStore, putJson } from '../../src/store';
import {
  createSubscriptionEndpointFromConfig,
  readSubscriber,
  subscriberIdFor,
  valueSecretLoader,
  writeSubscriber,
  type Preferences,
} from '../../src/subscriptions';
import { createSummarizer } from '../../src/summarize';
import type { ArticleRecord } from '../../src/types';
import { writeConfirmedSubscriber } from '../helpers/subscribers';
import { tempDir } from '../helpers/tmp';
import { startLocalSmtp, type LocalSmtp } from './local-smtp';

const SECRET = 'weekly-secret-'.repeat(3);
const secret = Buffer.from(SECRET);
const CITY = 'https://city.example/rss.xml';
const LAB = 'https://lab.example/rss.xml';
const WIRE = 'https://wire.example/rss.xml';
/** Thursday 26 November to Wednesday 2 December 2026. */
const WEEK = ['2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02'];

const WORDS = ['harbor', 'council', 'budget', 'transit', 'school', 'library', 'market', 'river', 'festival', 'museum'];
function article(
  id: string,
  title: string,
  date: string,
  feeds: { url: string; name: string; category: string }[],
): ArticleRecord {
  const topic = WORDS[[...id].reduce((n, c) => n + c.charCodeAt(0), 0) % WORDS.length];
  return {
    id,
    url: `https://news.example/${id}`,
    canonicalUrl: `https://news.example/${id}`,
    title,
    sources: feeds.map((f) => ({ feedUrl: f.url, name: f.name, category: f.category, itemId: id })),
    publishedAt: `${date}T06:00:00.000Z`,
    fetchedAt: `${date}T06:30:00.000Z`,
    lang: 'en',
    dir: 'ltr',
    text: `${title} was reported on ${date}. The ${topic} story drew wide attention from residents.\nOfficials said more details on the ${topic} would follow this week.`,
    contentSource: 'page',
    wordCount: 40,
    readingMinutes: 1,
  };
}
const city = { url: CITY, name: 'City Paper', category: 'City' };
const lab = { url: LAB, name: 'Lab News', category: 'Science' };
const wire = { url: WIRE, name: 'Wire', category: 'City' };

/** The day's articles: a city story every day, a science story every day but Saturday, and the bridge story on Monday and Tuesday. */
function articlesOf(date: string): ArticleRecord[] {
  const out = [article(`city-${date}`, `City story of ${date}`, date, [city])];
  if (date !== '2026-11-28') out.push(article(`lab-${date}`, `Science story of ${date}`, date, [lab]));
  if (date === '2026-11-30') out.push(article('bridge', 'Harbor Bridge reopens', date, [city]));
  if (date === '2026-12-01') out.push(article('bridge', 'Harbor Bridge reopens', date, [city, wire]));
  return out;
}

const addresses = {
  daily: 'daily@example.org',
  weekly: 'weekly@example.org',
  science: 'science@example.org',
};
const idOf = (address: string): string => subscriberIdFor(secret, address);

describe('what each reader receives over a week', () => {
  let dir: string;
  let store: FsStore;
  let smtp: LocalSmtp;
  const clock = { now: new Date('2026-11-26T07:00:00Z') };

  const config = () =>
    parseConfig({
      feeds: [city, lab, wire],
      site: { url: 'https://digest.example.org/' },
      digest: { title: 'Morning Digest', timezone: 'UTC', cluster: { enabled: false } },
      email: { from: 'Morning Digest <digest@example.org>', transport: 'smtp', smtp: { host: smtp.host, port: smtp.port } },
    });

  const subscribe = (address: string, preferences?: Preferences): Promise<void> =>
    writeConfirmedSubscriber(store, idOf(address), address, preferences);

  /** One day's publish stage, as `rss-digest run` composes it (articles already fetched). */
  async function runDay(date: string): Promise<PublishReport> {
    clock.now = new Date(`${date}T07:00:00Z`);
    for (const r of articlesOf(date)) await putJson(store, `${articlesPrefix(date)}/${r.id}.json`, r);
    const cfg = config();
    return runPublishStage({
      config: cfg,
      store,
      summarizer: createSummarizer(cfg.summarizer, { network: cfg.network }),
      date,
      now: () => clock.now,
      deliver: createDigestDeliverer({ config: cfg, store, secret: valueSecretLoader(SECRET), now: () => clock.now }),
    });
  }

  const parsedMails = (): Promise<(ParsedMail & { to0: string })[]> =>
    Promise.all(smtp.messages.map(async (m) => Object.assign(await simpleParser(m.raw), { to0: m.to[0] })));

  beforeEach(async () => {
    dir = await tempDir('weekly-mail-');
    store = new FsStore(dir);
    smtp = await startLocalSmtp();
  });
  afterEach(async () => {
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a Wednesday reader gets nothing for six days and one weekly mail on Wednesday; a one-topic reader only that topic', async () => {
    await subscribe(addresses.daily);
    await subscribe(addresses.weekly, { frequency: 'weekly', weekday: 'wednesday' });
    await subscribe(addresses.science, { categories: ['Science'] });

    const perDay: Record<string, string[]> = {};
    const reports: Record<string, PublishReport> = {};
    for (const date of WEEK) {
      const before = smtp.messages.length;
      reports[date] = await runDay(date);
      perDay[date] = smtp.messages
        .slice(before)
        .map((m) => m.to[0])
        .sort();
    }
    expect(perDay).toEqual({
      '2026-11-26': [addresses.daily, addresses.science],
      '2026-11-27': [addresses.daily, addresses.science],
      // No science story on Saturday: the science reader is not mailed.
      '2026-11-28': [addresses.daily],
      '2026-11-29': [addresses.daily, addresses.science],
      '2026-11-30': [addresses.daily, addresses.science],
      '2026-12-01': [addresses.daily, addresses.science],
      '2026-12-02': [addresses.daily, addresses.science, addresses.weekly],
    });
    expect(reports['2026-11-28'].delivery).toMatchObject({
      sent: 1,
      failed: 0,
      skipped: 2,
      skippedBy: { 'weekly-not-today': 1, 'no-stories-for-reader': 1 },
    });
    expect(reports['2026-12-02'].delivery).toMatchObject({ sent: 3, failed: 0, skipped: 0 });
    // The site's edition is the ISO week so far: Monday to Wednesday, three city, three science and the bridge story.
    expect(reports['2026-12-02'].weekly).toEqual({ week: '2026-W49', stories: 7 });

    const mails = await parsedMails();
    // The weekly mail: the 7 days ending on Wednesday, the bridge story once although it ran on two days.
    const [weekly] = mails.filter((m) => m.to0 === addresses.weekly);
    expect(weekly.subject).toMatch(/^Morning Digest — the week — /);
    const text = weekly.text ?? '';
    expect(text.match(/^\d+\. Harbor Bridge reopens$/gm)).toEqual(['1. Harbor Bridge reopens']);
    // Ranked by coverage across the week: the bridge story (two feeds) first; it lists both sources.
    expect(text).toMatch(
      /2 sources: City Paper, Wire[^]*- City Paper: Harbor Bridge reopens — \S+\n\s+- Wire: Harbor Bridge reopens/,
    );
    for (const date of WEEK) expect(text).toContain(`City story of ${date}`);
    expect(text).toContain('https://digest.example.org/2026/W49/');
    expect(text).toMatch(/Change what you receive: https:\/\/digest\.example\.org\/api\/preferences\?token=/);

    // The science reader's mails hold science stories only.
    for (const m of mails.filter((x) => x.to0 === addresses.science)) {
      expect(m.text).toContain('Science story of');
      expect(m.text).not.toContain('City story of');
      expect(m.text).not.toContain('Harbor Bridge');
    }

    // A second run of Wednesday mails nobody again: each mail was claimed, the weekly one under its own key.
    const again = await runDay('2026-12-02');
    expect(again.delivery).toMatchObject({ sent: 0, skipped: 3, skippedBy: { 'sent-already': 3 } });
    expect(smtp.messages).toHaveLength(7 + 6 + 1);
    const claims = await store.list('state/runs/2026-12-02/deliveries/');
    expect(claims.filter((k) => k.includes(idOf(addresses.weekly)))).toEqual([
      `state/runs/2026-12-02/deliveries/${idOf(addresses.weekly)}.weekly.json`,
    ]);
  });

  it('a choice saved through the mailed link shapes the next mail, and a weekly claim never collides with the daily one', async () => {
    await subscribe(addresses.daily);
    await runDay('2026-11-30');
    const [first] = await parsedMails();
    expect(first.text).toContain('City story of 2026-11-30');
    const link = new URL((first.text ?? '').match(/Change what you receive: (\S+)/)![1]);
    expect(first.html).toContain(link.href.replace(/&/g, '&amp;'));

    const endpoint = createSubscriptionEndpointFromConfig(config(), {
      store,
      secret: valueSecretLoader(SECRET),
      now: () => clock.now,
    });
    const page = await endpoint({ method: 'GET', path: link.pathname, query: link.search });
    expect(page.status).toBe(200);
    expect(page.body).toContain('value="Science"');
    const saved = await endpoint({
      method: 'POST',
      path: link.pathname,
      query: link.search,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'categories=Science&frequency=daily&maxStories=1',
    });
    expect(saved.status).toBe(200);

    await runDay('2026-12-01');
    const second = (await parsedMails())[1];
    expect(second.to0).toBe(addresses.daily);
    expect(second.text).toContain('1 story from 1 source');
    expect(second.text).toContain('Science story of 2026-12-01');
    expect(second.text).not.toContain('City story of');

    // Switching to weekly on the day's own weekday, after that day's daily mail went out: the same
    // day's re-run sends the weekly edition too, under its own claim.
    const record = (await readSubscriber(store, idOf(addresses.daily)))!;
    await writeSubscriber(store, { ...record, preferences: { frequency: 'weekly', weekday: 'tuesday' } });
    const rerun = await runDay('2026-12-01');
    expect(rerun.delivery).toMatchObject({ sent: 1, skipped: 0 });
    const third = (await parsedMails())[2];
    expect(third.subject).toMatch(/the week/);
    expect(third.text).toContain('City story of 2026-11-30');
    expect((await store.list('state/runs/2026-12-01/deliveries/')).sort()).toEqual([
      `state/runs/2026-12-01/deliveries/${idOf(addresses.daily)}.json`,
      `state/runs/2026-12-01/deliveries/${idOf(addresses.daily)}.weekly.json`,
    ]);
  });

  it('when the week could not be read, weekly readers count as failed and are mailed by the next run; daily readers are mailed', async () => {
    await subscribe(addresses.daily);
    await subscribe(addresses.weekly, { frequency: 'weekly', weekday: 'wednesday' });
    await runDay('2026-12-01');
    const deliver = createDigestDeliverer({ config: config(), store, secret: valueSecretLoader(SECRET), now: () => clock.now })!;
    const { digest } = await runDay('2026-12-02');
    smtp.messages.length = 0;
    await rm(`${dir}/state/runs/2026-12-02/deliveries`, { recursive: true, force: true });
    const withoutWeek = await deliver(digest, {});
    expect(withoutWeek).toMatchObject({ sent: 1, failed: 1 });
    expect(withoutWeek.errors).toEqual([{ target: idOf(addresses.weekly), message: 'not sent: no-weekly-edition' }]);
    expect(smtp.messages.map((m) => m.to[0])).toEqual([addresses.daily]);
    // The next run of the day, with the week readable, mails the weekly reader and nobody twice.
    const next = await runDay('2026-12-02');
    expect(next.delivery).toMatchObject({ sent: 1, failed: 0, skippedBy: { 'sent-already': 1 } });
    expect(smtp.messages.map((m) => m.to[0])).toEqual([addresses.daily, addresses.weekly]);
  });
});
