/**
 * Ingest benchmark: runFetchStage (fetch feeds, parse, fetch and extract the new article pages,
 * store records in a FsStore) against a local server in a child process that serves N feeds × M
 * items with a fixed latency per request. Feeds are spread over several host names that all
 * resolve to 127.0.0.1, so the per-host limit behaves as it would on the open web.
 *
 *   npm run bench:fetch -- [--feeds 500] [--items 20] [--latency 100] [--sites 50]
 *                          [--concurrency 16] [--per-host 2] [--items-per-feed 10]
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config';
import { createFetcher } from '../src/http';
import { runFetchStage } from '../src/pipeline/fetch-stage';
import { FsStore } from '../src/store';
import { argValue, peakRssMb, helpIfAsked } from './harness';

helpIfAsked(__filename);

const arg = (name: string, fallback: number): number => Number(argValue(name) ?? fallback);

const FEEDS = arg('feeds', 500);
const ITEMS = arg('items', 20);
const LATENCY_MS = arg('latency', 100);
const SITES = arg('sites', 50);
const CONCURRENCY = arg('concurrency', 16);
const PER_HOST = arg('per-host', 2);
const ITEMS_PER_FEED = arg('items-per-feed', 10);

const PARAGRAPH =
  'The council voted on Tuesday to extend the programme for another year, citing strong results in the first pilot districts. ' +
  'Officials said the budget would be reviewed in the spring, and residents will be consulted before any further changes. ';

function serve(): void {
  const now = Date.now();
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const host = req.headers.host ?? '';
    const url = req.url ?? '/';
    setTimeout(() => {
      const feed = /^\/feeds\/(\d+)\.xml$/.exec(url);
      if (feed) {
        const f = Number(feed[1]);
        if (req.headers['if-none-match'] === `"f${f}"`) {
          res.writeHead(304);
          return res.end();
        }
        const items = Array.from({ length: ITEMS }, (_, i) => {
          const date = new Date(now - (i * 37 + f) * 60_000).toUTCString();
          return `<item><title>Story ${i} of feed ${f}: the council extends the programme</title><link>http://${host}/articles/${f}-${i}.html</link><guid isPermaLink="false">f${f}-i${i}</guid><pubDate>${date}</pubDate><description>&lt;p&gt;${PARAGRAPH}&lt;/p&gt;</description></item>`;
        }).join('\n');
        res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: `"f${f}"` });
        return res.end(
          `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Feed ${f}</title><link>http://${host}/</link><language>en</language>\n${items}\n</channel></rss>`,
        );
      }
      const page = /^\/articles\/(\d+)-(\d+)\.html$/.exec(url);
      if (page) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Story ${page[2]}</title><meta property="og:title" content="Story ${page[2]}"></head>` +
            `<body><header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>` +
            `<main><article><h1>Story ${page[2]} of feed ${page[1]}</h1><p class="byline">By A. Reporter</p>${`<p>${PARAGRAPH}</p>`.repeat(8)}</article>` +
            `<aside class="related"><ul>${'<li><a href="/x">Related story</a></li>'.repeat(10)}</ul></aside></main><footer>© Example News</footer></body></html>`,
        );
      }
      res.writeHead(404);
      res.end();
    }, LATENCY_MS);
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => {
    process.send!({ port: (server.address() as import('node:net').AddressInfo).port });
  });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'count') process.send!({ requests });
    if (m.type === 'stop') server.close(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  const child = fork(__filename, ['--serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  const ask = <T>(message: object | undefined): Promise<T> =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(m as T));
      if (message) child.send(message);
    });
  const { port } = await ask<{ port: number }>(undefined);
  const hostOf = (f: number): string => `site-${f % SITES}.bench.test:${port}`;
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
  const fetcher = createFetcher(config.network, {
    resolve: async (hostname) => (hostname.endsWith('.bench.test') ? [{ address: '127.0.0.1', family: 4 }] : []),
  });
  const date = new Date().toISOString().slice(0, 10);
  const run = async (label: string): Promise<void> => {
    const before = (await ask<{ requests: number }>({ type: 'count' })).requests;
    const t0 = performance.now();
    const report = await runFetchStage({ config, store: new FsStore(dir), fetcher, date });
    const seconds = (performance.now() - t0) / 1000;
    const requests = (await ask<{ requests: number }>({ type: 'count' })).requests - before;
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
  child.send({ type: 'stop' });
  fs.rmSync(dir, { recursive: true, force: true });
}

if (process.argv.includes('--serve')) serve();
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
