import { HostLimiter, interleaveByHost } from '../../src/http/limiter';

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
