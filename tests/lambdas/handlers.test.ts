/**
 * The deployed handlers, end to end and as shipped: each handler is bundled exactly as the stack
 * bundles it (lib/handlers.ts), with the configuration file beside it, and invoked in a fresh Node
 * process (as a Lambda cold start would) with a realistic event, against a real S3-compatible
 * server (s3rver) and a local feed/article server on 127.0.0.1.
 *
 * The server answers like Amazon S3 to a least-privilege role (a GET of a missing key is 403
 * AccessDenied) and logs each request as the IAM action it needs: every request a handler makes is
 * held against the permissions the stack derives from STORE_ACCESS. The handlers run as bundles in
 * child processes, so their store calls are seen where IAM sees them, on the wire.
 */
import { GetObjectCommand, ListObjectsCommand } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import {
  BUNDLED_CONFIG_FILE,
  DEPLOY_ENV,
  DIGEST_PUBLISHED_METRIC,
  serializeDeployedConfig,
  STORE_ACCESS,
  type StoreAccess,
} from '../../lambdas/environment';
import { copySidePackages, esbuildOptionsFor, type HandlerName } from '../../lib/handlers';
import { storePermissions, type StoreAction } from '../../lib/store-grants';
import { parseConfig } from '../../src/config';
import type { Digest } from '../../src/types';
import { startChatCompletionsServer, type ChatCompletionsServer } from '../helpers/chat-completions-server';
import { startLocalS3, type LocalS3, type S3Operation } from '../helpers/s3';
import { tempDir } from '../helpers/tmp';

const run = promisify(execFile);
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'lambdas');
const BUCKET = 'digest-lambda-test';
const METRICS_NAMESPACE = 'RssDigest/Test';

let s3: LocalS3;
let site: http.Server;
let base: string;
let workDir: string;
let model: ChatCompletionsServer;
/** The summarize function's configuration with an OpenAI-compatible model on 127.0.0.1. */
let openAiConfigFile: string;
const OPENAI_KEY = 'sk-deployed-key-must-not-be-logged-5e1d';
const bundles: Partial<Record<HandlerName, string>> = {};
/** SES v2 on 127.0.0.1 (the SDK's AWS_ENDPOINT_URL_SESV2): records each raw mail, rejects addresses with "reject". */
let ses: http.Server;
let sesUrl: string;
const sesMails: { to: string; raw: Buffer }[] = [];
const TOKEN_SECRET = 'handler-test-token-secret-'.repeat(3);
/** What the stack adds to a mailing function's environment (the secret by value here, not its Secrets Manager id). */
const mailEnv = (): Record<string, string> => ({
  [DEPLOY_ENV.sesConfigurationSet]: 'rss-digest-test',
  RSS_DIGEST_TOKEN_SECRET: TOKEN_SECRET,
  AWS_ENDPOINT_URL_SESV2: sesUrl,
});

interface Invocation<T> {
  result?: T;
  error?: { name: string; message: string };
  stdout: string[];
  /** The S3 requests the handler made, in order. */
  operations: S3Operation[];
}

/** Invoke a bundled handler in a fresh Node process with the environment the stack sets. */
async function invoke<T>(name: HandlerName, event: unknown, extraEnv: Record<string, string> = {}): Promise<Invocation<T>> {
  const script = `
    const { handler } = require(${JSON.stringify(bundles[name])});
    handler(JSON.parse(process.env.TEST_EVENT)).then(
      (r) => process.stdout.write('\\n@@RESULT ' + JSON.stringify(r) + '\\n'),
      (e) => process.stdout.write('\\n@@ERROR ' + JSON.stringify({ name: e.name, message: e.message }) + '\\n'),
    );`;
  const firstOperation = s3.operations.length;
  const { stdout } = await run(process.execPath, ['--enable-source-maps', '-e', script], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_EC2_METADATA_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_SERVICE_NAME: `rss-digest-${name}`,
      [DEPLOY_ENV.bucket]: BUCKET,
      [DEPLOY_ENV.siteUrl]: 'https://digest.example.test',
      [DEPLOY_ENV.metricsNamespace]: METRICS_NAMESPACE,
      TEST_EVENT: JSON.stringify(event),
      ...extraEnv,
    },
    maxBuffer: 32 * 1024 * 1024,
  });
  const lines = stdout.split('\n').filter(Boolean);
  const marker = (prefix: string): string | undefined => lines.find((l) => l.startsWith(prefix))?.slice(prefix.length);
  const result = marker('@@RESULT ');
  const error = marker('@@ERROR ');
  return {
    result: result ? (JSON.parse(result) as T) : undefined,
    error: error ? (JSON.parse(error) as Invocation<T>['error']) : undefined,
    stdout: lines.filter((l) => !l.startsWith('@@')),
    operations: s3.operations.slice(firstOperation),
  };
}

