/**
 * Shards of the feed list: assignment by host, two shards storing the same story at once over S3's
 * conditional writes (s3rver), a shard that never reported, and deferral when time runs out.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig, type Config } from '../../src/config';
import { createFetcher } from '../../src/http';
import { articlesPrefix, fetchShard, mergeShards } from '../../src/pipeline';
import { feedsOfShard, planShards, shardCountFor, shardOfUrl, DEFERRED_FEEDS_KEY } from '../../src/pipeline/shards';
import { getJson, S3Store } from '../../src/store';
import type { ArticleRecord } from '../../src/types';
import { startLocalS3, type LocalS3 } from '../helpers/s3';

const DATE = '2026-12-01';
const PARAGRAPHS = [
  'The regional water authority approved a plan to replace eighty kilometres of lead pipes over the next five years.',
  'Households in the oldest districts will be connected first, starting with streets near schools and clinics.',
  'The work is paid for by a federal grant and a small rise in the standing charge on every bill.',
];

describe('shard assignment', () => {
  const feeds = ['https://a.example/one.xml', 'https://a.example/two.xml', 'https://b.example/x.xml', 'https://c.example/y.xml'];
  const config = parseConfig({ feeds: feeds.map((url) => ({ url })), scale: { feedsPerShard: 2 } });

  test('about feedsPerShard feeds per shard, at least one shard', () => {
    expect(shardCountFor(0, 250)).toBe(1);
    expect(shardCountFor(250, 250)).toBe(1);
    expect(shardCountFor(251, 250)).toBe(2);
    expect(shardCountFor(5000, 250)).toBe(20);
    expect(planShards(config, DATE, 'exec-1').shards).toEqual([
      { date: DATE, runId: 'exec-1', index: 0, count: 2 },
      { date: DATE, runId: 'exec-1', index: 1, count: 2 },
    ]);
  });

  test('every feed is in exactly one shard, and every feed of one host in the same one, whatever the shard count', () => {
    for (const count of [1, 2, 3, 7, 16]) {
      const assigned = Array.from({ length: count }, (_, index) => feedsOfShard(config, { index, count })).flat();
      expect(assigned.sort()).toEqual([0, 1, 2, 3]);
      expect(shardOfUrl(feeds[0], count)).toBe(shardOfUrl(feeds[1], count));
      // The host decides, not the scheme, port or path.
      expect(shardOfUrl('http://A.example:8080/other', count)).toBe(shardOfUrl(feeds[0], count));
    }
  });
});

describe('shards against s3rver', () => {
  let s3: LocalS3;
  let servers: http.Server[] = [];
  let hosts: string[] = [];
  let config: Config;
  let bucket = 0;
  const requests: string[] = [];

  beforeAll(async () => {
    s3 = await startLocalS3();
    // Two outlets on two hosts (so two shards) whose feeds carry the same article, on the first host.
    const addresses = ['127.0.0.2', '127.0.0.3'];
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      requests.push(`${req.headers.host}${req.url}`);
      if (req.url === '/feed.xml') {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Outlet ${req.headers.host}</title><link>http://${req.headers.host}/</link>
<item><title>Lead pipes to be replaced</title><link>http://${hosts[0]}/news/pipes/</link><guid>pipes</guid><pubDate>Tue, 01 Dec 2026 06:00:00 GMT</pubDate><description>${PARAGRAPHS[0]}</description></item>
</channel></rss>`);
        return;
      }
      if (req.url === '/news/pipes/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          `<!doctype html><html lang="en"><head><title>Lead pipes</title></head><body><main><article><h1>Lead pipes to be replaced</h1>${PARAGRAPHS.map((p) => `<p>${p}</p>`).join('')}</article></main></body></html>`,
        );
        return;
      }
      res.writeHead(404).end();
    };
    servers = await Promise.all(
      addresses.map(
        (address) =>
          new Promise<http.Server>((resolve) => {
            const server = http.createServer(handler);
            server.listen(0, address, () => resolve(server));
          }),
      ),
    );
    hosts = servers.map((s, i) => `${addresses[i]}:${(s.address() as AddressInfo).port}`);
    config = parseConfig({
      feeds: hosts.map((host, i) => ({ url: `http://${host}/feed.xml`, name: `Outlet ${i}` })),
      digest: { timezone: 'UTC', maxAgeHours: 0 },
      network: { allowHosts: hosts, timeoutMs: 5000 },
      scale: { feedsPerShard: 1 },
    });
  });

  afterAll(async () => {
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await s3?.close();
  });

  async function freshStore(): Promise<S3Store> {
    const name = `shards-${++bucket}`;
    await s3.createBucket(name);
    return new S3Store({ bucket: name, client: s3.client });
  }

  test('the test hosts fall into different shards', () => {
    expect([0, 1].map((index) => feedsOfShard(config, { index, count: 2 }))).toEqual([[0], [1]]);
  });

  test('two shards storing the same story at once: one record, both outlets as its sources', async () => {
    const store = await freshStore();
    const plan = planShards(config, DATE, 'exec-same');
    const fetcher = createFetcher(config.network);
    await Promise.all(plan.shards.map((shard) => fetchShard({ config, store, fetcher, date: DATE, shard, runId: plan.runId })));
    const keys = (await store.list(articlesPrefix(DATE))).filter((k) => !k.endsWith('.summary.json'));
    expect(keys).toHaveLength(1);
    const record = (await getJson<ArticleRecord>(store, keys[0]))!;
    expect(record.sources.map((s) => s.name)).toEqual(['Outlet 0', 'Outlet 1']);
    expect(record.contentSource).toBe('page');

    const report = await mergeShards({ config, store, date: DATE, runId: plan.runId, shards: 2 });
    expect(report.feeds.map((f) => f.status)).toEqual(['ok', 'ok']);
  });

  test('a shard that never reported makes its feeds errors; the other shard keeps its story', async () => {
    const store = await freshStore();
    const plan = planShards(config, DATE, 'exec-lost');
    await fetchShard({
      config,
      store,
      fetcher: createFetcher(config.network),
      date: DATE,
      shard: plan.shards[0],
      runId: plan.runId,
    });
    const report = await mergeShards({
      config,
      store,
      date: DATE,
      runId: plan.runId,
      shards: 2,
      failures: [{ index: 1, error: 'Sandbox.Timedout: Task timed out after 900.00 seconds', errorClass: 'timeout' }],
    });
    expect(report.feeds.map((f) => [f.status, f.errorClass])).toEqual([
      ['ok', undefined],
      ['error', 'timeout'],
    ]);
    expect(report.feeds[1].error).toBe('Its shard (2 of 2) failed: Sandbox.Timedout: Task timed out after 900.00 seconds');
    expect(report.stats).toMatchObject({ feedsOk: 1, feedsFailed: 1, articlesExtracted: 1 });
  });

  test('out of time: no feed is started, each is deferred with its state untouched, and listed for the next run', async () => {
    const store = await freshStore();
    const plan = planShards(config, DATE, 'exec-late');
    requests.length = 0;
    const shard = await fetchShard({
      config,
      store,
      fetcher: createFetcher(config.network),
      date: DATE,
      shard: plan.shards[1],
      runId: plan.runId,
      remainingMs: () => 10_000,
    });
    expect(requests).toEqual([]);
    expect(shard.feeds.map((f) => f.status)).toEqual(['deferred']);
    expect(await store.list('state/feeds/')).toEqual([]);
    // Shard 0 never reported here: its feed is an error, shard 1's is deferred.
    const report = await mergeShards({ config, store, date: DATE, runId: plan.runId, shards: 2 });
    expect(report.feeds.map((f) => f.status)).toEqual(['error', 'deferred']);
    expect(report.stats.feedsDeferred).toBe(1);
    expect((await getJson<{ feeds: string[] }>(store, DEFERRED_FEEDS_KEY))?.feeds).toHaveLength(1);
  });
});
