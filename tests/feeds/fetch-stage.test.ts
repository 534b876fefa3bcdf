/**
 * The ingest stage end to end: real fetcher, real parser, a FsStore in a temp dir and a local
 * server carrying one healthy feed per format next to every hostile case. Each hostile feed must
 * come out with its error class while the healthy feeds are published; a second run must send
 * conditional requests and get 304s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import iconv from 'iconv-lite';
import { parseConfig } from '../../src/config';
import dns from 'node:dns';
import { createFetcher } from '../../src/http';
import { runFetchStage, type FetchReport } from '../../src/pipeline/fetch-stage';
import { FsStore } from '../../src/store';
import type { ArticleRecord } from '../../src/types';
import { startServer, type LocalServer } from '../http/local-server';

const HOSTILE = path.join(__dirname, '../fixtures/feeds/hostile');
const ARABIC = 'أعلنت وزارة الدفاع اليوم عن توقيع صفقة جديدة لتطوير المنظومات الدفاعية';
const PARAGRAPH = (topic: string): string =>
  `<p>${topic} ${'This paragraph is long enough to count as article text for the extractor, and it says something about the topic. '.repeat(3)}</p>`;

const LAST_MODIFIED = 'Sun, 29 Nov 2026 06:00:00 GMT';

describe('runFetchStage against a local server', () => {
  let server: LocalServer;
  let privateServer: LocalServer;
  let dir: string;
  const now = Date.now();
  const recent = (minutes: number): string => new Date(now - minutes * 60_000).toUTCString();
  // Generous: the suite shares a loaded machine, and a wall-clock deadline fires early when CPU is scarce.
  const timeoutMs = 6_000;
  let tenK = '';
  let dripped = 0;

  beforeAll(async () => {
    privateServer = await startServer((_req, res) =>
      res.end('<rss version="2.0"><channel><title>secret</title></channel></rss>'),
    );
    const bomb = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    tenK = `<rss version="2.0"><channel><title>Ten thousand</title>${Array.from({ length: 10_000 }, (_, i) => `<item><title>N${i}</title><link>/articles/n${i}.html</link><pubDate>${recent(i)}</pubDate></item>`).join('')}</channel></rss>`;
    server = await startServer((req, res) => {
      const p = (req.url ?? '/').split('?')[0];
      const origin = `http://${req.headers.host}`;
      const shared = `http://news.test:${server.port}/articles/shared.html`;
      const xml = (body: string | Buffer, type = 'application/rss+xml'): void => {
        res.setHeader('content-type', type);
        res.end(body);
      };
      const cached = (etag: string, body: string | Buffer, type?: string): void => {
        if (req.headers['if-none-match'] === etag) {
          res.statusCode = 304;
          return void res.end();
        }
        res.setHeader('etag', etag);
        res.setHeader('last-modified', LAST_MODIFIED);
        xml(body, type);
      };
      switch (p) {
        case '/healthy.xml':
          return cached(
            '"h1"',
            `<?xml version="1.0"?><rss version="2.0"><channel><title>Healthy</title><link>${origin}/</link>` +
              `<item><title>Shared story</title><link>${shared}?utm_source=rss</link><pubDate>${recent(30)}</pubDate><description>Shared feed text</description></item>` +
              `<item><title>Missing page</title><link>/articles/missing.html</link><pubDate>${recent(40)}</pubDate><description>${'Feed-only text that stands in for the page. '.repeat(5)}</description></item>` +
              `<item><title>A PDF</title><link>${origin}/articles/report.pdf</link><pubDate>${recent(50)}</pubDate><description>PDF summary</description></item>` +
              `</channel></rss>`,
          );
        case '/atom.xml':
          return cached(
            '"a1"',
            `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="${origin}/articles/"><title>Atom</title>` +
              `<entry><title type="html">Shared &lt;em&gt;story&lt;/em&gt;</title><link href="${shared}"/><id>urn:shared</id><updated>${new Date(now - 20 * 60_000).toISOString()}</updated></entry>` +
              `<entry><title>Deep page</title><link href="deep.html"/><id>urn:deep</id><updated>${new Date(now - 25 * 60_000).toISOString()}</updated></entry>` +
              `</feed>`,
            'application/atom+xml',
          );
        case '/arabic-1256.xml':
        case '/arabic-8859-6.xml': {
          const charset = p.includes('1256') ? 'windows-1256' : 'iso-8859-6';
          const body = `<?xml version="1.0" encoding="${charset}"?><rss version="2.0"><channel><title>عربي</title><language>ar</language><item><title>${ARABIC}</title><link>${origin}/articles/ar-${charset}.html</link><pubDate>${recent(10)}</pubDate></item></channel></rss>`;
          return cached(`"${charset}"`, iconv.encode(body, charset), 'text/xml');
        }
        case '/json.json':
          return cached(
            '"j1"',
            JSON.stringify({
              version: 'https://jsonfeed.org/version/1.1',
              title: 'JSON',
              items: [
                {
                  id: 'j1',
                  url: `${origin}/articles/json.html`,
                  title: 'JSON story',
                  date_published: new Date(now - 5 * 60_000).toISOString(),
                },
              ],
            }),
            'application/feed+json',
          );
        case '/bad-dates.xml':
          return cached(
            '"bd"',
            `<rss version="2.0"><channel><title>Dates</title>` +
              `<item><title>Feb 31</title><link>${origin}/articles/feb31.html</link><pubDate>Mon, 31 Feb 2026 10:00:00 GMT</pubDate></item>` +
              `<item><title>Future</title><link>${origin}/articles/future.html</link><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>` +
              `</channel></rss>`,
          );
        case '/10k.xml':
          return cached('"10k"', tenK);
        case '/bomb.xml':
          res.setHeader('content-encoding', 'gzip');
          return xml(bomb);
        case '/endless.xml': {
          res.setHeader('content-type', 'application/rss+xml');
          const chunk = Buffer.alloc(16 * 1024, 0x20);
          const pump = (): void => {
            while (!res.destroyed && res.write(chunk));
            if (!res.destroyed) res.once('drain', pump);
          };
          return pump();
        }
        case '/drip.xml': {
          // Drips on the first run only, so the second run does not wait for the deadline again.
          if (dripped++ > 0) return xml('<rss version="2.0"><channel><title>Drip</title></channel></rss>');
          res.writeHead(200, { 'content-type': 'application/rss+xml' });
          const t = setInterval(() => res.write(' '), 300);
          res.on('close', () => clearInterval(t));
          return;
        }
        case '/loop.xml':
          res.writeHead(301, { location: '/loop.xml' });
          return res.end();
        case '/to-private.xml':
          res.writeHead(302, { location: `http://localhost:${privateServer.port}/feed.xml` });
          return res.end();
        case '/to-metadata.xml':
          res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
          return res.end();
        case '/laughs.xml':
          return xml(fs.readFileSync(path.join(HOSTILE, 'billion-laughs.xml')));
        case '/xxe.xml':
          return xml(fs.readFileSync(path.join(HOSTILE, 'xxe.xml')));
        case '/truncated.xml':
          // One complete item, then the document stops inside the next one.
          return cached(
            '"t1"',
            `<rss version="2.0"><channel><title>Cut short</title><item><title>Complete before the cut</title><link>${origin}/articles/before-cut.html</link><pubDate>${recent(1)}</pubDate></item><item><title>Cut</title><link>${origin}/articles/cut.html</link><descr`,
          );
        case '/truncated-no-item.xml':
          return xml(fs.readFileSync(path.join(HOSTILE, 'truncated-no-item.xml')));
        case '/html.xml':
          return xml(fs.readFileSync(path.join(HOSTILE, 'html-as-feed.html')), 'text/html');
        case '/deep.xml':
          return xml(
            `<rss version="2.0"><channel><title>Deep</title>${'<x>'.repeat(50_000)}${'</x>'.repeat(50_000)}</channel></rss>`,
          );
        case '/busy.xml':
          res.writeHead(503, { 'retry-after': '3600' });
          return res.end();
        case '/gone.xml':
          res.statusCode = 404;
          return res.end();
        case '/articles/missing.html':
          res.statusCode = 404;
          return res.end();
        case '/articles/report.pdf':
          res.setHeader('content-type', 'application/pdf');
          return res.end('%PDF-1.4');
        case '/articles/deep.html':
          res.setHeader('content-type', 'text/html');
          return res.end(
            `<html><body><article>${PARAGRAPH('Deep')}${'<div>'.repeat(100_000)}deep${'</div>'.repeat(100_000)}</article></body></html>`,
          );
        case '/articles/ar-windows-1256.html':
        case '/articles/ar-iso-8859-6.html': {
          const charset = p.includes('1256') ? 'windows-1256' : 'iso-8859-6';
          res.setHeader('content-type', 'text/html');
          const para = `<p>${ARABIC}. ${ARABIC}. ${ARABIC}. ${ARABIC}.</p>`;
          return res.end(
            iconv.encode(
              `<html lang="ar" dir="rtl"><head><meta charset="${charset}"><title>خبر</title></head><body><article><h1>${ARABIC}</h1>${para}${para}</article></body></html>`,
              charset,
            ),
          );
        }
        default:
          if (p.startsWith('/articles/')) {
            res.setHeader('content-type', 'text/html; charset=utf-8');
            return res.end(
              `<html lang="en"><head><title>${p}</title></head><body><article><h1>${p}</h1>${PARAGRAPH(p)}${PARAGRAPH('More')}</article></body></html>`,
            );
          }
          res.statusCode = 404;
          res.end();
      }
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rss-digest-fetch-'));
  });

  afterAll(async () => {
    await server.close();
    await privateServer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const feeds = {
    healthy: 'healthy.xml',
    atom: 'atom.xml',
    ar1256: 'arabic-1256.xml',
    ar88596: 'arabic-8859-6.xml',
    json: 'json.json',
    badDates: 'bad-dates.xml',
    tenK: '10k.xml',
    bomb: 'bomb.xml',
    endless: 'endless.xml',
    drip: 'drip.xml',
    loop: 'loop.xml',
    toPrivate: 'to-private.xml',
    toMetadata: 'to-metadata.xml',
    laughs: 'laughs.xml',
    xxe: 'xxe.xml',
    truncated: 'truncated.xml',
    truncatedNoItem: 'truncated-no-item.xml',
    html: 'html.xml',
    deep: 'deep.xml',
    busy: 'busy.xml',
    gone: 'gone.xml',
  };
  // Each feed on its own host name (all resolving to 127.0.0.1), as feeds are in real life, so the
  // per-host limit does not queue them behind each other.
  const hostOf = (file: string): string => `${file.replace(/\W/g, '-')}.test:${server.port}`;
  const resolve = async (hostname: string) =>
    hostname.endsWith('.test') ? [{ address: '127.0.0.1', family: 4 }] : dns.promises.lookup(hostname, { all: true });
  const config = () =>
    parseConfig({
      feeds: Object.values(feeds).map((f) => ({ url: `http://${hostOf(f)}/${f}` })),
      network: {
        allowHosts: [...Object.values(feeds).map(hostOf), `news.test:${server.port}`],
        timeoutMs,
        connectTimeoutMs: 1_000,
        maxBytes: 3 * 1024 * 1024,
        concurrency: 32,
      },
      store: { kind: 'fs', dir },
    });
  const run = (): Promise<FetchReport> => {
    const cfg = config();
    return runFetchStage({
      config: cfg,
      store: new FsStore(dir),
      fetcher: createFetcher(cfg.network, { resolve }),
      date: new Date(now).toISOString().slice(0, 10),
    });
  };
  const feedReport = (report: FetchReport, key: keyof typeof feeds) =>
    report.feeds.find((f) => f.url.endsWith(`/${feeds[key]}`))!;

  it('publishes every healthy feed and reports every hostile one with its error class; a second run gets 304s', async () => {
    const first = await run();
    const outcome = Object.fromEntries(
      Object.keys(feeds).map((k) => [
        k,
        feedReport(first, k as keyof typeof feeds).errorClass ?? feedReport(first, k as keyof typeof feeds).status,
      ]),
    );
    expect(outcome).toEqual({
      healthy: 'ok',
      atom: 'ok',
      ar1256: 'ok',
      ar88596: 'ok',
      json: 'ok',
      badDates: 'ok',
      tenK: 'ok',
      bomb: 'too-large',
      endless: 'too-large',
      drip: 'timeout',
      loop: 'redirects',
      toPrivate: 'blocked-address',
      toMetadata: 'blocked-address',
      laughs: 'parse',
      xxe: 'parse',
      truncated: 'parse',
      truncatedNoItem: 'parse',
      html: 'not-a-feed',
      deep: 'parse',
      busy: 'http-5xx',
      gone: 'http-4xx',
    });
    expect(privateServer.requests).toHaveLength(0);
    // No feed takes longer than the per-fetch deadline plus a small margin.
    for (const f of first.feeds) expect([f.url, f.durationMs < timeoutMs + 1_500]).toEqual([f.url, true]);
    expect(feedReport(first, 'tenK').itemsTotal).toBe(100);
    // A truncated feed publishes its complete items with a warning and the parse class; with none, it fails.
    expect(feedReport(first, 'truncated')).toMatchObject({
      status: 'ok',
      itemsNew: 1,
      warning: expect.stringMatching(/^Truncated XML/),
    });
    expect(feedReport(first, 'truncatedNoItem')).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/before any item was complete$/),
    });

    const store = new FsStore(dir);
    const keys = await store.list('state/articles/');
    const records = await Promise.all(keys.map(async (k) => JSON.parse((await store.get(k))!.toString('utf8')) as ArticleRecord));
    const byTitle = new Map(records.map((r) => [r.title, r]));
    // Cross-feed dedup: one story, both sources.
    const shared = records.filter((r) => r.url.includes('/articles/shared.html'));
    expect(shared).toHaveLength(1);
    expect(shared[0].sources.map((s) => s.name).sort()).toEqual(['Atom', 'Healthy']);
    // Arabic feeds and pages with the charset only in the document.
    for (const charset of ['windows-1256', 'iso-8859-6']) {
      const ar = records.find((r) => r.url.endsWith(`ar-${charset}.html`))!;
      expect(ar.title).toBe(ARABIC);
      expect(ar.text).toContain(ARABIC);
      expect(ar.contentSource).toBe('page');
      expect(ar.dir).toBe('rtl');
    }
    expect(byTitle.get('Complete before the cut')!.contentSource).toBe('page');
    expect(byTitle.has('Cut')).toBe(false);
    // Page failures fall back to the feed's own content, marked as such.
    expect(byTitle.get('Missing page')).toMatchObject({ contentSource: 'feed', pageError: { errorClass: 'http-4xx' } });
    expect(byTitle.get('A PDF')).toMatchObject({ contentSource: 'feed', pageError: { errorClass: 'not-html' } });
    expect(byTitle.get('Missing page')!.text).toContain('Feed-only text');
    // A page nested 100,000 levels deep is bounded before extraction.
    expect(byTitle.get('Deep page')!.contentSource).toBe('page');
    // Bad and future dates become the fetch time.
    const fetchedAt = byTitle.get('Feb 31')!.fetchedAt;
    expect(byTitle.get('Feb 31')!.publishedAt).toBe(fetchedAt);
    expect(byTitle.get('Future')!.publishedAt).toBe(fetchedAt);
    expect(first.pages.find((p) => p.url.endsWith('report.pdf'))).toMatchObject({
      status: 'skipped',
      errorClass: 'not-html',
      contentSource: 'feed',
    });

    const requestsBefore = server.requests.length;
    const second = await run();
    const seen = server.requests.slice(requestsBefore);
    for (const key of ['healthy', 'atom', 'ar1256', 'ar88596', 'json', 'badDates', 'tenK'] as const) {
      expect([key, feedReport(second, key).status]).toEqual([key, 'not-modified']);
      const req = seen.find((r) => r.path === `/${feeds[key]}`)!;
      // Both validators come back, each as the server sent it.
      expect([key, req.headers['if-none-match'], req.headers['if-modified-since']]).toEqual([
        key,
        expect.stringMatching(/^"/),
        LAST_MODIFIED,
      ]);
    }
    // A truncated response stores no validators: it is fetched whole again, and its item is not new twice.
    expect(seen.find((r) => r.path === '/truncated.xml')!.headers['if-none-match']).toBeUndefined();
    expect(feedReport(second, 'truncated')).toMatchObject({ status: 'ok', itemsNew: 0, itemsSeen: 1 });
    // Retry-After from the 503 is honoured: the busy feed is not asked again.
    expect(seen.some((r) => r.path === '/busy.xml')).toBe(false);
    expect(feedReport(second, 'busy').status).toBe('not-modified');
    expect(second.stats.feedsNotModified).toBe(8);
    expect(second.stats.itemsNew).toBe(0);
    expect(privateServer.requests).toHaveLength(0);
  });
});
