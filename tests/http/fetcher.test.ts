import zlib from 'node:zlib';
import iconv from 'iconv-lite';
import { createFetcher } from '../../src/http/fetcher';
import { network, startServer, type LocalServer, fetchErrorOf } from './local-server';

const errorOf = fetchErrorOf;

describe('fetcher against a local server', () => {
  let a: LocalServer;
  let b: LocalServer; // never allow-listed: nothing may reach it
  let active = 0;
  let maxActive = 0;
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    b = await startServer((_req, res) => res.end('private data'));
    const bomb = zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x41));
    a = await startServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      if (path === '/ok') {
        res.setHeader('content-type', 'application/rss+xml; charset=utf-8');
        return res.end('<rss><channel><title>ok</title></channel></rss>');
      }
      if (path === '/cond') {
        if (req.headers['if-none-match'] === '"v1"') {
          res.statusCode = 304;
          return res.end();
        }
        res.setHeader('etag', '"v1"');
        res.setHeader('last-modified', 'Sun, 29 Nov 2026 10:00:00 GMT');
        return res.end('<rss/>');
      }
      if (path === '/arabic-by-header') {
        res.setHeader('content-type', 'application/rss+xml; charset=windows-1256');
        return res.end(iconv.encode('<rss><title>مرحبا بالعالم</title></rss>', 'windows-1256'));
      }
      if (path === '/gzip') {
        res.setHeader('content-encoding', 'gzip');
        return res.end(zlib.gzipSync('gzipped body'));
      }
      if (path === '/deflate') {
        res.setHeader('content-encoding', 'deflate');
        return res.end(zlib.deflateSync('deflated body'));
      }
      if (path === '/deflate-raw') {
        res.setHeader('content-encoding', 'deflate');
        return res.end(zlib.deflateRawSync('raw deflated body'));
      }
      if (path === '/br') {
        res.setHeader('content-encoding', 'br');
        return res.end(zlib.brotliCompressSync('brotli body'));
      }
      if (path === '/bomb') {
        res.setHeader('content-encoding', 'gzip');
        return res.end(bomb);
      }
      if (path === '/endless') {
        const chunk = Buffer.alloc(16 * 1024, 0x61);
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        return pump();
      }
      if (path === '/declared-huge') {
        res.setHeader('content-length', String(50 * 1024 * 1024));
        return res.write('x');
      }
      if (path === '/drip') {
        res.writeHead(200, { 'content-type': 'text/xml' });
        const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('<')), 200);
        res.on('close', () => clearInterval(t));
        return;
      }
      if (path === '/loop') {
        res.writeHead(302, { location: '/loop' });
        return res.end();
      }
      if (path.startsWith('/hops/')) {
        const n = Number(path.slice(6));
        res.writeHead(n > 0 ? 301 : 200, n > 0 ? { location: `/hops/${n - 1}` } : {});
        return res.end(n > 0 ? '' : 'arrived');
      }
      if (path === '/to') {
        res.writeHead(302, { location: url.searchParams.get('u') ?? '/' });
        return res.end();
      }
      if (path === '/missing') {
        res.statusCode = 404;
        return res.end('no');
      }
      if (path === '/busy') {
        res.writeHead(503, { 'retry-after': '120' });
        return res.end();
      }
      if (path === '/ua') return res.end(String(req.headers['user-agent']));
      if (path === '/episode.mp3') {
        res.setHeader('content-type', 'audio/mpeg');
        return res.end(Buffer.alloc(64 * 1024));
      }
      if (path === '/arabic') {
        res.setHeader('content-type', 'text/xml');
        return res.end(
          iconv.encode('<?xml version="1.0" encoding="windows-1256"?><rss><t>مرحبا بالعالم</t></rss>', 'windows-1256'),
        );
      }
      if (path === '/slow') {
        active++;
        maxActive = Math.max(maxActive, active);
        setTimeout(() => {
          active--;
          res.end('slow');
        }, 80);
        return;
      }
      res.statusCode = 404;
      res.end();
    });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const fetcher = (overrides = {}) => createFetcher(network({ allowHosts: [a.hostPort], ...overrides }));

  it('fetches, names itself in the User-Agent and asks for compression', async () => {
    const res = await fetcher().fetch(`${a.origin}/ua`, { kind: 'feed' });
    expect(res.text).toMatch(/^rss-digest\/\S+ \(\+https?:\/\/\S+\)$/);
    const seen = a.requests.find((r) => r.path === '/ua')!;
    expect(seen.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it.each([
    ['/gzip', 'gzipped body'],
    ['/deflate', 'deflated body'],
    ['/deflate-raw', 'raw deflated body'],
    ['/br', 'brotli body'],
  ])('decompresses %s', async (path, body) => {
    const res = await fetcher().fetch(`${a.origin}${path}`, { kind: 'page' });
    expect(res.text).toBe(body);
  });

  it('counts the byte cap after decompression (gzip bomb)', async () => {
    const err = await errorOf(fetcher().fetch(`${a.origin}/bomb`, { kind: 'feed' }));
    expect(err.errorClass).toBe('too-large');
  });

  it('cuts off an endless body at the cap', async () => {
    const err = await errorOf(fetcher().fetch(`${a.origin}/endless`, { kind: 'feed' }));
    expect(err.errorClass).toBe('too-large');
  });

  it('refuses a declared Content-Length over the cap before reading', async () => {
    const err = await errorOf(fetcher().fetch(`${a.origin}/declared-huge`, { kind: 'feed' }));
    expect(err.errorClass).toBe('too-large');
  });

  it('cuts off a slow drip at the total deadline and closes the socket', async () => {
    const closedBefore = a.closedSockets();
    const t0 = Date.now();
    const err = await errorOf(fetcher({ timeoutMs: 800 }).fetch(`${a.origin}/drip`, { kind: 'feed' }));
    const elapsed = Date.now() - t0;
    expect(err.errorClass).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(750);
    expect(elapsed).toBeLessThan(1_800); // the deadline plus a margin for a loaded test machine
    for (let i = 0; i < 50 && a.closedSockets() === closedBefore; i++) await sleep(20);
    expect(a.closedSockets()).toBeGreaterThan(closedBefore);
  });

  it('follows up to maxRedirects and fails on more (redirect loop)', async () => {
    expect((await fetcher().fetch(`${a.origin}/hops/5`, { kind: 'feed' })).text).toBe('arrived');
    expect((await fetcher().fetch(`${a.origin}/hops/5`, { kind: 'feed' })).redirects).toBe(5);
    expect((await errorOf(fetcher().fetch(`${a.origin}/hops/6`, { kind: 'feed' }))).errorClass).toBe('redirects');
    expect((await errorOf(fetcher().fetch(`${a.origin}/loop`, { kind: 'feed' }))).errorClass).toBe('redirects');
  });

  it('refuses every redirect to a private address that is not allow-listed', async () => {
    const targets = [
      `http://127.0.0.1:${b.port}/`,
      `http://localhost:${b.port}/`,
      `http://2130706433:${b.port}/`,
      `http://0x7f.1:${b.port}/`,
      `http://0177.0.0.1:${b.port}/`,
      `http://[::ffff:127.0.0.1]:${b.port}/`,
      `http://[::1]:${b.port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://10.0.0.1/',
      'http://100.64.0.1/',
    ];
    for (const target of targets) {
      const err = await errorOf(fetcher().fetch(`${a.origin}/to?u=${encodeURIComponent(target)}`, { kind: 'feed' }));
      expect([target, err.errorClass]).toEqual([target, 'blocked-address']);
    }
    expect(b.requests).toHaveLength(0);
  });

  it('refuses a name whose DNS answer is private, and allows it only through allowHosts', async () => {
    const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    const plain = createFetcher(network({ allowHosts: [a.hostPort] }), { resolve });
    expect((await errorOf(plain.fetch(`http://feeds.example.com:${b.port}/`, { kind: 'feed' }))).errorClass).toBe(
      'blocked-address',
    );
    const mixed = createFetcher(network(), {
      resolve: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ],
    });
    expect((await errorOf(mixed.fetch('http://mixed.example.com/', { kind: 'feed' }))).errorClass).toBe('blocked-address');
    expect(b.requests).toHaveLength(0);
    const allowed = createFetcher(network({ allowHosts: [`feeds.example.com:${b.port}`] }), { resolve });
    expect((await allowed.fetch(`http://feeds.example.com:${b.port}/`, { kind: 'feed' })).text).toBe('private data');
    expect(b.requests).toHaveLength(1);
  });

  it('refuses non-http schemes and credentials', async () => {
    for (const u of ['file:///etc/passwd', 'ftp://example.com/', 'gopher://x/', 'not a url', `http://user:pw@${a.hostPort}/ok`]) {
      expect((await errorOf(fetcher().fetch(u, { kind: 'feed' }))).errorClass).toBe('invalid-url');
    }
  });

  it('sends conditional requests and reports 304 as not modified', async () => {
    const first = await fetcher().fetch(`${a.origin}/cond`, { kind: 'feed' });
    expect(first.headers['etag']).toBe('"v1"');
    const second = await fetcher().fetch(`${a.origin}/cond`, {
      kind: 'feed',
      etag: first.headers['etag'],
      lastModified: first.headers['last-modified'],
    });
    expect(second.notModified).toBe(true);
    expect(second.status).toBe(304);
    expect(second.durationMs).toBeGreaterThanOrEqual(0);
    expect(second.durationMs).toBeLessThan(60_000);
    const seen = a.requests.filter((r) => r.path === '/cond');
    expect(seen[1].headers['if-none-match']).toBe('"v1"');
    expect(seen[1].headers['if-modified-since']).toBe('Sun, 29 Nov 2026 10:00:00 GMT');
  });

  it('classifies HTTP errors and passes Retry-After on', async () => {
    const missing = await errorOf(fetcher().fetch(`${a.origin}/missing`, { kind: 'page' }));
    expect([missing.errorClass, missing.status]).toEqual(['http-4xx', 404]);
    const busy = await errorOf(fetcher().fetch(`${a.origin}/busy`, { kind: 'feed' }));
    expect([busy.errorClass, busy.status, busy.retryAfter]).toEqual(['http-5xx', 503, '120']);
  });

  it('does not download a page that is not HTML', async () => {
    const err = await errorOf(fetcher().fetch(`${a.origin}/episode.mp3`, { kind: 'page' }));
    expect(err.errorClass).toBe('not-html');
    expect((await fetcher().fetch(`${a.origin}/episode.mp3`, { kind: 'feed' })).body.length).toBe(64 * 1024);
  });

  it('decodes a windows-1256 feed declared only in its XML prolog', async () => {
    const res = await fetcher().fetch(`${a.origin}/arabic`, { kind: 'feed' });
    expect(res.charset).toBe('windows-1256');
    expect(res.text).toContain('مرحبا بالعالم');
  });

  it('decodes a windows-1256 feed declared only in its Content-Type', async () => {
    const res = await fetcher().fetch(`${a.origin}/arabic-by-header`, { kind: 'feed' });
    expect([res.charset, res.text]).toEqual(['windows-1256', '<rss><title>مرحبا بالعالم</title></rss>']);
  });

  it('keeps at most perHostConcurrency requests in flight to one host', async () => {
    maxActive = 0;
    const f = fetcher({ perHostConcurrency: 2, concurrency: 16 });
    await Promise.all(Array.from({ length: 8 }, () => f.fetch(`${a.origin}/slow`, { kind: 'page' })));
    expect(maxActive).toBe(2);
  });

  it('keeps at most `concurrency` requests in flight overall', async () => {
    maxActive = 0;
    const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    const hosts = ['h1.test', 'h2.test', 'h3.test', 'h4.test'];
    const f = createFetcher(network({ allowHosts: hosts.map((h) => `${h}:${a.port}`), perHostConcurrency: 2, concurrency: 3 }), {
      resolve,
    });
    await Promise.all(hosts.flatMap((h) => [1, 2, 3].map(() => f.fetch(`http://${h}:${a.port}/slow`, { kind: 'page' }))));
    expect(maxActive).toBe(3);
  });
});

