/**
 * End to end, with real components only: the `rss-digest serve` process, a real SMTP server
 * (smtp-server), a local feed server, and the `rss-digest run` CLI process.
 *
 * subscribe → confirmation mail → confirm → run mails a multipart/alternative digest with both
 * unsubscribe headers and the Arabic story right-to-left → one-click unsubscribe → the next
 * run mails that address nothing (while another confirmed subscriber still gets it). The serve
 * process and the first run are real CLI processes; the second run calls runDigest in-process.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleParser, type ParsedMail } from 'mailparser';
import { loadConfigFile } from '../../src/config';
import { createDigestDeliverer } from '../../src/delivery';
import { runDigest } from '../../src/pipeline';
import { FsStore } from '../../src/store';
import { seedArticle } from '../helpers/seed';
import { tempDir } from '../helpers/tmp';
import { startLocalSmtp, type LocalSmtp } from './local-smtp';

const run = promisify(execFile);
const BIN = path.join(__dirname, '..', '..', 'bin', 'rss-digest.js');
const esc = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

interface FixtureItem {
  slug: string;
  title: string;
  paragraphs: string[];
}

/** Two feeds (English, Arabic) and their article pages; items can be added between runs. */
async function startFeedServer(): Promise<{
  hostPort: string;
  base: string;
  feeds: Record<'en' | 'ar', FixtureItem[]>;
  close(): Promise<void>;
}> {
  const feeds: Record<'en' | 'ar', FixtureItem[]> = { en: [], ar: [] };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const base = `http://${req.headers.host}`;
    const lang = url.pathname.startsWith('/ar/') ? 'ar' : 'en';
    if (url.pathname === `/${lang}/feed.xml`) {
      const items = feeds[lang]
        .map(
          (
            it,
          ) => `<item><title>${esc(it.title)}</title><link>${base}/${lang}/${it.slug}/</link><guid>${base}/${lang}/${it.slug}/</guid>
<pubDate>${new Date(Date.now() - 3_600_000).toUTCString()}</pubDate><description>${esc(it.paragraphs[0])}</description></item>`,
        )
        .join('\n');
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
      res.end(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${lang === 'ar' ? 'أخبار' : 'Harbor News'}</title>
<link>${base}/${lang}/</link><language>${lang}</language>${items}</channel></rss>`);
      return;
    }
    const item = feeds[lang].find((it) => url.pathname === `/${lang}/${it.slug}/`);
    if (!item) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}"><head><meta charset="utf-8"><title>${esc(item.title)}</title></head>
<body><header><nav><a href="/">Home</a></nav></header><main><article><h1>${esc(item.title)}</h1>
${item.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('\n')}</article></main><footer>© News</footer></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    hostPort: `127.0.0.1:${port}`,
    base: `http://127.0.0.1:${port}`,
    feeds,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const ENGLISH: FixtureItem = {
  slug: 'harbor-bridge',
  title: 'Harbor Bridge reopens to traffic after an 18-month rebuild',
  paragraphs: [
    'The city’s main bridge reopened to traffic on Monday morning after an 18-month reconstruction that replaced its deck, cables and approach ramps.',
    'The first buses crossed shortly after five in the morning, and officials said traffic moved without major delays despite a lane closure at the northern ramp.',
    'The rebuilt span adds a two-way protected bike lane separated from traffic by a concrete barrier, a widened sidewalk and a dedicated bus lane in each direction.',
    'The mayor said the project finished two months ahead of schedule and about four percent under budget, and thanked residents for their patience.',
    'Tolls will remain suspended until the end of the month, after which the standard rate for cars returns. Cyclists and pedestrians cross for free.',
  ],
};

function startServe(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = out.match(/at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], stderr: () => err });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${err}`));
    });
  });
}

const cli = async (args: string[]): Promise<{ stdout: string; stderr: string }> =>
  run(process.execPath, [BIN, ...args], { env: { ...process.env, CI: 'true' }, timeout: 60_000 });

const headerLine = (mail: ParsedMail, key: string): string =>
  (mail.headerLines.find((h) => h.key === key)?.line ?? '').replace(/\r?\n[ \t]+/g, ' ');

describe('subscribing by email, end to end', () => {
  let dir: string;
  let smtp: LocalSmtp;
  let feeds: Awaited<ReturnType<typeof startFeedServer>>;
  let serve: Awaited<ReturnType<typeof startServe>> | undefined;

  beforeAll(async () => {
    dir = await tempDir('subscribe-e2e-');
    smtp = await startLocalSmtp();
    feeds = await startFeedServer();
  });
  afterAll(async () => {
    if (serve && serve.child.exitCode === null) {
      const exited = new Promise((resolve) => serve!.child.once('exit', resolve));
      serve.child.kill('SIGTERM');
      await exited;
    }
    await smtp.close();
    await feeds.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('subscribe, confirm, receive the digest, unsubscribe in one click, receive nothing more', async () => {
    const out = path.join(dir, 'out');
    const feedConfig = [
      'feeds:',
      `  - url: ${feeds.base}/en/feed.xml`,
      '    name: Harbor News',
      `  - url: ${feeds.base}/ar/feed.xml`,
      '    name: أخبار',
    ];
    const mailConfig = [
      'email:',
      '  from: "Harbor Digest <digest@example.org>"',
      '  transport: smtp',
      '  smtp:',
      `    host: ${smtp.host}`,
      `    port: ${smtp.port}`,
    ];
    const serveConfig = path.join(dir, 'serve.yaml');
    await writeFile(serveConfig, ['digest:', '  title: Harbor Digest', ...feedConfig, ...mailConfig].join('\n') + '\n');
    serve = await startServe(['--config', serveConfig, '--out', out, '--port', '0']);
    const api = `${serve.url}/api`;
    const subscribe = (email: string) =>
      fetch(`${api}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email }),
      });
    const records = async () => {
      const names = await readdir(path.join(out, 'state', 'subscribers')).catch(() => [] as string[]);
      return Promise.all(names.sort().map(async (n) => readFile(path.join(out, 'state', 'subscribers', n), 'utf8')));
    };

    // Subscribe: a form post, answered with a page; the confirmation mail arrives over SMTP.
    const res = await subscribe('Reader@Example.org');
    expect(res.status).toBe(202);
    expect(await res.text()).toContain('Check your inbox');
    const [confirmation] = await smtp.waitFor(1);
    expect(confirmation.to).toEqual(['Reader@example.org']);
    const confirmMail = await simpleParser(confirmation.raw);
    const confirmUrl = (confirmMail.text ?? '').match(/http:\/\/127\.0\.0\.1:\d+\/api\/confirm\?token=[\w.-]+/)?.[0];
    expect(confirmUrl?.startsWith(`${api}/confirm?token=`)).toBe(true);

    // Bad, oversized, injecting and repeated requests: clear 4xx, no mail, no record change.
    const before = await records();
    const refusals = await Promise.all([
      subscribe('not an address'),
      subscribe('victim@example.org\r\nBcc: everyone@example.org'),
      fetch(`${api}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `email=a%40example.org&x=${'y'.repeat(20_000)}`,
      }),
      subscribe('reader@example.org'),
      fetch(`${api}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: '{"email": 5}',
      }),
    ]);
    expect(refusals.map((r) => r.status)).toEqual([400, 400, 413, 429, 400]);
    expect(await refusals[4].json()).toMatchObject({ ok: false, code: 'invalid-address' });
    expect(await records()).toEqual(before);

    // Following the link shows a button and changes nothing (mail gateways' link scanners follow links);
    // submitting its form, as a browser would, confirms.
    const prompt = await fetch(confirmUrl!);
    expect(prompt.status).toBe(200);
    const confirmAction = /<form method="post" action="([^"]+)">/.exec(await prompt.text())?.[1];
    expect(confirmAction).toBeDefined();
    expect(JSON.parse((await records())[0])).toMatchObject({ status: 'pending' });
    const confirmed = await fetch(new URL(confirmAction!.replace(/&amp;/g, '&'), confirmUrl!), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('You are subscribed');
    expect(JSON.parse((await records())[0])).toMatchObject({ status: 'confirmed' });
    expect(smtp.messages).toHaveLength(1);

    // A day's run mails the digest.
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const arabic = seedArticle();
    feeds.feeds.en.push(ENGLISH);
    feeds.feeds.ar.push({ slug: 'defense-deal', title: arabic.headline, paragraphs: [arabic.standfirst, ...arabic.body] });
    const runConfig = path.join(dir, 'run.yaml');
    await writeFile(
      runConfig,
      [
        'digest:',
        '  title: Harbor Digest',
        '  timezone: UTC',
        'site:',
        `  url: ${serve.url}`,
        'network:',
        `  allowHosts: ["${feeds.hostPort}"]`,
        ...feedConfig,
        ...mailConfig,
      ].join('\n') + '\n',
    );
    const first = await cli(['run', '--config', runConfig, '--out', out, '--date', today]);
    expect(first.stdout).toMatch(/mail: 1 sent, 0 failed, 0 skipped/);
    const [, digestMessage] = await smtp.waitFor(2);
    expect(digestMessage.to).toEqual(['Reader@example.org']);
    const mail = await simpleParser(digestMessage.raw);
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(mail.text).toContain(ENGLISH.title);
    expect(mail.text).toContain(arabic.headline);
    expect(mail.html).toBeTruthy();
    expect(mail.subject).toMatch(/^Harbor Digest — .*2\d{3}: /);
    // The Arabic story's own block is right-to-left.
    const arabicBlock = (mail.html as string).match(/<td[^>]*lang="ar"[^>]*>[\s\S]*?<\/td>/)?.[0] ?? '';
    expect(arabicBlock).toMatch(/dir="rtl"/);
    expect(arabicBlock).toContain(arabic.headline);
    expect(mail.html).toContain(`${serve.url}/${today.replace(/-/g, '/')}/`);
    // Both unsubscribe headers; the https one is this server's one-click endpoint.
    expect(headerLine(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const listUnsubscribe = headerLine(mail, 'list-unsubscribe');
    expect(listUnsubscribe).toMatch(/<mailto:digest@example\.org\?subject=unsubscribe[^>]*>/);
    const oneClickUrl = listUnsubscribe.match(/<(http:\/\/127\.0\.0\.1:\d+\/api\/unsubscribe\?token=[\w.-]+)>/)?.[1];
    expect(oneClickUrl).toBeDefined();
    expect(mail.html).toContain(oneClickUrl);

    // A second subscriber joins through the form on the published page, so the next run has someone to mail.
    const page = await (await fetch(`${serve.url}/`)).text();
    const action = page.match(/<form[^>]*\baction="([^"]*\/subscribe)"/)?.[1];
    expect(action).toBe(`${api}/subscribe`);
    const viaForm = await fetch(action!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=second%40example.org',
    });
    expect(viaForm.status).toBe(202);
    const secondConfirm = await simpleParser((await smtp.waitFor(3))[2].raw);
    const secondUrl = (secondConfirm.text ?? '').match(/http:\/\/\S+\/api\/confirm\?token=[\w.-]+/)?.[0];
    expect((await fetch(secondUrl!, { method: 'POST' })).status).toBe(200);

    // RFC 8058 one-click: a POST with the marker body, no cookies, no page.
    const unsubscribed = await fetch(oneClickUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribed.status).toBe(200);
    const states = (await records()).map((r) => JSON.parse(r) as { status: string; address?: string });
    expect(states.map((s) => s.status).sort()).toEqual(['confirmed', 'unsubscribed']);
    expect(states.find((s) => s.status === 'unsubscribed')?.address).toBeUndefined();

    // The next day's run (in-process this time, to keep the test quick) mails the second subscriber only.
    feeds.feeds.en.push({
      slug: 'ferry-timetable',
      title: 'Ferry timetable changes for the winter season',
      paragraphs: [
        'The harbour ferries will run every forty minutes instead of every half hour from the first Sunday of November, the port authority said on Tuesday.',
        'The last evening crossing to the islands moves from eleven to ten o’clock, and the early boat for commuters keeps its six-fifteen departure.',
        'Season tickets bought before the change stay valid, and the authority said fares would not rise before the spring timetable in April.',
      ],
    });
    const config = await loadConfigFile(runConfig);
    const store = new FsStore(out);
    const second = await runDigest({
      config,
      store,
      date: tomorrow,
      deliver: createDigestDeliverer({ config, store, outDir: out }),
    });
    expect(second.publish.delivery).toMatchObject({ attempted: 1, sent: 1, failed: 0, skipped: 0 });
    const all = await smtp.waitFor(4);
    expect(all).toHaveLength(4);
    expect(all[3].to).toEqual(['second@example.org']);
    expect(all.filter((m) => m.to.includes('Reader@example.org'))).toHaveLength(2);
    expect(serve.stderr()).toBe('');
  }, 90_000);
});
