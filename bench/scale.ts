/**
 * Scale benchmark: the deployed run's shard/merge code (fetchShard per shard, mergeShards) on a
 * feed list far beyond one Lambda, against a local server in a child process. Each shard runs in
 * its own Node process, as each Distributed Map item runs in its own Lambda, and all shards of a
 * run start at once (the map's MaxConcurrency is at least the shard count here). Feeds are spread
 * over host names that all resolve to 127.0.0.1, so shards are assigned by host as deployed.
 *
 * Every request waits 100–300 ms (fixed per path). Each feed has 20 items; a tenth of the feeds
 * link their items to article pages (fetched and extracted), the rest are summarized from the
 * feed's text (entries without a page of their own). The anchor is 1 shard: today's single fetch
 * function. Measured: wall time (first shard start to merge end), requests/s, each shard's
 * duration and peak RSS (a 1,024 MB function; budget 512 MB), and the projected cost per day at
 * list prices (arm64 Lambda, Step Functions standard, S3 requests; us-east-1, December 2026).
 *
 *   npm run bench:scale -- [--feeds 5000] [--items 20] [--sites 250] [--shards 1,4,16]
 *                          [--concurrency 16] [--per-host 2] [--items-per-feed 10]
 *
 * On a machine with few cores the shards share its CPUs (each Lambda has its own): per-shard
 * durations then include waiting for CPU, and the projected cost is an upper bound.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig, type Config } from '../src/config';
import { createFetcher } from '../src/http';
import { fetchShard, mergeShards } from '../src/pipeline/fetch-stage';
import { feedsOfShard, type ShardRef } from '../src/pipeline/shards';
import { FsStore, type Store } from '../src/store';
import { argValue, helpIfAsked } from './harness';
import { resolveBenchHosts, serveNewsSite, startNewsSite } from './news-site';

helpIfAsked(__filename);

const arg = (name: string, fallback: number): number => Number(argValue(name) ?? fallback);
const FEEDS = arg('feeds', 5000);
const ITEMS = arg('items', 20);
const SITES = arg('sites', 250);
const CONCURRENCY = arg('concurrency', 16);
const PER_HOST = arg('per-host', 2);
const ITEMS_PER_FEED = arg('items-per-feed', 10);
const SHARD_COUNTS = (argValue('shards') ?? '1,4,16').split(',').map(Number);
/** One feed in this many links its items to article pages. */
const PAGES_EVERY = 10;

/** List prices, us-east-1 (December 2026). */
const PRICE = {
  lambdaGbSecondArm: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  stepFunctionsTransition: 0.025 / 1000,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  s3List: 0.005 / 1000,
};
const FUNCTION_GB = 1; // the fetch function's 1,024 MB

/** 100–300 ms, the same for a path on every run. */
function latencyOf(url: string): number {
  let h = 0;
  for (const c of url) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 100 + (h % 201);
}

function configFor(port: number, dir: string): Config {
  const hostOf = (f: number): string => `site-${f % SITES}.bench.test:${port}`; // as NewsSite.hostOf
  return parseConfig({
    feeds: Array.from({ length: FEEDS }, (_, f) => ({ url: `http://${hostOf(f)}/feeds/${f}.xml` })),
    network: {
      allowHosts: Array.from({ length: Math.min(SITES, FEEDS) }, (_, s) => `site-${s}.bench.test:${port}`),
      concurrency: CONCURRENCY,
      perHostConcurrency: PER_HOST,
    },
    digest: { itemsPerFeed: ITEMS_PER_FEED, maxAgeHours: 0 },
    store: { kind: 'fs', dir },
  });
}

/** Counts the store requests a shard makes (each one an S3 request when deployed). */
function countingStore(store: Store, ops: { get: number; put: number; list: number }): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'get' || prop === 'getVersioned') ops.get++;
        else if (prop === 'put' || prop === 'putIfAbsent' || prop === 'putIfMatch') ops.put++;
        else if (prop === 'list') ops.list++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

interface ShardResult {
  index: number;
  feeds: number;
  seconds: number;
  peakRssMb: number;
  cpuSeconds: number;
  ops: { get: number; put: number; list: number };
}

/** A shard process: one Distributed Map item. */
async function shardMain(): Promise<void> {
  const [port, dir, index, count, date] = ['port', 'dir', 'index', 'count', 'date'].map((n) => argValue(n)!);
  const config = configFor(Number(port), dir);
  const fetcher = createFetcher(config.network, { resolve: resolveBenchHosts });
  const shard: ShardRef = { date, runId: 'bench', index: Number(index), count: Number(count) };
  const ops = { get: 0, put: 0, list: 0 };
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const report = await fetchShard({ config, store: countingStore(new FsStore(dir), ops), fetcher, date, shard, runId: 'bench' });
  const used = process.cpuUsage(cpu);
  const result: ShardResult = {
    index: shard.index,
    feeds: report.feeds.length,
    seconds: (performance.now() - t0) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: (used.user + used.system) / 1e6,
    ops,
  };
  process.send!(result, () => process.exit(0));
}

