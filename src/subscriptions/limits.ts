/**
 * Sign-up limits kept in the store, so every process serving the endpoint (`serve`, any number of
 * Lambda instances) counts against the same windows:
 *
 *   per client   sign-ups from one source address (IPv6: its /64) per hour
 *   per address  confirmation mails to one address per 10 minutes
 *   global       confirmation mails per hour, all clients together
 *
 * Each limit is a sliding window: the times of the sign-ups let through in the last window, one
 * JSON object per client / address under state/limits/, updated with an optimistic
 * read-modify-write (`putJsonIfMatch`, `putJsonIfAbsent` for the first), so two processes never
 * both take the last slot. Keys are HMACs of the address or client with the token secret: the
 * store never holds who signed up from where.
 *
 * Invariant: a window holds only sign-ups that were let through. A request refused by one limit,
 * or whose mail then fails, gives back the slots it took, so a burst one client is refused does
 * not use up the global budget and a failed mail can be retried at once.
 */
import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { getJsonVersioned, putJsonIfAbsent, putJsonIfMatch, type Store } from '../store';
import { addressIdentity } from './address';

export const LIMITS_PREFIX = 'state/limits';

export interface WindowLimit {
  max: number;
  windowSeconds: number;
}

export type LimitName = 'client' | 'address' | 'global';

/** The limits in the order they are checked: the client first, so its refused burst costs nobody else. */
export interface SignupLimits {
  client: WindowLimit;
  address: WindowLimit;
  global: WindowLimit;
}

/** At most one confirmation mail per address per this many seconds. */
export const CONFIRMATION_INTERVAL_SECONDS = 600;
const HOUR_SECONDS = 3600;

/** The limits from config values (email.maxSignupsPerClientPerHour, email.maxConfirmationsPerHour). */
export function signupLimits(settings: { signupsPerClientPerHour: number; confirmationsPerHour: number }): SignupLimits {
  return {
    client: { max: settings.signupsPerClientPerHour, windowSeconds: HOUR_SECONDS },
    address: { max: 1, windowSeconds: CONFIRMATION_INTERVAL_SECONDS },
    global: { max: settings.confirmationsPerHour, windowSeconds: HOUR_SECONDS },
  };
}

/** Lost races in a row before giving up: each loss means another request just took a slot. */
const MAX_ATTEMPTS = 8;
const BACKOFF_MS = 15;
/** Retry-After when a window stayed contended: it is full of requests this very moment. */
const CONTENDED_RETRY_SECONDS = 5;

class LimitContendedError extends Error {
  constructor(key: string) {
    super(`Could not update ${key}: other requests kept changing it`);
    this.name = 'LimitContendedError';
  }
}

interface WindowRecord {
  version: 1;
  /** When each sign-up still in the window was let through (ms since the epoch), oldest first. */
  hits: number[];
}

export interface Refusal {
  ok: false;
  limit: LimitName;
  retryAfterSeconds: number;
}

export type Admission = { ok: true; /** Gives the slots back (the mail was not sent). */ release(): Promise<void> } | Refusal;

export interface SignupRequest {
  secret: Buffer;
  /** The normalized address. */
  address: string;
  /** The connection's source address; absent for library calls, which are limited per address and globally. */
  clientIp?: string;
  at: Date;
}

/**
 * The group a client address counts in: an IPv4 address itself, an IPv6 address by its /64 (one
 * subscriber line or host gets a whole /64 and may use any address in it).
 */
export function clientGroup(address: string): string {
  const unbracketed = address
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  const [bare] = unbracketed.split('%'); // without the zone of a link-local address
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  // IPv4 as it is, and what is not an address (a proxy's placeholder) as given rather than not at all.
  return isIPv6(bare) ? `${ipv6Groups(bare).slice(0, 4).join(':')}::/64` : bare;
}

/** The eight 16-bit groups of a valid IPv6 address, "::" expanded (an IPv4 tail counts as two). */
function ipv6Groups(address: string): string[] {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const parts = (text: string | undefined): string[] => (text ? text.split(':') : []);
  const width = (groups: string[]): number => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const missing = 8 - width(parts(head)) - width(parts(tail));
  return [...parts(head), ...Array<string>(missing).fill('0'), ...parts(tail)].map((g) =>
    g.includes('.') ? g : parseInt(g, 16).toString(16),
  );
}

/** The one window every sign-up counts in. */
const GLOBAL_WINDOW_KEY = `${LIMITS_PREFIX}/global.json`;

