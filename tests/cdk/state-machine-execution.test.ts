/**
 * The deployed daily run, executed: the state machine definition synthesized by the stack, its
 * references resolved, run by aws-local-stepfunctions (Amazon States Language, locally), with each
 * Task calling the real handler bundle (built exactly as the stack bundles it) against s3rver and
 * fixture news sites on three loopback addresses, one per shard.
 *
 * aws-local-stepfunctions runs a DISTRIBUTED map over ItemsPath (which is what the stack uses; no
 * ItemReader, ResultWriter or ToleratedFailurePercentage), so the map's Catch inside each item is
 * exercised here as it runs in AWS.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUNDLED_CONFIG_FILE, DEPLOY_ENV, serializeDeployedConfig } from '../../lambdas/environment';
import { buildApp } from '../../lib/app';
import { copySidePackages, esbuildOptionsFor } from '../../lib/handlers';
import { runBudget } from '../../lib/run-budget';
import { parseConfig, type Config } from '../../src/config';
import { feedsOfShard } from '../../src/pipeline/shards';
import type { Digest } from '../../src/types';
import { paragraphsAbout, startNewsServer, type NewsServer } from '../helpers/news-server';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { stateMachineDefinition, type StateMachineDefinition } from '../helpers/state-machine';
import { tempDir } from '../helpers/tmp';

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22+); the suite also runs on Node 20.
if (!('withResolvers' in Promise)) {
  Object.assign(Promise, {
    withResolvers<T>() {
      let resolve!: (value: T) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((a, b) => {
        resolve = a;
        reject = b;
      });
      return { promise, resolve, reject };
    },
  });
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as {
  StateMachine: new (
    definition: unknown,
    options?: unknown,
  ) => { run(input: unknown, options?: unknown): { result: Promise<unknown> } };
};

type Handler = (event: unknown, context?: LambdaContext) => Promise<unknown>;
interface LambdaContext {
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/** One site per shard: with feedsPerShard 2 and 6 feeds there are 3 shards, and these hosts hash to 0, 1 and 2. */
const HOSTS = ['127.0.0.2', '127.0.0.3', '127.0.0.6'];

let s3: LocalS3;
let sites: NewsServer[];
let workDir: string;
let config: Config;
let definition: StateMachineDefinition;
const handlers: Record<'fetch' | 'summarize', Handler> = {} as never;
let bucketCount = 0;
const savedEnv = { ...process.env };

beforeAll(async () => {
  s3 = await startLocalS3();
  const [a, b, c] = await Promise.all(
    HOSTS.map((host, i) =>
      startNewsServer(
        [
          { path: '/world.xml', title: `World ${i}`, items: [] },
          { path: '/city.xml', title: `City ${i}`, items: [] },
        ],
        { host },
      ),
    ),
  );
  sites = [a, b, c];
  // The same bridge article at two outlets (two shards): one story with two sources.
  a.feeds[0].items.push({
    slug: 'bridge',
    title: 'Harbor Bridge reopens after rebuild',
    paragraphs: paragraphsAbout('The bridge reopening'),
  });
  a.feeds[1].items.push({ slug: 'storm', title: 'Storm closes the port', paragraphs: paragraphsAbout('The storm') });
  b.feeds[0].items.push({
    slug: 'bridge-too',
    title: 'The Harbor Bridge is open again',
    paragraphs: paragraphsAbout('The bridge'),
  });
  b.feeds[1].items.push({ slug: 'meeting', title: 'Members meet online this year', paragraphs: paragraphsAbout('The meeting') });
  c.feeds[0].items.push({
    slug: 'timetable',
    title: 'Winter ferry timetable drops early sailing',
    paragraphs: paragraphsAbout('The timetable'),
  });
  c.feeds[1].items.push({
    slug: 'library',
    title: 'Library opens late from next month',
    paragraphs: paragraphsAbout('The library'),
  });

  config = parseConfig({
    feeds: sites.flatMap((site, i) => [
      { url: `${site.base}/world.xml`, name: `World ${i}` },
      { url: `${site.base}/city.xml`, name: `City ${i}` },
    ]),
    digest: { title: 'Sharded digest', timezone: 'UTC', maxAgeHours: 0 },
    // One request at a time, so the shard that runs out of time stops at a known point.
    network: { allowHosts: sites.map((s) => s.hostPort), timeoutMs: 5000, concurrency: 1 },
    scale: { feedsPerShard: 2, maxConcurrency: 2 },
    store: { kind: 's3', bucket: 'unused', endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1' },
  });
  workDir = await tempDir('rss-digest-sfn-');
  const configFile = path.join(workDir, 'digest.config.json');
  writeFileSync(configFile, JSON.stringify(config));

  // The definition exactly as the stack synthesizes it (bundling skipped there: the bundles are built below).
  const { app, stack } = await buildApp({
    configFile,
    nag: false,
    appProps: { outdir: path.join(workDir, 'cdk.out'), context: { 'aws:cdk:bundling-stacks': [] } },
  });
  const template = app.synth().getStackByName(stack.stackName).template as Parameters<typeof stateMachineDefinition>[0];
  definition = stateMachineDefinition(template, { bucket: 'resolved-at-run-time' });

  // The environment the stack gives the functions, set before the bundles load (their logger reads it then).
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_EC2_METADATA_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    [DEPLOY_ENV.siteUrl]: 'https://digest.example.test',
  });
  for (const name of ['fetch', 'summarize'] as const) {
    const outfile = path.join(workDir, name, 'index.js');
    mkdirSync(path.dirname(outfile), { recursive: true });
    await build(esbuildOptionsFor(name, outfile));
    copySidePackages(path.dirname(outfile));
    writeFileSync(path.join(path.dirname(outfile), BUNDLED_CONFIG_FILE), serializeDeployedConfig(config));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handlers[name] = (require(outfile) as { handler: Handler }).handler;
  }
}, 120_000);

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all((sites ?? []).map((s) => s.close()));
  await s3?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** A fresh bucket for one test: the handlers read its name from the environment, as deployed. */
