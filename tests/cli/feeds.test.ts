/**
 * `rss-digest feeds …` as a real process against feeds served on 127.0.0.1: adding a discovered
 * feed keeps the config's comments, `check` tells a healthy, a stale, a dead and a permanently
 * redirected feed apart (and reads since when a feed fails from the store's run reports), and
 * export → import gives back the same feeds.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfigFile, parseConfigText } from '../../src/config';
import { startServer, type LocalServer } from '../http/local-server';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const cli = (args: string[]) => runCli(args);

const DAY = 86_400_000;
const rss = (title: string, agesInDays: number[]): string =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>http://example.org/</link>` +
  agesInDays
    .map(
      (d, i) =>
        `<item><title>${title} ${i}</title><link>http://example.org/${i}</link><pubDate>${new Date(Date.now() - d * DAY).toUTCString()}</pubDate></item>`,
    )
    .join('') +
  '</channel></rss>';

describe('rss-digest feeds', () => {
  let server: LocalServer;
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('cli-feeds-');
    server = await startServer((req, res) => {
      const send = (type: string, body: string): void => {
        res.setHeader('content-type', type);
        res.end(body);
      };
      switch (req.url) {
        case '/blog/':
          return send(
            'text/html',
            `<html><head><link rel="alternate" type="application/rss+xml" title="Blog" href="/blog/rss.xml"></head><body>Blog</body></html>`,
          );
        case '/blog/rss.xml':
        case '/healthy.xml':
        case '/new-home.xml':
          return send('application/rss+xml', rss('Healthy', [0.1, 1, 2, 3]));
        case '/stale.xml':
          return send('application/rss+xml', rss('Stale', [100, 120]));
        case '/moved.xml':
          res.writeHead(301, { location: '/new-home.xml' });
          return void res.end();
        case '/page.html':
          return send('text/html', '<html><body>Not a feed</body></html>');
        default:
          res.statusCode = 404;
          return void res.end('gone');
      }
    });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('add lists the discovered feeds and adds the chosen one, keeping the comments', async () => {
    const config = path.join(dir, 'add.yaml');
    await writeFile(config, `# my digest\nnetwork:\n  allowHosts: ["${server.hostPort}"] # local test server\nfeeds: []\n`);
    const listed = await cli(['feeds', 'add', `${server.origin}/blog/`, '--config', config]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /1\. Healthy\n\s+http:\/\/127\.0\.0\.1:\d+\/blog\/rss\.xml\n\s+rss, 4 items, newest \d{4}-\d\d-\d\d \(found by link\)/,
    );
    expect(parseConfigText(await readFile(config, 'utf8')).feeds).toEqual([]); // listed, not added
    const added = await cli(['feeds', 'add', `${server.origin}/blog/`, '--config', config, '--yes']);
    expect(added.code).toBe(0);
    const text = await readFile(config, 'utf8');
    expect(text).toContain('# my digest');
    expect(text).toContain('# local test server');
    expect((await loadConfigFile(config)).feeds).toEqual([
      { url: `${server.origin}/blog/rss.xml`, name: 'Healthy', priority: 0 },
    ]);
  });

  it('check flags a dead, a stale, a redirected and a healthy feed, and exits non-zero', async () => {
    const config = path.join(dir, 'check.yaml');
    const out = path.join(dir, 'store');
    const dead = `${server.origin}/dead.xml`;
    await writeFile(
      config,
      [
        'network:',
        `  allowHosts: ["${server.hostPort}"]`,
        'feeds:',
        `  - { url: "${server.origin}/healthy.xml", name: Healthy }`,
        `  - { url: "${server.origin}/stale.xml", name: Stale }`,
        `  - { url: "${dead}", name: Dead }`,
        `  - { url: "${server.origin}/moved.xml", name: Moved }`,
        `  - { url: "${server.origin}/page.html", name: Page }`,
      ].join('\n'),
    );
    // Two earlier runs in which the dead feed already failed, after one in which it worked.
    for (const [date, status] of [
      ['2026-11-01', 'ok'],
      ['2026-11-02', 'error'],
      ['2026-11-03', 'error'],
    ]) {
      await mkdir(path.join(out, 'state', 'runs', date), { recursive: true });
      await writeFile(
        path.join(out, 'state', 'runs', date, 'fetch.json'),
        JSON.stringify({ date, feeds: [{ url: dead, status }], pages: [] }),
      );
    }
    const table = await cli(['feeds', 'check', '--config', config, '--out', out]);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^ok\s+200\s+4\s+0d ago\s+\S+\s+Healthy$/m);
    expect(table.stdout).toMatch(/^stale\s+200\s+2\s+100d ago\s+.*Stale$/m);
    expect(table.stdout).toContain('stale: nothing in 100 days');
    expect(table.stdout).toMatch(/^failing\s+404\s+.*Dead$/m);
    expect(table.stdout).toContain('failing since 2026-11-02: HTTP 404');
    expect(table.stdout).toContain(`update the config to ${server.origin}/new-home.xml`);
    expect(table.stdout).toMatch(/^not-a-feed\s+200\s+.*Page$/m);
    expect(table.stdout).toContain('5 feeds: 2 ok, 1 stale, 2 failing');

    const json = await cli(['feeds', 'check', '--config', config, '--out', out, '--json']);
    const rows = JSON.parse(json.stdout) as {
      name: string;
      verdict: string;
      finalUrl?: string;
      permanentRedirect?: boolean;
      itemsPerDay?: number;
    }[];
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(byName.Moved).toMatchObject({ verdict: 'ok', finalUrl: `${server.origin}/new-home.xml`, permanentRedirect: true });
    expect(byName.Healthy.itemsPerDay).toBeCloseTo(4 / 2.9, 1);
    expect(byName.Dead).toMatchObject({ verdict: 'failing', failingSince: '2026-11-02', httpStatus: 404 });
  });

  it('export writes OPML 2.0 that import merges back into another config: the same feeds', async () => {
    const source = path.join(dir, 'source.yaml');
    await writeFile(
      source,
      [
        'digest: { title: "Mine & yours" }',
        'feeds:',
        '  - { url: "https://a.example/feed", name: "A & B", category: World }',
        '  - { url: "https://b.example/rss?x=1&y=2", name: "أخبار", category: عربي }',
        '  - { url: "https://c.example/atom.xml", name: Plain }',
        '  - { url: "https://d.example/feed", name: "D", category: World }',
      ].join('\n'),
    );
    const opml = path.join(dir, 'feeds.opml');
    const exported = await cli(['feeds', 'export', '--config', source, '--output', opml]);
    expect(exported.code).toBe(0);
    const text = await readFile(opml, 'utf8');
    expect(text).toContain('<opml version="2.0">');
    expect(text).toContain('<outline text="World" title="World">');
    const target = path.join(dir, 'target.yaml');
    await writeFile(target, '# target\nfeeds:\n  - url: https://c.example/atom.xml\n    name: Plain\n');
    const imported = await cli(['feeds', 'import', opml, '--config', target]);
    expect(imported.stdout).toContain('Imported 3 feeds');
    const byUrl = (feeds: { url: string; name?: string; category?: string }[]) =>
      feeds.map((f) => ({ url: f.url, name: f.name, category: f.category })).sort((a, b) => a.url.localeCompare(b.url));
    expect(byUrl((await loadConfigFile(target)).feeds)).toEqual(byUrl((await loadConfigFile(source)).feeds));
    expect(await readFile(target, 'utf8')).toMatch(/^# target\n/);
  });
});