describe('fetcher connect timeout', () => {
  // A real listening socket on 127.0.0.1 that never accepts (a Python child: Node's servers always
  // accept). Once its accept queue is full, the kernel drops further SYNs, so a connect hangs
  // exactly as it does to a host that never answers.
  let listener: import('node:child_process').ChildProcess;
  let port = 0;
  const fillers: import('node:net').Socket[] = [];

  beforeAll(async () => {
    const { spawn } = await import('node:child_process');
    listener = spawn('python3', [
      '-c',
      "import socket,time\ns=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(0)\nprint(s.getsockname()[1], flush=True)\ntime.sleep(120)",
    ]);
    port = await new Promise<number>((resolve, reject) => {
      listener.once('error', reject);
      listener.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    });
    const net = await import('node:net');
    // Fill the accept queue: connect until one connect stays pending.
    for (let i = 0; i < 8; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      fillers.push(s);
      const connected = await new Promise<boolean>((r) => {
        s.once('connect', () => r(true));
        setTimeout(() => r(false), 300);
      });
      if (!connected) break;
    }
  });

  afterAll(() => {
    fillers.forEach((s) => s.destroy());
    listener.kill();
  });

  it('gives up on a connection that is never accepted at connectTimeoutMs, well before the deadline', async () => {
    expect(fillers.at(-1)!.connecting).toBe(true); // the queue is full: connects now hang
    const f = createFetcher(network({ allowHosts: [`127.0.0.1:${port}`], connectTimeoutMs: 400, timeoutMs: 10_000 }));
    const t0 = Date.now();
    const err = await errorOf(f.fetch(`http://127.0.0.1:${port}/feed.xml`, { kind: 'feed' }));
    const elapsed = Date.now() - t0;
    expect(err.errorClass).toBe('timeout');
    expect(err.message).toMatch(/Could not connect .* within 400 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(380);
    expect(elapsed).toBeLessThan(2_000);
  });
});
