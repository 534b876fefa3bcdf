import { HostLimiter, interleaveByHost, RedirectChainSlot } from '../../src/http/limiter';

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