/** The store key of a client's or an address's window: a keyed hash, so the key says nothing about whom it counts. */
function windowKey(secret: Buffer, limit: 'client' | 'address', value: string): string {
  const id = createHmac('sha256', secret).update(`rss-digest-limit.v1.${limit}.`).update(value).digest('hex');
  return `${LIMITS_PREFIX}/${limit}/${id.slice(0, 40)}.json`;
}

const pause = (attempt: number): Promise<void> =>
  // Stryker disable next-line ArithmeticOperator: the delay only spreads retries in time; any delay gives the same outcome, and tests assert no timing
  new Promise((resolve) => setTimeout(resolve, Math.random() * BACKOFF_MS * (attempt + 1)));

/**
 * Optimistic read-modify-write of one window. `change` returns the new hits, or undefined to
 * leave the window as it is. Retries when another process wrote in between; read errors throw.
 */
async function updateWindow(store: Store, key: string, change: (hits: number[]) => number[] | undefined): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await getJsonVersioned<WindowRecord>(store, key);
    // A record of another shape (hand-edited) starts afresh rather than blocking every sign-up.
    // Stryker disable next-line ArrayDeclaration: a change keeps only times inside its window, so an element made up here is dropped
    const hits = change(Array.isArray(current?.value.hits) ? current.value.hits : []);
    if (!hits) return;
    const record: WindowRecord = { version: 1, hits };
    const written = current
      ? await putJsonIfMatch(store, key, record, current.version)
      : await putJsonIfAbsent(store, key, record);
    if (written) return;
    await pause(attempt);
  }
  throw new LimitContendedError(key);
}

/** Seconds until the window has a free slot again: when its oldest surplus hit leaves it. */
const secondsUntilFree = (hits: number[], limit: WindowLimit, now: number): number =>
  Math.max(1, Math.ceil((hits[hits.length - limit.max] + limit.windowSeconds * 1000 - now) / 1000));

/**
 * Takes one slot in the window at `key`, or says how long until one frees. A window other
 * requests kept changing under us counts as full for a few seconds (they are taking its slots).
 */
async function takeSlot(store: Store, key: string, limit: WindowLimit, at: number): Promise<number | undefined> {
  let retryAfterSeconds: number | undefined;
  try {
    await updateWindow(store, key, (hits) => {
      const live = hits.filter((hit) => hit > at - limit.windowSeconds * 1000);
      retryAfterSeconds = live.length >= limit.max ? secondsUntilFree(live, limit, at) : undefined;
      // Sorted, as processes' clocks differ slightly: secondsUntilFree reads the oldest first.
      return retryAfterSeconds === undefined ? [...live, at].sort((a, b) => a - b) : undefined;
    });
  } catch (err) {
    if (err instanceof LimitContendedError) return CONTENDED_RETRY_SECONDS;
    throw err;
  }
  return retryAfterSeconds;
}

/** Gives back a slot taken at `at`: any hit with that time counts the same, so removing one is exact. */
async function returnSlot(store: Store, key: string, at: number): Promise<void> {
  await updateWindow(store, key, (hits) => {
    const index = hits.indexOf(at);
    return index < 0 ? undefined : [...hits.slice(0, index), ...hits.slice(index + 1)];
  });
}

/** The windows a sign-up counts in, in the order they are checked. */
function windowsFor({ secret, clientIp, address }: SignupRequest): [LimitName, string][] {
  const windows: [LimitName, string][] = [];
  if (clientIp) windows.push(['client', windowKey(secret, 'client', clientGroup(clientIp))]);
  windows.push(['address', windowKey(secret, 'address', addressIdentity(address))]);
  windows.push(['global', GLOBAL_WINDOW_KEY]);
  return windows;
}

export type SignupLimiter = (request: SignupRequest) => Promise<Admission>;

/**
 * Checks the limits in order (client, address, global), taking a slot in each; the first refusal
 * gives back the slots already taken. `onReleaseError` hears of a slot that could not be given
 * back (it then expires with its window).
 */
export function createSignupLimiter(
  store: Store,
  limits: SignupLimits,
  onReleaseError: (err: unknown) => void = () => undefined,
): SignupLimiter {
  return async (request) => {
    const at = request.at.getTime();
    const taken: string[] = [];
    const release = async (): Promise<void> => {
      for (const key of taken) await returnSlot(store, key, at).catch(onReleaseError);
    };
    try {
      for (const [limit, key] of windowsFor(request)) {
        const retryAfterSeconds = await takeSlot(store, key, limits[limit], at);
        if (retryAfterSeconds !== undefined) {
          await release();
          return { ok: false, limit, retryAfterSeconds };
        }
        taken.push(key);
      }
    } catch (err) {
      await release();
      throw err;
    }
    return { ok: true, release };
  };
}
