/** `rss-digest serve` over a published digest: pages, and the published 404 page for missing ones. */
import { rm } from 'node:fs/promises';
import { startServer, type RunningServer } from '../../src/cli/serve';
import { demoConfig } from '../../src/demo/run-demo';
import { startDemoServer } from '../../src/demo/server';
import { runDigest } from '../../src/pipeline';
import { FsStore } from '../../src/store';
import { tempDir } from '../helpers/tmp';

describe('serve over a published digest', () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = await tempDir('serve-site-');
    const demo = await startDemoServer();
    try {
      await runDigest({ config: demoConfig(demo), store: new FsStore(dir), date: '2026-11-29' });
    } finally {
      await demo.close();
    }
    server = await startServer({ outDir: dir, port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the front page, a dated page by its folder, and the archive', async () => {
    for (const p of ['/', '/2026/11/29/', '/archive.html']) {
      const res = await fetch(`${server.url}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    }
  });

  it('answers a missing page at any depth with status 404 and the site 404 page, whose links work from there', async () => {
    const res = await fetch(`${server.url}/2026/13/40/nothing.html`);
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('Page not found');
    const hrefs = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]).filter((h) => !/^(https?:|#|mailto:)/.test(h));
    expect(hrefs.length).toBeGreaterThan(2);
    for (const href of hrefs) {
      expect(href.startsWith('/')).toBe(true);
      expect((await fetch(`${server.url}${href}`)).status).toBe(200);
    }
  });
});