async function freshBucket(): Promise<string> {
  const bucket = `sfn-run-${++bucketCount}`;
  await s3.createBucket(bucket);
  process.env[DEPLOY_ENV.bucket] = bucket;
  return bucket;
}

async function getJson<T>(bucket: string, key: string): Promise<T | undefined> {
  try {
    const res = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse(await res.Body!.transformToString('utf8')) as T;
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

async function keys(bucket: string, prefix: string): Promise<string[]> {
  const res = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!);
}

const lambdaContext = (remaining: () => number = () => 900_000): LambdaContext => ({
  awsRequestId: `req-${Math.random().toString(36).slice(2)}`,
  getRemainingTimeInMillis: remaining,
});

interface RunOptions {
  /** Shard index → what its FetchShard task does instead of the real handler's defaults. */
  shardContext?: (index: number) => LambdaContext;
  failShard?: number;
}

/** One execution of the synthesized state machine; every Task runs the real handler. */
async function execute(bucket: string, input: unknown, name: string, options: RunOptions = {}): Promise<Record<string, unknown>> {
  const machine = new StateMachine(definition as never, { validationOptions: { checkPaths: false, checkArn: false } });
  const zeroWaits = Object.fromEntries(['Plan', 'FetchShard', 'Merge', 'SummarizeAndPublish'].map((s) => [s, 0]));
  const execution = machine.run(input as never, {
    context: { Execution: { Name: name, Input: input as never, StartTime: new Date().toISOString() } },
    overrides: {
      retryIntervalOverrides: zeroWaits,
      taskResourceLocalHandlers: {
        Plan: (event: unknown) => handlers.fetch(event, lambdaContext()),
        FetchShard: async (event: unknown) => {
          const index = (event as { shard: { index: number } }).shard.index;
          if (options.failShard === index) throw Object.assign(new Error(`shard ${index} crashed`), { name: 'Error' });
          return handlers.fetch(event, options.shardContext?.(index) ?? lambdaContext());
        },
        Merge: (event: unknown) => handlers.fetch(event, lambdaContext()),
        SummarizeAndPublish: (event: unknown) => handlers.summarize(event, lambdaContext()),
        // The S3 integration's own call, made with the SDK against s3rver.
        RecordFailure: async (event: unknown) => {
          const e = event as { Key: string; Body: string; ContentType: string };
          await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: e.Key, Body: e.Body, ContentType: e.ContentType }));
          return {};
        },
      } as never,
    },
  });
  return (await execution.result) as Record<string, unknown>;
}

/** Feeds of a shard, by config position. */
const shardFeeds = (index: number): number[] => feedsOfShard(config, { index, count: 3 });

