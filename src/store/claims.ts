/**
 * Claims: "this piece of work is mine" written with a create-if-absent, so that of any number of
 * processes (two `rss-digest run`s, a Step Functions retry overlapping the first attempt) exactly
 * one does it. A claim is either held (with a lease that ends at `expiresAt`) or done. A held claim
 * whose lease ran out was left by a crashed process: the next claimant takes it over with a
 * compare-and-put, so again only one process wins.
 *
 * Used for the mail of one subscriber on one date (state/runs/<date>/deliveries/) and for the run
 * lease of a date (state/runs/<date>/lease.json).
 */
import { getJsonVersioned, putJsonIfAbsent, putJsonIfMatch, type Store } from './index';

export interface ClaimRecord {
  state: 'held' | 'done';
  /** Who holds it: a run id (host, pid, start time) or a Step Functions execution. */
  owner: string;
  claimedAt: string;
  /** A held claim is abandoned after this instant. */
  expiresAt: string;
  completedAt?: string;
  /** What the work left behind (a message id, a transport name). */
  result?: Record<string, unknown>;
}

export type ClaimOutcome =
  | { won: true; version: string; record: ClaimRecord; tookOver?: ClaimRecord }
  /** Somebody else holds it (lease still running) or finished it. */
  | { won: false; holder: ClaimRecord };

export interface ClaimOptions {
  owner: string;
  now: Date;
  leaseMs: number;
}

/** Delivery markers written before claims existed ({sentAt, …}) count as done. */
const isDone = (record: ClaimRecord & { sentAt?: string }): boolean => record.state === 'done' || !!record.sentAt;

/** Races lost in a row before giving up (each loss means another process just wrote the key). */
const MAX_ATTEMPTS = 8;

export class ClaimContendedError extends Error {
  constructor(key: string) {
    super(`Could not claim ${key}: other processes kept changing it`);
    this.name = 'ClaimContendedError';
  }
}

/**
 * Claims `key` for `options.owner`. Wins when the key is new, when its lease ran out, or when the
 * same owner claims again (a retried step). Read errors are thrown, never taken as "free".
 */
export async function claim(store: Store, key: string, options: ClaimOptions): Promise<ClaimOutcome> {
  const fresh: ClaimRecord = {
    state: 'held',
    owner: options.owner,
    claimedAt: options.now.toISOString(),
    expiresAt: new Date(options.now.getTime() + options.leaseMs).toISOString(),
  };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await putJsonIfAbsent(store, key, fresh)) {
      const created = await getJsonVersioned<ClaimRecord>(store, key);
      if (created && created.value.owner === fresh.owner && created.value.claimedAt === fresh.claimedAt) {
        return { won: true, version: created.version, record: created.value };
      }
      continue;
    }
    const current = await getJsonVersioned<ClaimRecord>(store, key);
    if (!current) continue; // released between our two calls: try to create it again
    const holder = current.value;
    if (isDone(holder)) return { won: false, holder };
    const sameOwner = holder.owner === options.owner;
    const expired = Date.parse(holder.expiresAt) <= options.now.getTime();
    if (!sameOwner && !expired) return { won: false, holder };
    if (await putJsonIfMatch(store, key, fresh, current.version)) {
      const taken = await getJsonVersioned<ClaimRecord>(store, key);
      if (taken && taken.value.owner === fresh.owner && taken.value.claimedAt === fresh.claimedAt) {
        return { won: true, version: taken.version, record: taken.value, tookOver: sameOwner ? undefined : holder };
      }
    }
  }
  throw new ClaimContendedError(key);
}

/** Marks a won claim done (the mail went out). False if it was taken over meanwhile. */
export async function completeClaim(
  store: Store,
  key: string,
  won: { version: string; record: ClaimRecord },
  now: Date,
  result?: Record<string, unknown>,
): Promise<boolean> {
  const done: ClaimRecord = { ...won.record, state: 'done', completedAt: now.toISOString(), ...(result ? { result } : {}) };
  return putJsonIfMatch(store, key, done, won.version);
}

/** Extends a held claim's lease; returns the new version, or undefined when it is no longer ours. */
export async function renewClaim(
  store: Store,
  key: string,
  won: { version: string; record: ClaimRecord },
  now: Date,
  leaseMs: number,
): Promise<{ version: string; record: ClaimRecord } | undefined> {
  const record: ClaimRecord = { ...won.record, expiresAt: new Date(now.getTime() + leaseMs).toISOString() };
  if (!(await putJsonIfMatch(store, key, record, won.version))) return undefined;
  const after = await getJsonVersioned<ClaimRecord>(store, key);
  return after && after.value.owner === record.owner ? { version: after.version, record: after.value } : undefined;
}

/**
 * Gives a held claim back (the work failed and may be tried again by the next run) by ending its
 * lease now, so the object stays and no delete permission is needed. Only our own claim is ended:
 * one taken over meanwhile stays as it is.
 */
export async function releaseClaim(store: Store, key: string, owner: string, now: Date = new Date()): Promise<void> {
  const current = await getJsonVersioned<ClaimRecord>(store, key);
  if (!current || current.value.owner !== owner || current.value.state !== 'held') return;
  const ended: ClaimRecord = { ...current.value, expiresAt: new Date(now.getTime() - 1).toISOString() };
  await putJsonIfMatch(store, key, ended, current.version);
}
