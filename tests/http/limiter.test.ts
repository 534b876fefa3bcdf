import { HostLimiter, interleaveByHost, RedirectChainSlot, Semaphore } from '../../src/http/limiter';

describe('interleaveByHost', () => {
  it('alternates hosts and keeps each host in its own order', () => {
    const urls = ['http://a/1', 'http://a/2', 'http://a/3', 'http://b/1', 'http://c/1', 'http://b/2', 'not a url'];
    expect(interleaveByHost(urls, (u) => u)).toEqual([
      'http://a/1',
      'http://b/1',
      'http://c/1',
      'not a url',
      'http://a/2',
      'http://b/2',
      'http://a/3',
    ]);
  });
});

describe('HostLimiter', () => {
  it('bounds work per host and overall, and hands freed slots to waiters', async () => {
    const limiter = new HostLimiter(3, 2);
    const active = new Map<string, number>();
    let total = 0;
    let maxTotal = 0;
    const maxPerHost = new Map<string, number>();
    const job = async (host: string): Promise<void> => {
      const release = await limiter.acquire(host);
      total++;
      active.set(host, (active.get(host) ?? 0) + 1);
      maxTotal = Math.max(maxTotal, total);
      maxPerHost.set(host, Math.max(maxPerHost.get(host) ?? 0, active.get(host)!));
      await new Promise((r) => setTimeout(r, 5));
      total--;
      active.set(host, active.get(host)! - 1);
      release();
      release(); // a second release is harmless
    };
    await Promise.all(['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'd'].map(job));
    expect(maxTotal).toBe(3);
    expect(Math.max(...maxPerHost.values())).toBe(2);
    expect(total).toBe(0);
  });
});

describe('RedirectChainSlot', () => {
  it('keeps the slot for the host it holds, even with other requests queued for that host', async () => {
    const limiter = new HostLimiter(4, 1);
    const slot = new RedirectChainSlot(limiter);
    await slot.moveTo('a:80');
    let queuedGotIn = false;
    const queued = limiter.acquire('a:80').then((release) => {
      queuedGotIn = true;
      return release;
    });
    await slot.moveTo('a:80'); // would wait for `queued` (and hang) if it queued again
    expect(slot.holds('a:80')).toBe(true);
    expect(queuedGotIn).toBe(false);
    slot.release();
    (await queued)();
    expect(queuedGotIn).toBe(true);
  });

  it('gives up its slot before queueing for another host', async () => {
    const limiter = new HostLimiter(4, 1);
    const x = new RedirectChainSlot(limiter);
    const y = new RedirectChainSlot(limiter);
    await x.moveTo('a:80');
    await y.moveTo('b:80');
    // Each chain redirects into the other's host: holding on while waiting would deadlock.
    await Promise.all([x.moveTo('b:80'), y.moveTo('a:80')]);
    expect([x.holds('b:80'), y.holds('a:80')]).toEqual([true, true]);
    x.release();
    y.release();
    x.release(); // a second release is harmless
  });
});

describe('Semaphore', () => {
  const settled = (): Promise<void> => new Promise((r) => setImmediate(r));

  it('lets `limit` holders in, queues the next ones in order, and hands each freed slot to the first waiter', async () => {
    const sem = new Semaphore(2);
    expect(sem.idle).toBe(true);
    const first = await sem.acquire();
    const second = await sem.acquire();
    expect(sem.idle).toBe(false);
    const order: string[] = [];
    const third = sem.acquire().then((release) => (order.push('third'), release));
    const fourth = sem.acquire().then((release) => (order.push('fourth'), release));
    await settled();
    expect(order).toEqual([]);
    first();
    await settled();
    expect(order).toEqual(['third']);
    first(); // released twice: frees nothing more
    await settled();
    expect(order).toEqual(['third']);
    second();
    await settled();
    expect(order).toEqual(['third', 'fourth']);
    (await third)();
    expect(sem.idle).toBe(false);
    (await fourth)();
    expect(sem.idle).toBe(true);
  });
});

describe('HostLimiter: per-host state', () => {
  const settled = (): Promise<void> => new Promise((r) => setImmediate(r));
  /** How many hosts the limiter keeps a semaphore for (a long run must not keep one for every host it ever saw). */
  const hostsKept = (limiter: HostLimiter): number => (limiter as unknown as { hosts: Map<string, unknown> }).hosts.size;

  it('keeps a host’s limit while a freed slot passes to a waiter, and forgets the host once it is idle', async () => {
    const limiter = new HostLimiter(10, 1);
    const first = await limiter.acquire('a:80');
    let secondIn = false;
    const second = limiter.acquire('a:80').then((release) => ((secondIn = true), release));
    await settled();
    expect(secondIn).toBe(false);
    first();
    const releaseSecond = await second;
    let thirdIn = false;
    const third = limiter.acquire('a:80').then((release) => ((thirdIn = true), release));
    await settled();
    expect(thirdIn).toBe(false); // the slot passed to `second` is still taken
    releaseSecond();
    (await third)();
    expect(hostsKept(limiter)).toBe(0);
  });

  it('does not queue behind the global limit while waiting for a busy host', async () => {
    const limiter = new HostLimiter(2, 1);
    const a1 = await limiter.acquire('a:80');
    let a2In = false;
    const a2 = limiter.acquire('a:80').then((release) => ((a2In = true), release));
    const b1 = await limiter.acquire('b:80'); // the second global slot, free although a2 waits
    await settled();
    expect([a2In, hostsKept(limiter)]).toEqual([false, 2]);
    b1();
    a1();
    (await a2)();
    expect(hostsKept(limiter)).toBe(0);
  });
});

describe('interleaveByHost: edge cases', () => {
  it('keeps every item, also with one host or none', () => {
    expect(interleaveByHost([], (u: string) => u)).toEqual([]);
    expect(interleaveByHost(['http://a/1', 'http://a/2'], (u) => u)).toEqual(['http://a/1', 'http://a/2']);
    expect(interleaveByHost(['x', 'http://a/1', 'y'], (u) => u)).toEqual(['x', 'http://a/1', 'y']);
  });

  it('puts what has no host, unparseable or not, in one queue', () => {
    expect(interleaveByHost(['not a url', 'file:///a', 'http://a/1', 'http://a/2'], (u) => u)).toEqual([
      'not a url',
      'http://a/1',
      'file:///a',
      'http://a/2',
    ]);
  });

  it('tells hosts apart by port', () => {
    expect(interleaveByHost(['http://a/1', 'http://a/2', 'http://a:81/1'], (u) => u)).toEqual([
      'http://a/1',
      'http://a:81/1',
      'http://a/2',
    ]);
  });
});
