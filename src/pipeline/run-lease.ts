/**
 * One run per date at a time. Two `rss-digest run`s of the same day, or a scheduler retry that
 * overlaps the first attempt, would otherwise both see the same items as new, both merge the
 * day's report and both publish. The run takes a lease on the date (a claim, see
 * store/claims.ts) for as long as it works, renewing it; a second run finds it held and stops with
 * `RunInProgressError` before touching anything. A lease left by a crashed run ends after
 * `leaseMs` without renewal, and the next run takes it over. A finished run ends its lease (the
 * object stays, expired: releasing needs no delete permission on state/runs/).
 */
import os from 'node:os';
import type { Store } from '../store';
import { claim, releaseClaim, renewClaim, type ClaimRecord } from '../store/claims';

export const runLeaseKey = (date: string): string => `state/runs/${date}/lease.json`;

/** Long enough to survive a stalled renewal or two; short enough that a crashed run blocks the day briefly. */
export const RUN_LEASE_MS = 10 * 60_000;

export class RunInProgressError extends Error {
  constructor(
    readonly date: string,
    readonly holder: ClaimRecord,
  ) {
    super(
      `Another run of ${date} is in progress (${holder.owner}, since ${holder.claimedAt}; its lease ends ${holder.expiresAt} unless renewed). Nothing was changed; run again when it has finished.`,
    );
    this.name = 'RunInProgressError';
  }
}

export interface RunLeaseOptions {
  /** Who runs: default host, process id and start time. */
  owner?: string;
  now?: () => Date;
  leaseMs?: number;
}

/** A name for this process's run, shown to a second run that finds the lease held. */
export const defaultRunOwner = (now: Date): string => `${os.hostname()} pid ${process.pid} at ${now.toISOString()}`;

/**
 * Runs `work` while holding the lease on `date`, renewing it every third of its length, and gives
 * it back afterwards (also when `work` throws). Throws RunInProgressError when another run holds it.
 */
export async function withRunLease<T>(store: Store, date: string, options: RunLeaseOptions, work: () => Promise<T>): Promise<T> {
  const now = options.now ?? (() => new Date());
  const leaseMs = options.leaseMs ?? RUN_LEASE_MS;
  const owner = options.owner ?? defaultRunOwner(now());
  const key = runLeaseKey(date);
  const outcome = await claim(store, key, { owner, now: now(), leaseMs });
  if (!outcome.won) throw new RunInProgressError(date, outcome.holder);

  let held: { version: string; record: ClaimRecord } | undefined = outcome;
  const renew = async (): Promise<void> => {
    if (held) held = await renewClaim(store, key, held, now(), leaseMs).catch(() => held);
  };
  const timer = setInterval(() => void renew(), Math.max(1000, Math.floor(leaseMs / 3)));
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
    await releaseClaim(store, key, owner, now());
  }
}
