/**
 * The README's promises, tried as an operator would with real processes and servers: two
 * `rss-digest run`s of one day at once (filesystem and S3 stores) mail each subscriber once; a
 * day every feed is down keeps the last edition and exits 3; feed credentials never reach the
 * site, the mail or the terminal.
 */
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FsStore, S3Store, type Store } from '../../src/store';
import { subscriberIdFor, writeSubscriber } from '../../src/subscriptions';
import { startLocalSmtp, type LocalSmtp } from '../email/local-smtp';
import { paragraphsAbout, startNewsServer, type NewsServer } from '../helpers/news-server';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { runCli, type CliResult } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const SECRET = 'promises-token-secret-'.repeat(2);
const SUBSCRIBERS = ['ann@example.org', 'bob@example.org', 'cy@example.org'];
const today = new Date().toISOString().slice(0, 10);
const dayAfter = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCli(args, { RSS_DIGEST_TOKEN_SECRET: SECRET, ...env }, 90_000);

async function addSubscribers(store: Store): Promise<void> {
  for (const address of SUBSCRIBERS) {
    await writeSubscriber(store, {
      version: 1,
      id: subscriberIdFor(Buffer.from(SECRET), address),
      address,
      status: 'confirmed',
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
      confirmationsSent: 1,
    });
  }
}

const yamlList = (lines: string[]): string => lines.join('\n') + '\n';

function configYaml(news: NewsServer, smtp: LocalSmtp | undefined, extra: string[] = []): string {
  return yamlList([
    'digest:',
    '  title: Promises',
    // The fixture items carry fixed dates.
    '  maxAgeHours: 0',
    'site:',
    '  url: https://digest.example.org/',
    'network:',
    `  allowHosts: ["${news.hostPort}"]`,
    ...(smtp ? ['email:', '  transport: smtp', '  smtp:', `    host: ${smtp.host}`, `    port: ${smtp.port}`] : []),
    ...extra,
  ]);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(p);
    }
  };
  await walk(dir);
  return out;
}