function runShard(args: string[]): Promise<ShardResult> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(__filename, ['--shard', ...args], { stdio: 'inherit' });
    child.once('message', (m) => resolve(m as ShardResult));
    child.once('exit', (code) => (code ? reject(new Error(`shard exited with ${code}`)) : undefined));
  });
}

async function main(): Promise<void> {
  const site = await startNewsSite(__filename);
  const port = site.port;
  const date = new Date().toISOString().slice(0, 10);
  console.log(
    `bench:scale — ${FEEDS} feeds × ${ITEMS} items on ${SITES} hosts, 100–300 ms per request, pages for 1 feed in ${PAGES_EVERY} ` +
      `(${ITEMS_PER_FEED} new items per feed), per shard: concurrency ${CONCURRENCY}, per host ${PER_HOST}; ${os.cpus().length} CPUs`,
  );
  const rows: string[] = [];
  for (const count of SHARD_COUNTS) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rss-digest-scale-'));
    const config = configFor(port, dir);
    const sizes = Array.from({ length: count }, (_, index) => feedsOfShard(config, { index, count }).length);
    const before = await site.requests();
    const t0 = performance.now();
    const shards = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        runShard(['--port', String(port), '--dir', dir, '--index', String(index), '--count', String(count), '--date', date]),
      ),
    );
    const merged = await mergeShards({ config, store: new FsStore(dir), date, runId: 'bench', shards: count });
    const seconds = (performance.now() - t0) / 1000;
    const requests = (await site.requests()) - before;
    const longest = Math.max(...shards.map((s) => s.seconds));
    const peak = Math.max(...shards.map((s) => s.peakRssMb));
    const gbSeconds = shards.reduce((a, s) => a + s.seconds * FUNCTION_GB, 0);
    const ops = shards.reduce((a, s) => ({ get: a.get + s.ops.get, put: a.put + s.ops.put, list: a.list + s.ops.list }), {
      get: 0,
      put: 0,
      list: 0,
    });
    // Plan, map, merge, summarize, success, failure-free run: 6 transitions; each child execution: start, FetchShard, ShardDone, end.
    const transitions = 6 + 4 * count;
    const cost = {
      lambda: gbSeconds * PRICE.lambdaGbSecondArm + (count + 2) * PRICE.lambdaRequest,
      stepFunctions: transitions * PRICE.stepFunctionsTransition,
      s3: ops.put * PRICE.s3Put + ops.get * PRICE.s3Get + ops.list * PRICE.s3List,
    };
    const total = cost.lambda + cost.stepFunctions + cost.s3;
    console.log(
      `${count} shard(s) [${Math.min(...sizes)}–${Math.max(...sizes)} feeds each]: ${seconds.toFixed(1)} s wall, ${requests} requests, ` +
        `${(requests / seconds).toFixed(0)} requests/s; longest shard ${longest.toFixed(1)} s (15 min = 900 s allowed), ` +
        `peak RSS per shard ≤ ${peak.toFixed(0)} MB (budget 512 MB), CPU ${shards.reduce((a, s) => a + s.cpuSeconds, 0).toFixed(0)} s in all; ` +
        `feeds ok ${merged.stats.feedsOk}, failed ${merged.stats.feedsFailed}, deferred ${merged.stats.feedsDeferred}; ` +
        `pages extracted ${merged.stats.articlesExtracted}, stories from feed text ${merged.stats.articlesFromFeed}; ` +
        `store requests: ${ops.get} GET, ${ops.put} PUT, ${ops.list} LIST`,
    );
    rows.push(
      `| ${count} | ${seconds.toFixed(0)} s | ${longest.toFixed(0)} s | ${peak.toFixed(0)} MB | $${cost.lambda.toFixed(4)} | $${cost.stepFunctions.toFixed(4)} | $${cost.s3.toFixed(4)} | $${total.toFixed(4)} |`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log("\nProjected cost of one day's fetch (first run: every item new), list prices:\n");
  console.log('| shards | wall | longest shard | peak RSS | Lambda | Step Functions | S3 requests | total |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  site.stop();
}

if (process.argv.includes('--serve')) serveNewsSite({ items: ITEMS, latencyOf, pagesFor: (f) => f % PAGES_EVERY === 0 });
else if (process.argv.includes('--shard'))
  shardMain().catch((err) => {
    console.error(err);
    process.exit(1);
  });
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
