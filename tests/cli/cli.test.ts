/** The real CLI process: `rss-digest run` against the fixture sites, and its errors. */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startDemoServer, type DemoServer } from '../../src/demo/server';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const cli = (args: string[]) => runCli(args);

describe('rss-digest CLI', () => {
  let server: DemoServer;
  let dir: string;
  beforeAll(async () => {
    server = await startDemoServer();
    dir = await tempDir('cli-');
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('run builds the dated digest, logs progress per feed and article, and ends with a summary', async () => {
    const config = path.join(dir, 'digest.yaml');
    await writeFile(
      config,
      [
        'digest:',
        '  title: CLI test',
        '  timezone: Asia/Riyadh',
        'network:',
        `  allowHosts: ["${server.hostPort}"]`,
        'feeds:',
        ...server.feeds.map((f) => `  - url: ${f.url}\n    name: "${f.name}"`),
      ].join('\n'),
    );
    const out = path.join(dir, 'out');
    const res = await cli(['run', '--config', config, '--out', out, '--date', '2026-11-29']);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/\[feeds \d\/4\] Harbor City Gazette: \d+ new/);
    expect(res.stderr).toMatch(/\[articles \d\/\d\] page: Harbor Bridge reopens/);
    expect(res.stdout).toMatch(/feeds: 3 ok, 1 failed, 0 not modified/);
    expect(res.stdout).toMatch(/articles: 5 extracted from pages, 1 from feed text/);
    expect(res.stdout).toMatch(/time: \d+\.\d s/);
    expect(res.stdout).toContain(`Open: ${path.join(out, 'site', 'index.html')}`);
    const digest = JSON.parse(await readFile(path.join(out, 'site', '2026', '11', '29', 'digest.json'), 'utf8'));
    expect(digest.title).toBe('CLI test');
    expect(digest.timezone).toBe('Asia/Riyadh');
    // Six articles, five events: both Harbor Bridge articles are one story.
    expect(digest.stories.length).toBe(5);
  });

  it('stops on a bad config with exit code 2 and a message naming the key', async () => {
    const config = path.join(dir, 'bad.yaml');
    await writeFile(config, 'feeds:\n  - url: https://example.com/feed\ndigest:\n  timezone: Nowhere/City\n');
    const res = await cli(['run', '--config', config]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('digest.timezone');
  });

  it('rejects a malformed --date', async () => {
    const res = await cli(['run', '--config', 'x.yaml', '--date', '2026-02-31']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/YYYY-MM-DD/);
  });
});
