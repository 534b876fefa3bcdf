/**
 * Concurrency limits for outgoing requests: one global semaphore and one per host, so a run never
 * opens more than `concurrency` connections in total nor more than `perHostConcurrency` to one
 * site (being polite to a host that carries many of our feeds).
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** No slot taken (then nobody waits either: waiters queue only while every slot is taken). */
  get idle(): boolean {
    return this.active === 0;
  }

  async acquire(): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
    } else {
      // The slot is handed over by release(), so `active` stays counted for the waiter.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}

export class HostLimiter {
  private readonly global: Semaphore;
  private readonly hosts = new Map<string, Semaphore>();

  constructor(
    globalLimit: number,
    private readonly perHostLimit: number,
  ) {
    this.global = new Semaphore(globalLimit);
  }

  /**
   * A slot for one request to `host`. The host slot is taken first: a request waiting for a busy
   * host must not sit on a global slot that requests to other hosts could use.
   */
  async acquire(host: string): Promise<() => void> {
    let hostSem = this.hosts.get(host);
    if (!hostSem) {
      hostSem = new Semaphore(this.perHostLimit);
      this.hosts.set(host, hostSem);
    }
    const releaseHost = await hostSem.acquire();
    const releaseGlobal = await this.global.acquire();
    const sem = hostSem;
    return () => {
      releaseGlobal();
      releaseHost();
      // Once idle, nobody holds or waits for `sem` (it is taken in the same step as it is looked up).
      if (sem.idle) this.hosts.delete(host);
    };
  }
}

/**
 * The slot one fetch holds along its redirect chain. A hop to the host it holds keeps the slot:
 * queueing again behind every other request to that host would make a plain redirect wait for the
 * whole queue. A hop to another host gives the slot up before queueing for that host's, so two
 * chains redirecting into each other's hosts never each hold one slot while waiting for the other.
 */
export class RedirectChainSlot {
  private host: string | undefined;
  private releaseHeld: (() => void) | undefined;

  constructor(private readonly limiter: HostLimiter) {}

  holds(host: string): boolean {
    return this.host === host;
  }

  /** Resolves once a slot for `host` is held (at once when it already is). */
  async moveTo(host: string): Promise<void> {
    if (this.holds(host)) return;
    this.release();
    this.releaseHeld = await this.limiter.acquire(host);
    this.host = host;
  }

  release(): void {
    this.releaseHeld?.();
    this.releaseHeld = undefined;
    this.host = undefined;
  }
}

/**
 * Reorders work so consecutive entries go to different hosts (round-robin over hosts, keeping
 * each host's own order). A pool of N workers over a list sorted by host would otherwise spend
 * most of its slots waiting on one host's limit while other hosts sit idle.
 */
export function interleaveByHost<T>(items: readonly T[], urlOf: (item: T) => string): T[] {
  const queues = new Map<string, T[]>();
  for (const item of items) {
    let host: string;
    try {
      host = new URL(urlOf(item)).host;
    } catch {
      host = '';
    }
    const q = queues.get(host);
    if (q) q.push(item);
    else queues.set(host, [item]);
  }
  const lists = [...queues.values()];
  const out: T[] = [];
  for (let round = 0; out.length < items.length; round++) {
    for (const list of lists) if (round < list.length) out.push(list[round]);
  }
  return out;
}
