/// <reference lib="dom" />
/**
 * Regenerates docs/screenshot.png (the README's picture of the demo digest):
 *   npx tsx tests/browser/make-screenshot.ts [out.png]
 * Runs the offline demo (its fixture news sites + the real pipeline) into a temp folder, serves
 * it under the production CSP and captures the top of the page in headless Chromium.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { demoConfig } from '../../src/demo/run-demo';
import { startDemoServer } from '../../src/demo/server';
import { runDigest } from '../../src/pipeline';
import { FsStore } from '../../src/store';
import { launchBrowser, serveSite } from './harness';

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'docs', 'screenshot.png'));
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'rss-digest-shot-'));
  const demo = await startDemoServer();
  const site = await serveSite(outDir);
  const browser = await launchBrowser();
  try {
    const config = demoConfig(demo, { site: { url: site.url } });
    await runDigest({ config, store: new FsStore(outDir) });
    const page = await browser.newPage({ viewport: { width: 960, height: 1400 }, colorScheme: 'light' });
    await page.goto(`${site.url}/index.html`, { waitUntil: 'load' });
    // Down to the end of the first Arabic story, so both scripts are in the picture.
    const bottom = await page.evaluate(() => {
      const ar = document.querySelector('article[lang="ar"]');
      return ar ? Math.ceil(ar.getBoundingClientRect().bottom + 16) : 1100;
    });
    // The empty margins left and right of the column are cropped to keep the PNG small.
    const x = 80;
    await page.screenshot({ path: out, clip: { x, y: 0, width: 960 - 2 * x, height: Math.min(Math.max(bottom, 700), 1400) } });
    const size = (await stat(out)).size;
    process.stdout.write(`${out}: ${size} bytes\n`);
    // The README's picture is committed: keep it small.
    if (size > 200 * 1024) throw new Error(`${out} is ${size} bytes; keep it under 200 KB (crop it shorter)`);
  } finally {
    await browser.close();
    await site.close();
    await demo.close();
    await rm(outDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