const jsonLines = (lines: string[]): Record<string, unknown>[] =>
  lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

async function allKeys(): Promise<string[]> {
  const listed = await s3.client.send(new ListObjectsCommand({ Bucket: BUCKET }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

/** One function's accesses together (summarize with mail has two). */
const together = (...accesses: StoreAccess[]): StoreAccess => ({
  get: accesses.flatMap((a) => a.get),
  put: accesses.flatMap((a) => a.put),
  delete: accesses.flatMap((a) => a.delete),
  list: accesses.flatMap((a) => a.list),
});

/** "action prefix" for each permission the stack grants a function with these accesses. */
const granted = (...accesses: StoreAccess[]): string[] => [
  ...new Set(
    Object.entries(storePermissions(together(...accesses)))
      .flatMap(([action, prefixes]) => prefixes.map((p) => `${action} ${p}`))
      .sort(),
  ),
];

/**
 * A run's S3 requests against the grants: `outside` lists each request no grant allows (it would be
 * AccessDenied in AWS); `used` each permission ("action prefix") some request needed.
 */
function againstGrants(operations: S3Operation[], ...accesses: StoreAccess[]): { outside: string[]; used: string[] } {
  const permissions = storePermissions(together(...accesses));
  const outside: string[] = [];
  const used = new Set<string>();
  for (const op of operations) {
    const prefix = op.action === 'other' ? undefined : permissions[op.action as StoreAction].find((p) => op.key.startsWith(p));
    if (prefix === undefined) outside.push(`${op.action} ${op.key}`);
    else used.add(`${op.action} ${prefix}`);
  }
  return { outside, used: [...used].sort() };
}

/** An HTTP API (payload v2) request to the subscribe function, as API Gateway delivers a form post or a link. */
const apiEvent = (method: string, rawPath: string, options: { query?: string; form?: string; sourceIp?: string } = {}) => ({
  version: '2.0',
  routeKey: `${method} ${rawPath}`,
  rawPath,
  rawQueryString: options.query ?? '',
  headers: {
    host: 'abc.execute-api.eu-west-1.amazonaws.com',
    ...(options.form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
  },
  requestContext: {
    http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: options.sourceIp ?? '192.0.2.1', userAgent: 'test' },
  },
  body: options.form === undefined ? undefined : Buffer.from(options.form).toString('base64'),
  isBase64Encoded: options.form !== undefined,
});

let keysAfterFetch: string[] = [];
/** Permissions the summarize runs needed so far. */
const summarizeUsed: string[] = [];

async function getObject(key: string): Promise<string | undefined> {
  try {
    const res = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return await res.Body?.transformToString('utf8');
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  // As Amazon S3 answers a role whose ListBucket may not count for a GET: missing keys are 403s.
  s3 = await startLocalS3({ denials: { missingGets: true }, recordOperations: true });
  await s3.createBucket(BUCKET);

  ses = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
        Destination?: { ToAddresses?: string[] };
        Content?: { Raw?: { Data?: string } };
      };
      const to = body.Destination?.ToAddresses?.[0] ?? '';
      if (req.method !== 'POST' || req.url !== '/v2/email/outbound-emails' || to.includes('reject')) {
        res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'MessageRejected' });
        res.end(JSON.stringify({ message: `rejected ${to}` }));
        return;
      }
      sesMails.push({ to, raw: Buffer.from(body.Content?.Raw?.Data ?? '', 'base64') });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ MessageId: `m-${sesMails.length}` }));
    });
  });
  await new Promise<void>((resolve) => ses.listen(0, '127.0.0.1', resolve));
  sesUrl = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;

  site = http.createServer((req, res) => {
    const routes: Record<string, [string, string]> = {
      '/feed.xml': ['feed.xml', 'application/rss+xml; charset=utf-8'],
      '/articles/tidal.html': ['tidal.html', 'text/html; charset=utf-8'],
      '/articles/defense.html': ['defense.html', 'text/html; charset=utf-8'],
    };
    const route = routes[req.url ?? ''];
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    const body = readFileSync(path.join(FIXTURES, route[0]), 'utf8').replaceAll('{{BASE}}', base);
    res.writeHead(200, { 'content-type': route[1] }).end(body);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const port = (site.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;

  // The configuration as the stack would bundle it: validated by parseConfig, then serialized.
  const config = parseConfig({
    feeds: [{ url: `${base}/feed.xml`, name: 'Harbour Gazette', category: 'Local' }],
    digest: { title: 'Test digest', timezone: 'Europe/London', maxAgeHours: 0 },
    network: { allowHosts: [`127.0.0.1:${port}`], timeoutMs: 5000 },
    store: { kind: 's3', bucket: BUCKET, endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1' },
    email: { from: 'Test digest <digest@example.org>' },
  });
  workDir = await tempDir('rss-digest-lambdas-');
  model = await startChatCompletionsServer();
  openAiConfigFile = path.join(workDir, 'openai-config.json');
  writeFileSync(
    openAiConfigFile,
    serializeDeployedConfig(
      parseConfig({
        ...config,
        network: { ...config.network, allowHosts: [`127.0.0.1:${port}`, model.hostPort] },
        summarizer: {
          kind: 'openai',
          baseUrl: model.url,
          model: 'gpt-4o-mini',
          apiKeyEnv: 'OPENAI_API_KEY',
          maxRequestsPerRun: 10,
        },
      }),
    ),
  );
  for (const name of ['fetch', 'summarize', 'subscribe'] as const) {
    const outfile = path.join(workDir, name, 'index.js');
    mkdirSync(path.dirname(outfile), { recursive: true });
    await build(esbuildOptionsFor(name, outfile));
    copySidePackages(path.dirname(outfile));
    writeFileSync(path.join(path.dirname(outfile), BUNDLED_CONFIG_FILE), serializeDeployedConfig(config));
    bundles[name] = outfile;
  }
}, 60_000);

afterAll(async () => {
  await model?.close();
  await new Promise((resolve) => site?.close(resolve));
  await new Promise((resolve) => ses?.close(resolve));
  await s3?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('deployed handlers against s3rver and a local feed server', () => {
  // 06:00 UTC on the day the clocks go forward in London is 07:00 local: the schedule's instant.
  const scheduledTime = '2026-03-29T06:00:00Z';

  test("fetch: a scheduler event files the feed's new articles under the scheduled day", async () => {
    const out = await invoke<{ date: string; stats: Record<string, number> }>('fetch', { scheduledTime });
    expect(out.error).toBeUndefined();
    expect(out.result?.date).toBe('2026-03-29');
    expect(out.result?.stats).toMatchObject({ feedsOk: 1, feedsFailed: 0, itemsNew: 2 });

    const listed = await s3.client.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'state/articles/2026/03/29/' }));
    const records = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('.json'));
    expect(records).toHaveLength(2);
    const fetchReport = JSON.parse((await getObject('state/runs/2026-03-29/fetch.json'))!);
    expect(fetchReport).toMatchObject({ date: '2026-03-29', stats: { feedsOk: 1, feedsFailed: 0, itemsNew: 2 } });
    expect(fetchReport.feeds).toHaveLength(1);
    // Every request the run made, reads and listings included, is one the stack grants; and it
    // needed every permission the stack grants (a missing key's 403 settled by listing it).
    const checked = againstGrants(out.operations, STORE_ACCESS.fetch);
    expect(checked.outside).toEqual([]);
    expect(checked.used).toEqual(granted(STORE_ACCESS.fetch));
    keysAfterFetch = await allKeys();

    // Structured JSON logs (Powertools) carrying the service name.
    const logs = jsonLines(out.stdout);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: 'fetch stage done', service: 'rss-digest-fetch' }),
    );
  }, 30_000);

  test('summarize: the fetch output publishes digest.json to site/ and counts a published digest', async () => {
    const out = await invoke<{ date: string; stories: number; published: number }>('summarize', {
      date: '2026-03-29',
      stats: {},
    });
    expect(out.error).toBeUndefined();
    expect(out.result).toMatchObject({ date: '2026-03-29', stories: 2 });
    expect(out.result?.published).toBeGreaterThanOrEqual(3);

    const digest = JSON.parse((await getObject('site/2026/03/29/digest.json')) ?? '{}') as Digest;
    expect(digest.date).toBe('2026-03-29');
    expect(digest.stories).toHaveLength(2);
    const arabic = digest.stories.find((s) => s.url.endsWith('/articles/defense.html'));
    expect(arabic).toMatchObject({ lang: 'ar', dir: 'rtl' });
    expect(digest.stories.every((s) => s.summary.length > 0)).toBe(true);
    expect(await getObject('site/index.html')).toContain('Tidal power plant');
    const written = (await allKeys()).filter((k) => !keysAfterFetch.includes(k));
    expect(written.length).toBeGreaterThan(3);
    const checked = againstGrants(out.operations, STORE_ACCESS.summarize);
    expect(checked.outside).toEqual([]);
    summarizeUsed.push(...checked.used);

    // The embedded-metric line the "no digest today" alarm watches.
    const metric = jsonLines(out.stdout).find((l) => '_aws' in l);
    expect(metric).toMatchObject({ [DIGEST_PUBLISHED_METRIC]: 1, Stories: 2 });
    expect(JSON.stringify(metric)).toContain(METRICS_NAMESPACE);
  }, 30_000);

  test('summarize with an OpenAI-compatible model: LLM summaries, the cache under its grant, the key in no log line', async () => {
    const out = await invoke<{ date: string; stories: number }>(
      'summarize',
      { date: '2026-03-29' },
      { [DEPLOY_ENV.configFile]: openAiConfigFile, OPENAI_API_KEY: OPENAI_KEY },
    );
    expect(out.error).toBeUndefined();
    expect(model.requests).toHaveLength(2);
    expect(model.requests.every((r) => r.headers.authorization === `Bearer ${OPENAI_KEY}`)).toBe(true);
    const digest = JSON.parse((await getObject('site/2026/03/29/digest.json')) ?? '{}') as Digest;
    expect(digest.stories.map((s) => s.summaryKind)).toEqual(['openai', 'openai']);
    const keys = await allKeys();
    expect(keys.filter((k) => k.startsWith('state/summaries/'))).toHaveLength(2);
    const checked = againstGrants(out.operations, STORE_ACCESS.summarize);
    expect(checked.outside).toEqual([]);
    summarizeUsed.push(...checked.used);
    const done = jsonLines(out.stdout).find((l) => l.message === 'publish stage done');
    expect(done).toMatchObject({ usage: { requests: 2, cached: 0 } });
    expect(out.stdout.join('\n')).not.toContain(OPENAI_KEY);
  }, 30_000);

  test('summarize of a day nothing was fetched for: a quiet day, every missing key settled as missing, within the grants', async () => {
    // No lease, no fetch report, no records: each GET is a 403 that only a granted listing settles.
    const out = await invoke<{ date: string; stories: number }>('summarize', { date: '2026-03-22' });
    expect(out.error).toBeUndefined();
    expect(out.result).toMatchObject({ date: '2026-03-22', stories: 0 });
    const checked = againstGrants(out.operations, STORE_ACCESS.summarize);
    expect(checked.outside).toEqual([]);
    // The day's runs so far (extractive, with the LLM cache, from nothing) needed every permission granted.
    expect([...new Set([...summarizeUsed, ...checked.used])].sort()).toEqual(granted(STORE_ACCESS.summarize));
  }, 30_000);

  test('subscribe: sign-up, confirmation and a rejected mail undone, every request within its grants and each grant needed', async () => {
    type Response = { statusCode: number; body: string };
    const operations: S3Operation[] = [];
    const call = async (event: unknown): Promise<Response> => {
      const out = await invoke<Response>('subscribe', event, mailEnv());
      expect(out.error).toBeUndefined();
      operations.push(...out.operations);
      return out.result!;
    };
    const signup = await call(apiEvent('POST', '/api/subscribe', { form: 'email=reader%40example.org' }));
    expect(signup.statusCode).toBe(202);
    const mail = await simpleParser(sesMails.find((m) => m.to === 'reader@example.org')!.raw);
    const link = new URL((mail.text ?? '').match(/https:\/\/digest\.example\.test\/api\/confirm\?token=[\w.-]+/)![0]);
    const confirmed = await call(apiEvent('POST', link.pathname, { form: `token=${link.searchParams.get('token')}` }));
    expect([confirmed.statusCode, confirmed.body]).toEqual([200, expect.stringContaining('You are subscribed')]);

    // SES rejects the confirmation mail: the new record is deleted again, nothing is left behind.
    const before = (await allKeys()).filter((k) => k.startsWith('state/subscribers/'));
    const rejected = await call(
      apiEvent('POST', '/api/subscribe', { form: 'email=reject%40example.org', sourceIp: '192.0.2.2' }),
    );
    expect(rejected.statusCode).toBeGreaterThanOrEqual(500);
    expect((await allKeys()).filter((k) => k.startsWith('state/subscribers/'))).toEqual(before);

    const checked = againstGrants(operations, STORE_ACCESS.subscribe);
    expect(checked.outside).toEqual([]);
    expect(checked.used).toEqual(granted(STORE_ACCESS.subscribe));
  }, 60_000);

  test('summarize with SES mails the confirmed subscriber, reading subscribers within the mail grant', async () => {
    const out = await invoke<{ delivery?: { sent: number } }>('summarize', { date: '2026-03-29' }, mailEnv());
    expect(out.error).toBeUndefined();
    expect(out.result?.delivery).toMatchObject({ sent: 1 });
    expect(sesMails.filter((m) => m.to === 'reader@example.org')).toHaveLength(2);
    const checked = againstGrants(out.operations, STORE_ACCESS.summarize, STORE_ACCESS.summarizeMail);
    expect(checked.outside).toEqual([]);
    // Listing and reading subscribers, and the delivery claim under state/runs/, were needed.
    expect(checked.used).toEqual(
      expect.arrayContaining(['s3:GetObject state/subscribers/', 's3:ListBucket state/subscribers/', 's3:PutObject state/runs/']),
    );
    // Without the mail grant, those subscriber reads would be denied.
    expect(againstGrants(out.operations, STORE_ACCESS.summarize).outside).toEqual(
      expect.arrayContaining([expect.stringMatching(/^s3:GetObject state\/subscribers\//)]),
    );
  }, 60_000);

  test('the SSM client ships beside the summarize bundle, for a key kept as an SSM SecureString', async () => {
    const script = `const { GetParameterCommand } = require(require.resolve('@aws-sdk/client-ssm', { paths: [${JSON.stringify(path.dirname(bundles.summarize!))}] }));
      process.stdout.write(JSON.stringify(new GetParameterCommand({ Name: '/k', WithDecryption: true }).input));`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: workDir });
    expect(JSON.parse(stdout)).toEqual({ Name: '/k', WithDecryption: true });
  }, 30_000);

  test('a malformed event fails with a named, non-retried error', async () => {
    const summarize = await invoke('summarize', { date: '29/03/2026' });
    expect(summarize.error?.name).toBe('InvalidEventError');
    const fetch = await invoke('fetch', { scheduledTime: 'not a time' });
    expect(fetch.error?.name).toBe('InvalidEventError');
  }, 30_000);

  test('the language model shipped beside the bundle resolves from it and detects', async () => {
    const script = `const { detect } = require(require.resolve('tinyld', { paths: [${JSON.stringify(path.dirname(bundles.fetch!))}] }));
      process.stdout.write(detect('وقع البلدان يوم السبت اتفاقية دفاعية جديدة تشمل التدريب المشترك'));`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: workDir });
    expect(stdout).toBe('ar');
  }, 30_000);

  test('rss-parser ships beside the fetch bundle, so feeds parse through it in the worker', async () => {
    const script = `const Parser = require(require.resolve('rss-parser', { paths: [${JSON.stringify(path.dirname(bundles.fetch!))}] }));
      new Parser().parseString('<rss version="2.0"><channel><title>T</title><item><title>مرحبا</title><link>https://e.example/a</link></item></channel></rss>')
        .then((f) => process.stdout.write(f.items[0].title + ' ' + f.items[0].link));`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: workDir });
    expect(stdout).toBe('مرحبا https://e.example/a');
  }, 30_000);

  test('a configuration file the stack did not write is refused', async () => {
    const bogus = path.join(workDir, 'bogus.json');
    writeFileSync(bogus, JSON.stringify({ feeds: [] }));
    const out = await invoke('summarize', { date: '2026-03-29' }, { [DEPLOY_ENV.configFile]: bogus });
    expect(out.error?.name).toBe('DeployedConfigError');
  }, 30_000);
});
