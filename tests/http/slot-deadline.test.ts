/**
 * The total deadline counts only the time a fetch holds a connection slot, and a redirect to the
 * host it holds keeps its slot. Two local servers stand for two hosts (different ports are
 * different limiter keys); perHostConcurrency 1 makes every queue deterministic.
 */
import type http from 'node:http';
import { createFetcher, FetchError } from '../../src/http/fetcher';
import { network, startServer, type LocalServer } from './local-server';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `/slow?ms=N` answers after N ms; `/to?u=URL&ms=N` redirects after N ms; `/ok` at once. */
function route(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const delay = Number(url.searchParams.get('ms') ?? 0);
  const answer = (): void => {
    if (url.pathname === '/to') {
      res.writeHead(302, { location: url.searchParams.get('u') ?? '/' });
      res.end();
    } else res.end(url.pathname === '/ok' ? 'ok' : 'slow');
  };
  const timer = setTimeout(answer, delay);
  res.on('close', () => clearTimeout(timer));
}

describe('the fetch deadline and connection slots', () => {
  let a: LocalServer;
  let c: LocalServer;

  beforeAll(async () => {
    a = await startServer(route);
    c = await startServer(route);
  });
  afterAll(async () => {
    await a.close();
    await c.close();
  });

  const fetcher = (timeoutMs: number) =>
    createFetcher(network({ allowHosts: [a.hostPort, c.hostPort], perHostConcurrency: 1, concurrency: 16, timeoutMs }));
  const feed = { kind: 'feed' } as const;
  const outcome = (p: Promise<{ text: string }>): Promise<string> =>
    p.then(
      (r) => r.text,
      (err: FetchError) => `${err.errorClass}: ${err.message}`,
    );

  it('a redirect to the same host keeps its slot instead of queueing behind the host’s other requests', async () => {
    const f = fetcher(1_000);
    const first = f.fetch(`${a.origin}/slow?ms=300`, feed);
    const redirected = outcome(f.fetch(`${a.origin}/to?u=/ok`, feed));
    // Queued after the redirecting fetch: 5 × 400 ms, twice its deadline if its second hop queued again.
    const after = Array.from({ length: 5 }, () => f.fetch(`${a.origin}/slow?ms=400`, feed));
    const finished: string[] = [];
    await Promise.all([
      redirected.then((text) => finished.push(`redirect: ${text}`)),
      ...after.map((p) => p.then(() => finished.push('slow'))),
      first,
    ]);
    expect(await redirected).toBe('ok');
    expect(finished[0]).toBe('redirect: ok'); // ahead of every request queued after it
  });

  it('a fetch queued behind other requests for longer than timeoutMs still gets its whole deadline', async () => {
    const f = fetcher(600);
    const ahead = Array.from({ length: 3 }, () => f.fetch(`${a.origin}/slow?ms=350`, feed));
    const t0 = Date.now();
    const queued = await outcome(f.fetch(`${a.origin}/slow?ms=350`, feed));
    expect(queued).toBe('slow');
    expect(Date.now() - t0).toBeGreaterThan(1_000); // waited about 1 s for its slot, deadline 600 ms
    await Promise.all(ahead);
  });

  it('a redirect to another, busy host waits for that host’s slot without spending its deadline', async () => {
    const f = fetcher(700);
    const busy = Array.from({ length: 3 }, () => f.fetch(`${c.origin}/slow?ms=400`, feed));
    await sleep(20); // c's queue is full before the redirect arrives there
    const redirected = await outcome(f.fetch(`${a.origin}/to?u=${encodeURIComponent(`${c.origin}/ok`)}`, feed));
    expect(redirected).toBe('ok');
    await Promise.all(busy);
  });

  it('a redirect to another host gives its slot up first: chains redirecting into each other’s hosts both finish', async () => {
    const f = fetcher(2_000);
    const viaA = outcome(f.fetch(`${a.origin}/to?ms=100&u=${encodeURIComponent(`${c.origin}/ok`)}`, feed));
    const viaC = outcome(f.fetch(`${c.origin}/to?ms=100&u=${encodeURIComponent(`${a.origin}/ok`)}`, feed));
    // While viaA waits for c, a is free for others.
    const other = outcome(f.fetch(`${a.origin}/ok`, feed));
    expect(await Promise.all([viaA, viaC, other])).toEqual(['ok', 'ok', 'ok']);
  });

  it('the deadline is for the whole chain: time held on every hop adds up, on one host or several', async () => {
    const f = fetcher(700);
    // Four hops of 300 ms on one host: each within the deadline, together well over it.
    const hops = (n: number, origin: string, last: string): string =>
      n === 0 ? last : `${origin}/to?ms=300&u=${encodeURIComponent(hops(n - 1, origin, last))}`;
    expect(await outcome(f.fetch(hops(3, a.origin, `${a.origin}/slow?ms=300`), feed))).toMatch(
      /^timeout: No complete response within 700 ms/,
    );
    // 450 ms on a, then 450 ms on c: the budget left after a carries over to c.
    const across = `${a.origin}/to?ms=450&u=${encodeURIComponent(`${c.origin}/slow?ms=450`)}`;
    expect(await outcome(f.fetch(across, feed))).toMatch(/^timeout: /);
  });
});
