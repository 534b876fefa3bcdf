/**
 * The whole pipeline end to end against the bundled fixture news sites on 127.0.0.1:
 * feeds → items → pages → extraction → summaries → site, over the filesystem store.
 */
import { readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { parseConfig } from '../../src/config';
import { demoConfig } from '../../src/demo/run-demo';
import { startDemoServer, type DemoServer } from '../../src/demo/server';
import { runDigest } from '../../src/pipeline';
import { FsStore } from '../../src/store';
import type { Digest } from '../../src/types';
import { seedArticle } from '../helpers/seed';
import { tempDir } from '../helpers/tmp';

const DATE = '2026-11-29';
const readDigest = async (dir: string, date = DATE): Promise<Digest> =>
  JSON.parse(await readFile(path.join(dir, 'site', ...date.split('-'), 'digest.json'), 'utf8')) as Digest;

describe('runDigest on the demo sites', () => {
  let server: DemoServer;
  let dir: string;
  beforeAll(async () => {
    server = await startDemoServer();
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    dir = await tempDir('pipeline-');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('publishes every demo story with digest.json fields, and the Arabic story right-to-left', async () => {
    const store = new FsStore(dir);
    const summary = await runDigest({ config: demoConfig(server), store, date: DATE });
    const digest = await readDigest(dir);
    expect(digest.date).toBe(DATE);
    const titles = digest.stories.map((s) => s.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Harbor Bridge reopens to traffic after 18-month rebuild',
        'Coral reefs recover faster when fishing pauses during heatwaves, study finds',
        'عقد صفقة دفاع إسرائيلية مغربية ستتيح تبادل المعلومات والتدريبات المشتركة',
      ]),
    );
    for (const s of digest.stories) {
      expect(s).toEqual(
        expect.objectContaining({
          title: expect.any(String),
          url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
          source: expect.any(String),
        }),
      );
      expect(['ltr', 'rtl']).toContain(s.dir);
      expect(new Date(s.publishedAt).toISOString()).toBe(s.publishedAt);
      // Every story has a summary of 1 to digest.summarySentences non-empty sentences, of a known kind.
      expect(s.summary.length).toBeGreaterThanOrEqual(1);
      expect(s.summary.length).toBeLessThanOrEqual(3);
      for (const sentence of s.summary) expect(sentence.trim().length).toBeGreaterThan(10);
      expect(['extractive', 'feed']).toContain(s.summaryKind);
    }
    const arabic = digest.stories.find((s) => s.title.startsWith('عقد صفقة'))!;
    expect(arabic).toMatchObject({ lang: 'ar', dir: 'rtl', source: 'تايمز أوف إسرائيل', contentSource: 'page' });
    expect(arabic.summary.length).toBeGreaterThanOrEqual(1);

    // The index page carries the Arabic story marked lang=ar dir=rtl.
    const index = await readFile(path.join(dir, 'site', 'index.html'), 'utf8');
    expect(index).toMatch(/lang="ar"[^>]*dir="rtl"|dir="rtl"[^>]*lang="ar"/);
    for (const t of titles)
      expect(index).toContain(t.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;').slice(0, 20));

    // Feed statuses: three healthy feeds and the moved blog as an error, counted in the summary.
    expect(digest.feeds.map((f) => f.status).sort()).toEqual(['error', 'ok', 'ok', 'ok']);
    const broken = digest.feeds.find((f) => f.status === 'error')!;
    expect(broken.error).toBeTruthy();
    expect(summary.fetch.stats.feedsFailed).toBe(1);
    expect(summary.failures.some((f) => f.kind === 'feed' && f.url.endsWith('/broken/feed.xml'))).toBe(true);
  });

  it('summarizes the Arabic story only from the article body: never a caption, the byline, the tags or the comments', async () => {
    const store = new FsStore(dir);
    await runDigest({ config: demoConfig(server), store, date: DATE });
    const digest = await readDigest(dir);
    const arabic = digest.stories.find((s) => s.title.startsWith('عقد صفقة'))!;
    const seed = seedArticle();
    const body = seed.body.join('\n');
    for (const sentence of arabic.summary) {
      expect(body).toContain(sentence.replace(/\s+/g, ' ').trim());
      for (const caption of seed.captions) expect(caption).not.toContain(sentence);
      expect(sentence).not.toContain(seed.correspondent);
      expect(sentence).not.toContain('اقرأ المزيد عن');
      expect(sentence).not.toContain('تعليقات على هذا المقال');
      expect(sentence).not.toContain('جوداه آري غروس');
    }
  });

  it('gives the same digest when run twice for the same date, with conditional requests the second time', async () => {
    const store = new FsStore(dir);
    await runDigest({ config: demoConfig(server), store, date: DATE });
    const first = await readDigest(dir);
    const before = server.requests.length;
    const second = await runDigest({ config: demoConfig(server), store, date: DATE });
    const again = await readDigest(dir);
    expect(again.stories.map((s) => s.id)).toEqual(first.stories.map((s) => s.id));
    expect(new Set(again.stories.map((s) => s.id)).size).toBe(again.stories.length);
    expect(again.stories.map((s) => s.summary)).toEqual(first.stories.map((s) => s.summary));
    const feedRequests = server.requests.slice(before).filter((r) => /\.(xml)$/.test(r.path) && !r.path.startsWith('/broken'));
    expect(feedRequests).toHaveLength(3);
    for (const r of feedRequests) expect(r.ifNoneMatch ?? r.ifModifiedSince).toBeTruthy();
    expect(second.fetch.stats.feedsNotModified).toBe(3);
    expect(second.fetch.stats.itemsNew).toBe(0);
    // No article page was fetched again.
    expect(server.requests.slice(before).filter((r) => !r.path.endsWith('.xml'))).toHaveLength(0);
  });

  it('lists a story carried by two feeds once, with both sources', async () => {
    const store = new FsStore(dir);
    await runDigest({ config: demoConfig(server), store, date: DATE });
    const digest = await readDigest(dir);
    const bridge = digest.stories.filter((s) => s.title.startsWith('Harbor Bridge reopens'));
    expect(bridge).toHaveLength(1);
    expect([...new Set(bridge[0].sources.map((s) => s.name))].sort()).toEqual(['Harbor City Gazette', 'Science Wire']);
    // Science Wire's own article on the same rebuild is one more source of the story, with its own link.
    const wire = bridge[0].sources.find((s) => s.title?.startsWith('How engineers rebuilt'));
    expect(wire).toMatchObject({ name: 'Science Wire' });
    expect(wire?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(bridge[0].clusterSize).toBe(2);
  });

  it('falls back to the feed text when the article page is missing, and marks it', async () => {
    const store = new FsStore(dir);
    await runDigest({ config: demoConfig(server), store, date: DATE });
    const digest = await readDigest(dir);
    const tram = digest.stories.find((s) => s.title.startsWith('افتتاح خط جديد'))!;
    expect(tram).toMatchObject({ contentSource: 'feed', lang: 'ar', dir: 'rtl' });
    expect(tram.summary.join(' ')).toContain('ترامواي');
  });

  it('leaves out items older than digest.maxAgeHours', async () => {
    const store = new FsStore(dir);
    const config = demoConfig(server, { digest: { title: 'x', timezone: 'UTC', maxAgeHours: 4.5 } });
    const now = new Date();
    const summary = await runDigest({ config, store, date: now.toISOString().slice(0, 10), now: () => now });
    const titles = summary.publish.digest.stories.flatMap((s) => s.sources.map((x) => x.title));
    expect(titles).toContain('How engineers rebuilt the Harbor Bridge without taking it down'); // 2 h old
    expect(titles).not.toContain('Public libraries end late fees and see borrowing rise'); // 7 h old
    expect(summary.fetch.feeds.reduce((a, f) => a + f.itemsTooOld, 0)).toBeGreaterThan(0);
  });
});

describe('failing feeds never stop the digest', () => {
  it('reports a 404, a timeout and garbage per feed while the healthy feed is published', async () => {
    const demo = await startDemoServer();
    const hang = new Set<http.ServerResponse>();
    const bad = http.createServer((req, res) => {
      if (req.url === '/404.xml') {
        res.writeHead(404).end('gone');
      } else if (req.url === '/garbage.xml') {
        res
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end('<rss version="2.0"><channel><title>x</title><item><title>broken');
      } else {
        hang.add(res); // never answers
      }
    });
    await new Promise<void>((r) => bad.listen(0, '127.0.0.1', () => r()));
    const port = (bad.address() as { port: number }).port;
    const dir = await tempDir('failing-');
    try {
      const config = parseConfig({
        feeds: [
          { url: `http://127.0.0.1:${port}/404.xml`, name: 'Missing' },
          { url: `http://127.0.0.1:${port}/slow.xml`, name: 'Slow' },
          { url: `http://127.0.0.1:${port}/garbage.xml`, name: 'Garbage' },
          { url: 'http://10.1.2.3/feed.xml', name: 'Private address' },
          demo.feeds[0],
        ],
        network: { allowHosts: [demo.hostPort, `127.0.0.1:${port}`], timeoutMs: 1500 },
      });
      const t0 = Date.now();
      const summary = await runDigest({ config, store: new FsStore(dir), date: DATE });
      expect(Date.now() - t0).toBeLessThan(10_000);
      const digest = await readDigest(dir);
      const byName = new Map(digest.feeds.map((f) => [f.name, f]));
      expect(byName.get('Missing')).toMatchObject({ status: 'error', errorClass: 'http-4xx' });
      expect(byName.get('Slow')).toMatchObject({ status: 'error', errorClass: 'timeout' });
      expect(byName.get('Garbage')).toMatchObject({ status: 'error' });
      expect(byName.get('Private address')).toMatchObject({ status: 'error', errorClass: 'blocked-address' });
      for (const name of ['Missing', 'Slow', 'Garbage', 'Private address']) expect(byName.get(name)!.error).toBeTruthy();
      expect(byName.get('Harbor City Gazette')).toMatchObject({ status: 'ok' });
      expect(digest.stories.filter((s) => s.source === 'Harbor City Gazette')).toHaveLength(2);
      expect(summary.fetch.stats.feedsFailed).toBe(4);
      expect(summary.failures.filter((f) => f.kind === 'feed')).toHaveLength(4);
    } finally {
      for (const res of hang) res.destroy();
      bad.closeAllConnections();
      await new Promise<void>((r) => bad.close(() => r()));
      await demo.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
