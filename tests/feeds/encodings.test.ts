/**
 * Feeds in legacy encodings that declare none (no BOM, no charset in Content-Type, no XML
 * declaration), served on 127.0.0.1 and read through the real fetcher and parser: the encoding is
 * detected, not guessed as windows-1252. Texts: tests/fixtures/feeds/encodings/<lang>.txt.
 */
import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { parseFeed } from '../../src/feeds';
import { createFetcher } from '../../src/http';
import { network, startServer, type LocalServer } from '../http/local-server';

const FIXTURES = path.join(__dirname, '../fixtures/feeds/encodings');
const CASES: [string, string][] = [
  ['ja', 'EUC-JP'],
  ['ja', 'Shift_JIS'],
  ['zh', 'GB2312'],
  ['ko', 'EUC-KR'],
  ['ru', 'KOI8-R'],
];
const linesOf = (lang: string): string[] =>
  fs
    .readFileSync(path.join(FIXTURES, `${lang}.txt`), 'utf8')
    .trim()
    .split('\n');
const rss = (lines: string[], prolog = ''): string =>
  `${prolog}<rss version="2.0"><channel><title>${lines[0].slice(0, 12)}</title>` +
  lines.map((l, i) => `<item><title>${l}</title><link>http://example.org/${i}</link></item>`).join('') +
  '</channel></rss>';

describe('undeclared legacy encodings', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      const [, lang, encoding, declared] = /^\/(\w+)\/([\w-]+)(\/declared)?$/.exec(req.url ?? '') ?? [];
      res.setHeader('content-type', 'application/rss+xml');
      // "declared": the document says windows-1251 in its prolog, so that label must win.
      const prolog = declared ? '<?xml version="1.0" encoding="windows-1251"?>' : '';
      res.end(iconv.encode(rss(linesOf(lang), prolog), encoding));
    });
  });
  afterAll(() => server.close());

  it.each(CASES)('decodes a %s feed in %s that declares nothing', async (lang, encoding) => {
    const fetcher = createFetcher(network({ allowHosts: [server.hostPort] }));
    const res = await fetcher.fetch(`${server.origin}/${lang}/${encoding}`, { kind: 'feed' });
    const feed = await parseFeed(res.text, res.url, { fetchedAt: new Date().toISOString() });
    expect(feed.items.map((i) => i.title).sort()).toEqual([...linesOf(lang)].sort());
  });

  it('lets a declared encoding win over detection', async () => {
    const fetcher = createFetcher(network({ allowHosts: [server.hostPort] }));
    const res = await fetcher.fetch(`${server.origin}/ru/KOI8-R/declared`, { kind: 'feed' });
    expect(res.charset).toBe('windows-1251');
    expect(res.text).not.toContain(linesOf('ru')[0]);
  });
});
