/**
 * Ingest benchmark: runFetchStage (fetch feeds, parse, fetch and extract the new article pages,
 * store records in a FsStore) against a local server in a child process that serves N feeds × M
 * items with a fixed latency per request. Feeds are spread over several host names that all
 * resolve to 127.0.0.1, so the per-host limit behaves as it would on the open web.
 *
 *   npm run bench:fetch -- [--feeds 500] [--items 20] [--latency 100] [--sites 50]
 *                          [--concurrency 16] [--per-host 2] [--items-per-feed 10]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config';
import { createFetcher } from '../src/http';
import { runFetchStage } from '../src/pipeline/fetch-stage';
import { FsStore } from '../src/store';
import { argValue, peakRssMb, helpIfAsked } from './harness';
import { resolveBenchHosts, serveNewsSite, startNewsSite } from './news-site';

helpIfAsked(__filename);

const arg = (name: string, fallback: number): number => Number(argValue(name) ?? fallback);

const FEEDS = arg('feeds', 500);
const ITEMS = arg('items', 20);
const LATENCY_MS = arg('latency', 100);
const SITES = arg('sites', 50);
const CONCURRENCY = arg('concurrency', 16);
const PER_HOST = arg('per-host', 2);
const ITEMS_PER_FEED = arg('items-per-feed', 10);

async function main(): Promise<void> {
  const site = await startNewsSite(__filename);
  const port = site.port;
  const hostOf = (f: number): string => site.hostOf(f, SITES);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rss-digest-bench-'));
  const config = parseConfig({
    feeds: Array.from({ length: FEEDS }, (_, f) => ({ url: `http://${hostOf(f)}/feeds/${f}.xml` })),
    network: {
      allowHosts: Array.from({ length: Math.min(SITES, FEEDS) }, (_, s) => `site-${s}.bench.test:${port}`),
      concurrency: CONCURRENCY,
      perHostConcurrency: PER_HOST,
    },
    digest: { itemsPerFeed: ITEMS_PER_FEED, maxAgeHours: 0 },
    store: { kind: 'fs', dir },
  });
  const fetcher = createFetcher(config.network, { resolve: resolveBenchHosts });
  const date = new Date().toISOString().slice(0, 10);
  const run = async (label: string): Promise<void> => {
    const before = await site.requests();
    const t0 = performance.now();
    const report = await runFetchStage({ config, store: new FsStore(dir), fetcher, date });
    const seconds = (performance.now() - t0) / 1000;
    const requests = (await site.requests()) - before;
    // Anchor: with every request taking LATENCY_MS and at most CONCURRENCY in flight, no fetcher
    // can finish sooner than requests × latency / concurrency; the ratio is our overhead over that.
    const floorSeconds = (requests * LATENCY_MS) / 1000 / CONCURRENCY;
    console.log(
      `${label}: ${seconds.toFixed(1)} s wall (${(seconds / floorSeconds).toFixed(2)}× the ${floorSeconds.toFixed(1)} s latency floor), ` +
        `${requests} requests, ${(requests / seconds).toFixed(0)} requests/s, peak RSS ${peakRssMb().toFixed(0)} MB (${((peakRssMb() / 512) * 100).toFixed(0)}% of the 512 MB budget); ` +
        `feeds ok ${report.stats.feedsOk}, not modified ${report.stats.feedsNotModified}, failed ${report.stats.feedsFailed}; ` +
        `items new ${report.stats.itemsNew}; pages extracted ${report.stats.articlesExtracted}, from feed ${report.stats.articlesFromFeed}, failed ${report.stats.pagesFailed}`,
    );
  };
  console.log(
    `bench:fetch — ${FEEDS} feeds × ${ITEMS} items on ${SITES} hosts, ${LATENCY_MS} ms latency per request, ` +
      `concurrency ${CONCURRENCY} (per host ${PER_HOST}), ${ITEMS_PER_FEED} new items per feed → page fetch + extraction, ` +
      `limits: ${config.network.maxBytes / 1024 / 1024} MiB body, ${config.network.timeoutMs / 1000} s deadline, ${config.network.maxRedirects} redirects`,
  );
  await run('first run (all new)');
  await run('second run (conditional GET)');
  site.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

if (process.argv.includes('--serve')) serveNewsSite({ items: ITEMS, latencyOf: () => LATENCY_MS, pagesFor: () => true });
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
