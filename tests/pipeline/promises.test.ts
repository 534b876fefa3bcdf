/**
 * What must hold when the store misbehaves and runs overlap, with real components (filesystem
 * store, S3 through s3rver, a real SMTP server, feeds from a local news site):
 * - a read error is never "not found": it changes no state and mails nobody;
 * - a claimed mail is sent once even by two deliverers at once; a crashed run's claim is retried
 *   after its lease, a live one is left alone;
 * - one run of a date at a time;
 * - a story's title and source come from the first feed in the config, whatever answered first;
 *   a feed's name survives 304 runs; failing feeds are named by name or path, not only host.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig, type Config } from '../../src/config';
import { createDigestDeliverer, deliveryKey } from '../../src/delivery';
import { feedStateKey, fetchReportKey, RunInProgressError, runDigest, runLeaseKey, type FetchReport } from '../../src/pipeline';
import { FsStore, S3Store, getJson, putJson, type Store } from '../../src/store';
import { subscriberIdFor, valueSecretLoader, writeSubscriber } from '../../src/subscriptions';
import type { Digest } from '../../src/types';
import { startLocalSmtp, type LocalSmtp } from '../email/local-smtp';
import { paragraphsAbout, startNewsServer, type NewsServer } from '../helpers/news-server';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { StoreWrapper } from '../helpers/store-wrapper';
import { tempDir } from '../helpers/tmp';

const SECRET = 'promises-secret-'.repeat(3);
const SUBSCRIBERS = ['ann@example.org', 'bob@example.org', 'cy@example.org'];
const idOf = (address: string): string => subscriberIdFor(Buffer.from(SECRET), address);
const DAY1 = '2026-12-02';
const DAY2 = '2026-12-03';

/** A real store whose reads of keys under some prefixes fail as S3 does on a 500 (not a 404). */
class FailingReads extends StoreWrapper {
  constructor(
    inner: Store,
    readonly failing: RegExp,
  ) {
    super(inner);
  }
  private check(key: string): void {
    if (this.failing.test(key)) {
      throw Object.assign(new Error(`InternalError reading ${key}`), {
        name: 'InternalError',
        $metadata: { httpStatusCode: 500 },
      });
    }
  }
  override async get(key: string) {
    this.check(key);
    return super.get(key);
  }
  override async getVersioned(key: string) {
    this.check(key);
    return super.getVersioned(key);
  }
}

async function addSubscribers(store: Store): Promise<void> {
  for (const address of SUBSCRIBERS) {
    await writeSubscriber(store, {
      version: 1,
      id: idOf(address),
      address,
      status: 'confirmed',
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
      confirmationsSent: 1,
    });
  }
}