describe('the synthesized daily run, executed with the real handlers', () => {
  test('the fixture hosts fall into three shards, two feeds each (the test relies on it)', () => {
    expect([0, 1, 2].map(shardFeeds)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(runBudget(config).shards).toBe(3);
  });

  test('a multi-shard run publishes every story exactly once with all its sources, and a same-day re-run changes nothing', async () => {
    const bucket = await freshBucket();
    const output = await execute(bucket, { date: '2026-12-01' }, 'exec-multi-1');
    expect(output.error).toBeUndefined();
    expect((output.fetch as { stats: { feedsOk: number } }).stats.feedsOk).toBe(6);

    const digest = (await getJson<Digest>(bucket, 'site/2026/12/01/digest.json'))!;
    const titles = digest.stories.map((s) => s.title).sort();
    expect(titles).toHaveLength(5);
    expect(new Set(digest.stories.map((s) => s.id)).size).toBe(5);
    const bridge = digest.stories.find((s) => /bridge/i.test(s.title))!;
    // Two shards met the bridge story: one story, both outlets as its sources.
    expect(bridge.sources.map((s) => s.name).sort()).toEqual(['World 0', 'World 1']);
    expect(digest.feeds.map((f) => f.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    // Each shard wrote its own report; the merge wrote the day's.
    expect(await keys(bucket, 'state/runs/2026-12-01/shards/exec-multi-1/')).toHaveLength(3);

    // The lease the Plan took for the execution was ended by the last step: a second execution runs.
    const records = await keys(bucket, 'state/articles/2026/12/01/');
    const again = await execute(bucket, { date: '2026-12-01' }, 'exec-multi-2');
    expect(again.error).toBeUndefined();
    const second = (await getJson<Digest>(bucket, 'site/2026/12/01/digest.json'))!;
    expect(second.stories.map((s) => s.id).sort()).toEqual(digest.stories.map((s) => s.id).sort());
    expect(second.stories.find((s) => s.id === bridge.id)!.sources).toHaveLength(2);
    expect(await keys(bucket, 'state/articles/2026/12/01/')).toEqual(records);
  }, 120_000);

  test('a shard that throws loses only its own feeds; the others are published', async () => {
    const bucket = await freshBucket();
    const output = await execute(bucket, { date: '2026-12-02' }, 'exec-fail-1', { failShard: 1 });
    expect(output.error).toBeUndefined();
    const results = output.shardResults as { failed?: boolean; index: number; error?: string }[];
    expect(results.filter((r) => r.failed)).toEqual([expect.objectContaining({ index: 1, error: 'Error' })]);

    const digest = (await getJson<Digest>(bucket, 'site/2026/12/02/digest.json'))!;
    expect(digest.feeds.map((f) => f.status)).toEqual(['ok', 'ok', 'error', 'error', 'ok', 'ok']);
    expect(digest.feeds[2].error).toMatch(/shard \(2 of 3\) failed: Error: shard 1 crashed/);
    expect(digest.stories.map((s) => s.title).sort()).toEqual([
      'Harbor Bridge reopens after rebuild',
      'Library opens late from next month',
      'Storm closes the port',
      'Winter ferry timetable drops early sailing',
    ]);
    expect(digest.stories.find((s) => /bridge/i.test(s.title))!.sources.map((s) => s.name)).toEqual(['World 0']);
  }, 120_000);

  test('a shard that runs out of time defers its remaining feeds, and the next run fetches them first', async () => {
    const bucket = await freshBucket();
    const site = sites[2];
    // Shard 2 may start two things (its first feed and that feed's page); then its time is up.
    let starts = 0;
    const shortOfTime = (index: number): LambdaContext =>
      index === 2 ? lambdaContext(() => (++starts <= 2 ? 900_000 : 1_000)) : lambdaContext();
    site.requests.length = 0;
    const first = await execute(bucket, { date: '2026-12-03' }, 'exec-time-1', { shardContext: shortOfTime });
    expect(first.error).toBeUndefined();
    expect((first.fetch as { stats: { feedsDeferred: number } }).stats.feedsDeferred).toBe(1);
    const day1 = (await getJson<Digest>(bucket, 'site/2026/12/03/digest.json'))!;
    expect(day1.feeds.map((f) => f.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'deferred']);
    expect(day1.stats.feedsDeferred).toBe(1);
    expect(day1.stories.map((s) => s.title)).not.toContain('Library opens late from next month');
    const deferred = await getJson<{ feeds: string[] }>(bucket, 'state/feeds/deferred.json');
    expect(deferred?.feeds).toHaveLength(1);
    expect(site.requests.map((r) => r.path)).toEqual(['/world.xml', '/news/timetable/']);

    // The next day: the deferred feed goes first in its shard, and its story is in that digest.
    site.requests.length = 0;
    const second = await execute(bucket, { date: '2026-12-04' }, 'exec-time-2');
    expect(second.error).toBeUndefined();
    expect(site.requests[0].path).toBe('/city.xml');
    const day2 = (await getJson<Digest>(bucket, 'site/2026/12/04/digest.json'))!;
    expect(day2.stories.map((s) => s.title)).toContain('Library opens late from next month');
    expect((await getJson<{ feeds: string[] }>(bucket, 'state/feeds/deferred.json'))?.feeds).toEqual([]);
  }, 120_000);

  test('a step that fails goes to RecordFailure, which writes the state and fails the execution', async () => {
    const bucket = await freshBucket();
    await expect(execute(bucket, { date: 'not-a-date' }, 'exec-bad-1')).rejects.toThrow(/See state\/runs\/failures\//);
    // aws-local-stepfunctions 3.0 drops the backslashes States.JsonToString should keep (the Cause is itself
    // JSON, so its quotes are escaped in AWS), which leaves the Body unparseable here: read it as text.
    const res = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'state/runs/failures/exec-bad-1.json' }));
    const body = await res.Body!.transformToString('utf8');
    expect(body).toContain('"Error":"InvalidEventError"');
    expect(body).toContain('date must be YYYY-MM-DD');
  }, 60_000);
});
