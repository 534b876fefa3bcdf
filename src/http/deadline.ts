/**
 * A fetch's total deadline (`network.timeoutMs`), counted only while the fetch holds a connection
 * slot. Time spent queued behind our own concurrency limits is not the server's fault: with many
 * feeds on one host, a fetch (or a redirect queueing for another host's slot) may wait longer than
 * the whole deadline and must still get its full time once it is connected.
 */
export class SlotDeadline {
  private readonly controller = new AbortController();
  private remainingMs: number;
  private runningSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    budgetMs: number,
    private readonly expiredError: () => Error,
  ) {
    this.remainingMs = budgetMs;
  }

  /** Aborted, with the expiry error as its reason, once the budget is spent. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Counts on from where it stopped (a slot was taken). */
  resume(): void {
    if (this.runningSince !== undefined || this.signal.aborted) return;
    this.runningSince = performance.now();
    this.timer = setTimeout(() => afterPendingIo(() => this.expireIfRunning()), Math.max(0, this.remainingMs));
  }

  /** Stops counting and keeps what is left (the slot was given up, or the fetch is over). */
  pause(): void {
    if (this.runningSince === undefined) return;
    clearTimeout(this.timer);
    this.remainingMs -= performance.now() - this.runningSince;
    this.runningSince = undefined;
  }

  private expireIfRunning(): void {
    // Paused in the I/O that ran before us: that hop finished in time, and the next one (if any)
    // resumes with nothing left and expires at once.
    if (this.runningSince !== undefined) this.controller.abort(this.expiredError());
  }
}

/**
 * Runs `fn` after the I/O that is already waiting. When the event loop was busy (a big feed being
 * parsed), timers run before the I/O callbacks of the same turn: without this, a connection that
 * completed in time, or a body that has fully arrived, would be reported as a timeout.
 */
export const afterPendingIo = (fn: () => void): void => {
  setImmediate(fn);
};