describe('store read errors', () => {
  let news: NewsServer;
  let smtp: LocalSmtp;
  let dir: string;
  let config: Config;
  beforeEach(async () => {
    news = await startNewsServer([
      {
        path: '/world.xml',
        title: 'World Desk',
        items: [{ slug: 'bridge', title: 'Harbor bridge reopens', paragraphs: paragraphsAbout('The bridge reopening') }],
      },
    ]);
    smtp = await startLocalSmtp();
    dir = await tempDir('read-errors-');
    config = parseConfig({
      feeds: [{ url: `${news.base}/world.xml` }],
      digest: { maxAgeHours: 0 },
      site: { url: 'https://digest.example.org/' },
      network: { allowHosts: [news.hostPort] },
      email: { transport: 'smtp', smtp: { host: smtp.host, port: smtp.port } },
    });
  });
  afterEach(async () => {
    await news.close();
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  });
  const run = (store: Store, date: string) =>
    runDigest({
      config,
      store,
      date,
      deliver: createDigestDeliverer({ config, store, secret: valueSecretLoader(SECRET) }),
    });

  it('an unreadable feed state is an error for the day: no state changes, no old story comes back, nobody is mailed', async () => {
    const store = new FsStore(dir);
    await addSubscribers(store);
    await run(store, DAY1);
    await smtp.waitFor(3);
    const stateBefore = await readFile(path.join(dir, ...feedStateKey(config.feeds[0].url).split('/')), 'utf8');
    expect(JSON.parse(stateBefore).seen).toEqual({ [`${news.base}/news/bridge/`]: expect.any(String) });

    news.feeds[0].items.push({ slug: 'storm', title: 'Storm closes the port', paragraphs: paragraphsAbout('The storm') });
    const summary = await run(new FailingReads(store, /^state\/feeds\//), DAY2);
    expect(summary.fetch.feeds[0]).toMatchObject({ status: 'error', errorClass: 'store' });
    expect(summary.fetch.feeds[0].error).toMatch(/Feed state could not be read/);
    expect(summary.outage).toMatchObject({ feedsFailed: 1, showing: DAY1 });
    // The feed was not even asked, its state is byte-for-byte the same, and nothing was published or mailed.
    expect(news.requests.filter((r) => r.path === '/world.xml')).toHaveLength(1);
    expect(await readFile(path.join(dir, ...feedStateKey(config.feeds[0].url).split('/')), 'utf8')).toBe(stateBefore);
    expect(await store.list(`state/articles/2026/12/03`)).toEqual([]);
    expect(await store.get('site/2026/12/03/digest.json')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages).toHaveLength(3);

    // Once the store reads again, the next run picks up only the new story.
    await run(store, DAY2);
    const digest = (await getJson<Digest>(store, 'site/2026/12/03/digest.json'))!;
    expect(digest.stories.map((s) => s.title)).toEqual(['Storm closes the port']);
  });

  it('an unreadable delivery claim mails nobody and says why', async () => {
    const store = new FsStore(dir);
    await addSubscribers(store);
    const summary = await run(new FailingReads(store, /^state\/runs\/[^/]+\/deliveries\//), DAY1);
    expect(summary.publish.digest.stories).toHaveLength(1);
    expect(summary.publish.delivery).toMatchObject({ sent: 0, failed: 3, attempted: 0 });
    for (const e of summary.publish.delivery!.errors)
      expect(e.message).toMatch(/^not sent: cannot claim the delivery: InternalError/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages).toHaveLength(0);
  });

  it('an unreadable article record leaves its items unseen, and an unreadable record fails the publish rather than dropping the story', async () => {
    const store = new FsStore(dir);
    const first = await run(new FailingReads(store, /^state\/articles\//), DAY1);
    expect(first.fetch.pages[0]).toMatchObject({ status: 'error', errorClass: 'store' });
    expect(first.failures.map((f) => f.errorClass)).toEqual(['store']);
    const state = await getJson<{ seen: Record<string, string> }>(store, feedStateKey(config.feeds[0].url));
    expect(state!.seen).toEqual({});

    // The next run of the day picks the item up again and publishes its story.
    await run(store, DAY1);
    const digestKey = 'site/2026/12/02/digest.json';
    const published = (await store.get(digestKey))!.toString('utf8');
    expect((JSON.parse(published) as Digest).stories.map((s) => s.title)).toEqual(['Harbor bridge reopens']);

    // A re-run that cannot read the stored record fails instead of publishing the day without it.
    await expect(run(new FailingReads(store, /^state\/articles\//), DAY1)).rejects.toThrow(
      /InternalError reading state\/articles/,
    );
    expect((await store.get(digestKey))!.toString('utf8')).toBe(published);
  });
});

describe('exactly-once delivery and the run lease', () => {
  let news: NewsServer;
  let smtp: LocalSmtp;
  let s3: LocalS3;
  let bucketNo = 0;
  beforeAll(async () => {
    news = await startNewsServer([
      {
        path: '/world.xml',
        title: 'World Desk',
        items: [{ slug: 'bridge', title: 'Harbor bridge reopens', paragraphs: paragraphsAbout('The bridge reopening') }],
      },
    ]);
    s3 = await startLocalS3();
  });
  afterAll(async () => {
    await news.close();
    await s3.close();
  });
  beforeEach(async () => {
    smtp = await startLocalSmtp();
  });
  afterEach(() => smtp.close());

  const s3Store = async (): Promise<Store> => {
    const bucket = `once-${++bucketNo}`;
    await s3.createBucket(bucket);
    return new S3Store({ bucket, client: s3.client });
  };
  const configFor = (): Config =>
    parseConfig({
      feeds: [{ url: `${news.base}/world.xml` }],
      digest: { maxAgeHours: 0 },
      site: { url: 'https://digest.example.org/' },
      network: { allowHosts: [news.hostPort] },
      email: { transport: 'smtp', smtp: { host: smtp.host, port: smtp.port } },
    });
  const digestOf = (date: string): Digest => ({
    version: 1,
    title: 'Once',
    date,
    timezone: 'UTC',
    generatedAt: `${date}T07:00:00.000Z`,
    stories: [
      {
        id: 'a1',
        title: 'Harbor bridge reopens',
        url: 'https://news.example.org/bridge',
        source: 'World Desk',
        sources: [{ name: 'World Desk', feedUrl: 'https://news.example.org/world.xml' }],
        lang: 'en',
        dir: 'ltr',
        publishedAt: `${date}T06:00:00.000Z`,
        summary: ['The bridge reopened.'],
        summaryKind: 'extractive',
        contentSource: 'page',
        readingMinutes: 1,
        wordCount: 100,
      },
    ],
    feeds: [],
    stats: { feedsOk: 1, feedsFailed: 0, feedsNotModified: 0, articlesExtracted: 1, articlesFromFeed: 0, stories: 1 },
  });

  it('two deliverers of one digest at once on S3 mail each subscriber once', async () => {
    const store = await s3Store();
    await addSubscribers(store);
    const deliverer = () => createDigestDeliverer({ config: configFor(), store, secret: valueSecretLoader(SECRET) })!;
    const [a, b] = await Promise.all([deliverer()(digestOf(DAY1)), deliverer()(digestOf(DAY1))]);
    expect(a.sent + b.sent).toBe(3);
    expect(a.skipped + b.skipped).toBe(3);
    expect(a.failed + b.failed).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages.flatMap((m) => m.to).sort()).toEqual(SUBSCRIBERS);
    for (const address of SUBSCRIBERS) {
      expect(await getJson(store, deliveryKey(DAY1, idOf(address)))).toMatchObject({
        state: 'done',
        result: { transport: 'smtp' },
      });
    }
  });

  it('sends a mail whose claim was left by a crashed run once its lease ended, and leaves a live claim alone', async () => {
    const store = await s3Store();
    await addSubscribers(store);
    const held = (expiresAt: string) => ({
      state: 'held',
      owner: 'crashed run',
      claimedAt: '2026-12-02T07:00:00.000Z',
      expiresAt,
    });
    await putJson(store, deliveryKey(DAY1, idOf('ann@example.org')), held('2026-12-02T07:15:00.000Z'));
    await putJson(store, deliveryKey(DAY1, idOf('bob@example.org')), held('2999-01-01T00:00:00.000Z'));
    const report = await createDigestDeliverer({
      config: configFor(),
      store,
      secret: valueSecretLoader(SECRET),
      now: () => new Date('2026-12-02T08:00:00Z'),
    })!(digestOf(DAY1));
    expect(report).toMatchObject({ sent: 2, skipped: 1, failed: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages.flatMap((m) => m.to).sort()).toEqual(['ann@example.org', 'cy@example.org']);
  });

  it('a run finding the date leased by a live run stops before changing anything; a lease left by a crash is taken over', async () => {
    const store = await s3Store();
    const config = configFor();
    await putJson(store, runLeaseKey(DAY1), {
      state: 'held',
      owner: 'other host pid 1',
      claimedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    });
    const before = await store.list('');
    await expect(runDigest({ config, store, date: DAY1 })).rejects.toThrow(RunInProgressError);
    await expect(runDigest({ config, store, date: DAY1 })).rejects.toThrow(
      /Another run of 2026-12-02 is in progress \(other host pid 1/,
    );
    expect(await store.list('')).toEqual(before);

    await putJson(store, runLeaseKey(DAY1), {
      state: 'held',
      owner: 'other host pid 1',
      claimedAt: '2026-12-02T07:00:00.000Z',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    const summary = await runDigest({ config, store, date: DAY1 });
    expect(summary.publish.digest.stories.map((s) => s.title)).toEqual(['Harbor bridge reopens']);
    expect(await getJson(store, runLeaseKey(DAY1))).toMatchObject({
      state: 'held',
      owner: expect.stringContaining(`pid ${process.pid}`),
    });
    expect(Date.parse((await getJson<{ expiresAt: string }>(store, runLeaseKey(DAY1)))!.expiresAt)).toBeLessThanOrEqual(
      Date.now(),
    );
  });
});

describe('stable output', () => {
  let news: NewsServer;
  let dir: string;
  afterEach(async () => {
    await news.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("takes a shared story's title and source from the first feed in the config, even when it answers last", async () => {
    const shared = { slug: 'bridge', paragraphs: paragraphsAbout('The bridge reopening') };
    news = await startNewsServer([
      { path: '/wire.xml', title: 'Wire Service', items: [{ ...shared, title: 'Harbor bridge reopens (wire)' }], delayMs: 300 },
      { path: '/local.xml', title: 'Local Paper', items: [{ ...shared, title: 'Our bridge is back!' }] },
    ]);
    dir = await tempDir('stable-');
    const store = new FsStore(dir);
    const config = parseConfig({
      feeds: [{ url: `${news.base}/wire.xml` }, { url: `${news.base}/local.xml` }],
      digest: { maxAgeHours: 0 },
      network: { allowHosts: [news.hostPort] },
    });
    const summary = await runDigest({ config, store, date: DAY1 });
    const [story] = summary.publish.digest.stories;
    expect(story).toMatchObject({ title: 'Harbor bridge reopens (wire)', source: 'Wire Service' });
    expect(story.sources.map((s) => s.name)).toEqual(['Wire Service', 'Local Paper']);
  });

  it('re-titles a story stored earlier in the day when a feed earlier in the config carries it later', async () => {
    const shared = { slug: 'bridge', paragraphs: paragraphsAbout('The bridge reopening') };
    news = await startNewsServer([
      { path: '/wire.xml', title: 'Wire Service', items: [] },
      { path: '/local.xml', title: 'Local Paper', items: [{ ...shared, title: 'Our bridge is back!' }] },
    ]);
    dir = await tempDir('stable-');
    const store = new FsStore(dir);
    const config = parseConfig({
      feeds: [{ url: `${news.base}/wire.xml` }, { url: `${news.base}/local.xml` }],
      digest: { maxAgeHours: 0 },
      network: { allowHosts: [news.hostPort] },
    });
    expect((await runDigest({ config, store, date: DAY1 })).publish.digest.stories[0].source).toBe('Local Paper');
    news.feeds[0].items.push({ ...shared, title: 'Harbor bridge reopens (wire)' });
    const [story] = (await runDigest({ config, store, date: DAY1 })).publish.digest.stories;
    expect(story).toMatchObject({ title: 'Harbor bridge reopens (wire)', source: 'Wire Service' });
    expect(story.sources.map((s) => s.name)).toEqual(['Wire Service', 'Local Paper']);
  });

  it("keeps a feed's own name through 304 runs and names failing feeds by their path", async () => {
    news = await startNewsServer([
      {
        path: '/world.xml',
        title: 'World Desk',
        items: [{ slug: 'bridge', title: 'Harbor bridge reopens', paragraphs: paragraphsAbout('The bridge') }],
      },
    ]);
    dir = await tempDir('stable-');
    const store = new FsStore(dir);
    const config = parseConfig({
      feeds: [{ url: `${news.base}/world.xml` }, { url: `${news.base}/gone/a.xml` }, { url: `${news.base}/gone/b.xml` }],
      digest: { maxAgeHours: 0 },
      network: { allowHosts: [news.hostPort] },
    });
    await runDigest({ config, store, date: DAY1 });
    const second = await runDigest({ config, store, date: DAY2 });
    expect(second.fetch.feeds.map((f) => [f.status, f.name])).toEqual([
      ['not-modified', 'World Desk'],
      ['error', `${news.hostPort}/gone/a.xml`],
      ['error', `${news.hostPort}/gone/b.xml`],
    ]);
    expect(second.failures.map((f) => f.name)).toEqual([`${news.hostPort}/gone/a.xml`, `${news.hostPort}/gone/b.xml`]);
    // Each new item counted once in the day's report, however many runs the day has.
    const report = (await getJson<FetchReport>(store, fetchReportKey(DAY1)))!;
    expect(report.stats.itemsNew).toBe(1);
  });
});