describe('two runs of the same day at once', () => {
  let news: NewsServer;
  let smtp: LocalSmtp;
  let dir: string;
  let s3: LocalS3 | undefined;
  beforeEach(async () => {
    news = await startNewsServer([
      {
        path: '/world.xml',
        title: 'World Desk',
        items: [
          { slug: 'bridge', title: 'Harbor bridge reopens', paragraphs: paragraphsAbout('The bridge reopening') },
          { slug: 'budget', title: 'Council passes the budget', paragraphs: paragraphsAbout('The new budget') },
        ],
        // Slow enough that the two processes overlap.
        delayMs: 400,
      },
    ]);
    smtp = await startLocalSmtp();
    dir = await tempDir('promises-cli-');
  });
  afterEach(async () => {
    await news.close();
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await s3?.close();
  });

  const twoRunsMailEachSubscriberOnce = async (store: Store, storeYaml: string[], env: NodeJS.ProcessEnv): Promise<void> => {
    await addSubscribers(store);
    const config = path.join(dir, 'digest.yaml');
    await writeFile(config, configYaml(news, smtp, [...storeYaml, 'feeds:', `  - url: ${news.base}/world.xml`]));
    const out = path.join(dir, 'out');
    const [a, b] = await Promise.all([
      cli(['run', '--config', config, '--out', out], env),
      cli(['run', '--config', config, '--out', out], env),
    ]);
    for (const r of [a, b]) {
      expect([0, 4]).toContain(r.code);
      if (r.code === 4) expect(r.stderr).toMatch(/Another run of \d{4}-\d{2}-\d{2} is in progress/);
    }
    expect([a.code, b.code]).toContain(0);
    // A third run of the day afterwards is an idempotent re-run: still nobody mailed twice.
    expect((await cli(['run', '--config', config, '--out', out], env)).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const recipients = smtp.messages.flatMap((m) => m.to).sort();
    expect(recipients).toEqual([...SUBSCRIBERS].sort());
  };

  it('on the filesystem store, mail each subscriber exactly once', async () => {
    await twoRunsMailEachSubscriberOnce(new FsStore(path.join(dir, 'out')), [], {});
  });

  it('on an S3 store, mail each subscriber exactly once', async () => {
    s3 ??= await startLocalS3();
    const bucket = `promises-${Date.now()}`;
    await s3.createBucket(bucket);
    await twoRunsMailEachSubscriberOnce(
      new S3Store({ bucket, client: s3.client }),
      [
        'store:',
        '  kind: s3',
        `  bucket: ${bucket}`,
        `  endpoint: ${s3.endpoint}`,
        '  forcePathStyle: true',
        '  region: us-east-1',
      ],
      { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    );
  });
});

describe('a day every feed is down', () => {
  let news: NewsServer;
  let smtp: LocalSmtp;
  let dir: string;
  beforeAll(async () => {
    news = await startNewsServer([
      {
        path: '/world.xml',
        title: 'World Desk',
        items: [{ slug: 'bridge', title: 'Harbor bridge reopens', paragraphs: paragraphsAbout('The bridge reopening') }],
      },
      {
        path: '/city.xml',
        title: 'City Desk',
        items: [{ slug: 'budget', title: 'Council passes the budget', paragraphs: paragraphsAbout('The new budget') }],
      },
    ]);
    smtp = await startLocalSmtp();
    dir = await tempDir('outage-cli-');
  });
  afterAll(async () => {
    await news.close();
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the last edition on the front page with a notice, adds nothing to the feeds or archive, mails nobody and exits 3', async () => {
    const out = path.join(dir, 'out');
    await addSubscribers(new FsStore(out));
    const config = path.join(dir, 'digest.yaml');
    await writeFile(
      config,
      configYaml(news, smtp, ['feeds:', `  - url: ${news.base}/world.xml`, `  - url: ${news.base}/city.xml`]),
    );
    const site = (...p: string[]): string => path.join(out, 'site', ...p);
    const day1 = today;
    const good = await cli(['run', '--config', config, '--out', out, '--date', day1]);
    expect(good.code).toBe(0);
    await smtp.waitFor(3);
    const before = {
      atom: await readFile(site('feed.xml'), 'utf8'),
      json: await readFile(site('feed.json'), 'utf8'),
      archive: await readFile(site('archive.html'), 'utf8'),
    };

    news.down = true;
    news.feeds[0].items.push({ slug: 'storm', title: 'Storm closes the port', paragraphs: paragraphsAbout('The storm') });
    const day2 = dayAfter(day1, 1);
    const outage = await cli(['run', '--config', config, '--out', out, '--date', day2]);
    expect(outage.code).toBe(3);
    expect(outage.stdout).toMatch(new RegExp(`Digest ${day2}: NOT PUBLISHED: all 2 feeds failed`));
    expect(outage.stdout).toContain('http-5xx');

    const index = await readFile(site('index.html'), 'utf8');
    const weekday = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long' }).format(new Date(`${day1}T12:00:00Z`));
    expect(index).toMatch(
      new RegExp(`class="notice" role="status">Feeds could not be reached at \\d\\d:\\d\\d; this is ${weekday}&#39;s digest\\.`),
    );
    expect(index).toContain('Harbor bridge reopens');
    expect(index).not.toContain('No new stories today');
    expect(await readFile(site('feed.xml'), 'utf8')).toBe(before.atom);
    expect(await readFile(site('feed.json'), 'utf8')).toBe(before.json);
    expect(await readFile(site('archive.html'), 'utf8')).toBe(before.archive);
    await expect(stat(site(...day2.split('-')))).rejects.toMatchObject({ code: 'ENOENT' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.messages).toHaveLength(3);

    // The feeds come back with nothing new: a quiet day is published as such, exits 0 and mails nobody.
    news.down = false;
    news.feeds[0].items.pop();
    const day3 = dayAfter(day1, 2);
    const quiet = await cli(['run', '--config', config, '--out', out, '--date', day3]);
    expect(quiet.code).toBe(0);
    const quietIndex = await readFile(site('index.html'), 'utf8');
    expect(quietIndex).toContain('No new stories today.');
    expect(quietIndex).not.toContain('class="notice"');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.messages).toHaveLength(3);
  });
});

describe('feeds with credentials in their URLs', () => {
  const SECRETS = ['S3cretPass!', 'S3cretPass%21', 'SECRETTOKEN123', 'EnvPassw0rd', 'SECRETKEY456'];
  let news: NewsServer;
  let dir: string;
  beforeAll(async () => {
    news = await startNewsServer([
      {
        path: '/private.xml',
        title: 'Members Desk',
        basicAuth: { username: 'reader', password: 'S3cretPass!' },
        items: [{ slug: 'members', title: 'Members meeting moves online', paragraphs: paragraphsAbout('The meeting') }],
      },
      {
        path: '/env.xml',
        title: 'Env Desk',
        basicAuth: { username: 'envreader', password: 'EnvPassw0rd' },
        items: [{ slug: 'env', title: 'Ferry timetable changes', paragraphs: paragraphsAbout('The timetable') }],
      },
      {
        path: '/keyed.xml',
        title: 'Keyed Desk',
        token: 'SECRETTOKEN123',
        items: [{ slug: 'keyed', title: 'Library extends its hours', paragraphs: paragraphsAbout('The library') }],
      },
    ]);
    dir = await tempDir('secrets-cli-');
  });
  afterAll(async () => {
    await news.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('fetches them with their credentials, and no secret reaches site/, the mail or the terminal', async () => {
    const out = path.join(dir, 'out');
    await addSubscribers(new FsStore(out));
    const config = path.join(dir, 'digest.yaml');
    const host = news.hostPort;
    await writeFile(
      config,
      configYaml(news, undefined, [
        'feeds:',
        `  - url: http://reader:S3cretPass%21@${host}/private.xml`,
        `  - url: http://${host}/env.xml`,
        '    auth: { username: envreader, passwordEnv: ENV_DESK_PASSWORD }',
        `  - url: http://${host}/keyed.xml?token=SECRETTOKEN123`,
        `  - url: http://${host}/missing.xml?api_key=SECRETKEY456`,
        `  - url: http://${host}/env.xml?edition=2`,
        '    auth: { username: envreader, passwordEnv: UNSET_DESK_PASSWORD }',
      ]),
    );
    const res = await cli(['run', '--config', config, '--out', out], { ENV_DESK_PASSWORD: 'EnvPassw0rd' });
    expect(res.code).toBe(0);

    const digest = JSON.parse(await readFile(path.join(out, 'site', ...today.split('-'), 'digest.json'), 'utf8'));
    expect(digest.stories.map((s: { title: string }) => s.title).sort()).toEqual([
      'Ferry timetable changes',
      'Library extends its hours',
      'Members meeting moves online',
    ]);
    const byName = Object.fromEntries(digest.feeds.map((f: { name: string }) => [f.name, f]));
    expect(byName['Keyed Desk'].url).toBe(`http://${host}/keyed.xml?token=***`);
    expect(byName['Members Desk'].url).toBe(`http://${host}/private.xml`);
    expect(byName[`${host}/missing.xml`]).toMatchObject({ status: 'error', errorClass: 'http-4xx' });
    expect(byName[`${host}/env.xml`]).toMatchObject({ status: 'error', errorClass: 'auth' });
    expect(byName[`${host}/env.xml`].error).toContain('UNSET_DESK_PASSWORD');
    // The credentials went to the server, in the Authorization header only.
    expect(news.requests.filter((r) => r.path === '/private.xml').map((r) => r.authorization)).toEqual([
      `Basic ${Buffer.from('reader:S3cretPass!').toString('base64')}`,
    ]);

    const files = [...(await filesUnder(path.join(out, 'site'))), ...(await filesUnder(path.join(out, 'outbox')))];
    expect(files.some((f) => f.endsWith('.eml'))).toBe(true);
    const texts = [res.stdout, res.stderr, ...(await Promise.all(files.map((f) => readFile(f, 'latin1'))))];
    for (const secret of SECRETS) {
      for (const text of texts) expect(text.includes(secret)).toBe(false);
    }
    expect(res.stdout).toMatch(/✗ feed \S+\/missing\.xml <http:\/\/\S+\/missing\.xml\?api_key=\*\*\*>: http-4xx/);
  });
});
