/**
 * Filters and entries without a link, through the whole pipeline against a local server: a muted
 * item is counted, never silently gone; a linkless entry is a story of its own.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig } from '../../src/config';
import { createItemFilter } from '../../src/feeds/filters';
import { runDigest } from '../../src/pipeline';
import { FsStore } from '../../src/store';
import type { Digest } from '../../src/types';
import { startServer, type LocalServer } from '../http/local-server';
import { tempDir } from '../helpers/tmp';

const FEED = { url: 'http://news.example/feed.xml', name: 'News' };

describe('createItemFilter', () => {
  it('mutes an Arabic phrase written with another alef and teh marbuta, on word boundaries', () => {
    const muted = createItemFilter([{ exclude: ['الامم المتحده'], in: 'any' }]);
    expect(muted({ title: 'الأمم المتحدة تعقد اجتماعا طارئا' }, FEED)).toBe(true);
    expect(muted({ title: 'إلى الأمم المتحدة' }, FEED)).toBe(true);
    expect(muted({ title: 'الأمم الأخرى' }, FEED)).toBe(false);
  });

  it('matches words, not parts of words; accents and case folded; /regex/ on the raw text', () => {
    const muted = createItemFilter([{ exclude: ['art', 'cafe', '/\\bcrypto\\w*/i'], in: 'any' }]);
    expect(muted({ title: 'The party starts' }, FEED)).toBe(false);
    expect(muted({ title: 'Modern ART fair' }, FEED)).toBe(true);
    expect(muted({ title: 'Un CAFÉ à Paris' }, FEED)).toBe(true);
    expect(muted({ title: 'Markets', contentText: 'Cryptocurrency prices fell' }, FEED)).toBe(true);
  });

  it('matches Chinese and Japanese terms as runs of characters', () => {
    const muted = createItemFilter([{ exclude: ['东京', 'サッカー'] }]);
    expect(muted({ title: '东京都发布新的防灾计划' }, FEED)).toBe(true);
    expect(muted({ title: '日本のサッカー代表が勝利' }, FEED)).toBe(true);
    expect(muted({ title: '北京的新地铁线路' }, FEED)).toBe(false);
  });

  it('keeps only what an include list names, in the title or the text as asked, for the feeds named', () => {
    const rules = createItemFilter([{ feeds: ['News', 'http://other.example/*'], include: ['climate'], in: 'title' }]);
    expect(rules({ title: 'Climate talks resume' }, FEED)).toBe(false);
    expect(rules({ title: 'Sports', contentText: 'climate' }, FEED)).toBe(true);
    expect(rules({ title: 'Sports' }, { url: 'http://other.example/rss', name: 'Other' })).toBe(true);
    expect(rules({ title: 'Sports' }, { url: 'http://third.example/rss', name: 'Third' })).toBe(false);
  });

  it('refuses a bad regular expression in the config, naming the key', () => {
    expect(() => parseConfig({ feeds: [], filters: [{ exclude: ['/(unclosed/'] }] })).toThrow(
      /filters\[0\]\.exclude\[0\]: is not a valid \/regular expression\//,
    );
  });
});

describe('filters and linkless entries in a digest run', () => {
  let server: LocalServer;
  let dir: string;
  const now = new Date();
  const date = now.toISOString().slice(0, 10);
  const minutesAgo = (m: number): string => new Date(now.getTime() - m * 60_000).toUTCString();
  beforeAll(async () => {
    dir = await tempDir('filters-');
    server = await startServer((req, res) => {
      const origin = `http://${req.headers.host}`;
      if (req.url === '/feed.xml') {
        res.setHeader('content-type', 'application/rss+xml');
        return void res.end(
          `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Mixed</title><link>${origin}/</link>` +
            `<item><title>Harbor ferry adds a night service</title><link>${origin}/ferry.html</link><author>desk@example.org (Jane Doe)</author><pubDate>${minutesAgo(10)}</pubDate><description>Ferry text.</description></item>` +
            `<item><title>الأمم المتحدة تعقد اجتماعا طارئا</title><link>${origin}/un.html</link><pubDate>${minutesAgo(20)}</pubDate></item>` +
            `<item><title>Short note from the editors</title><guid isPermaLink="false">note-1</guid><pubDate>${minutesAgo(30)}</pubDate><description>The office is closed on Monday for the holiday; the next digest comes on Tuesday.</description></item>` +
            `</channel></rss>`,
        );
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        `<html><head><title>Ferry</title></head><body><article><h1>Harbor ferry adds a night service</h1>${'<p>The harbor ferry will run every hour through the night from next month, the city said, after a year of requests from shift workers and late travellers.</p>'.repeat(3)}</article></body></html>`,
      );
    });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts the muted item per feed, publishes the linkless entry as its own story, shows the byline', async () => {
    const config = parseConfig({
      feeds: [{ url: `${server.origin}/feed.xml`, name: 'Mixed' }],
      filters: [{ feeds: ['Mixed'], exclude: ['الامم المتحده'] }],
      network: { allowHosts: [server.hostPort] },
    });
    const summary = await runDigest({ config, store: new FsStore(dir), date, now: () => now });
    const digest = JSON.parse(await readFile(path.join(dir, 'site', ...date.split('-'), 'digest.json'), 'utf8')) as Digest;
    expect(digest.stories.map((s) => s.title).sort()).toEqual([
      'Harbor ferry adds a night service',
      'Short note from the editors',
    ]);
    expect(digest.feeds[0]).toMatchObject({ name: 'Mixed', itemsFiltered: 1, itemsWithoutLink: 1 });
    expect(summary.fetch.feeds[0]).toMatchObject({ itemsFiltered: 1, itemsWithoutLink: 1, itemsDropped: 0 });
    const note = digest.stories.find((s) => s.title.startsWith('Short note'))!;
    expect(note).toMatchObject({ url: `${server.origin}/`, contentSource: 'feed' });
    expect(note.summary.join(' ')).toContain('closed on Monday');
    // The entry's link is the feed's site, which is not its article: the site page was never fetched.
    expect(server.requests.map((r) => r.path).sort()).toEqual(['/feed.xml', '/ferry.html']);
    const ferry = digest.stories.find((s) => s.title.startsWith('Harbor ferry'))!;
    expect(ferry.authors).toEqual([{ name: 'Jane Doe', email: 'desk@example.org' }]);
    const page = await readFile(path.join(dir, 'site', ...date.split('-'), 'index.html'), 'utf8');
    expect(page).toContain('by Jane Doe');

    // A second run the same day finds nothing new; the day's digest still counts what was muted.
    await runDigest({ config, store: new FsStore(dir), date, now: () => now });
    const again = JSON.parse(await readFile(path.join(dir, 'site', ...date.split('-'), 'digest.json'), 'utf8')) as Digest;
    expect(again.feeds[0]).toMatchObject({ itemsFiltered: 1, itemsWithoutLink: 1 });
    expect(again.stories).toHaveLength(2);
  });
});
