/**
 * Signed tokens for the links in mails: confirm a subscription, unsubscribe, change preferences. A token names the
 * subscriber by its keyed hash (never the address), its purpose and its expiry, and is signed
 * with HMAC-SHA256 so it cannot be forged or re-purposed.
 *
 *   token = base64url(JSON payload) "." base64url(HMAC(secret, "rss-digest-token.v1." + payload))
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { addressIdentity } from './address';

export type TokenPurpose = 'confirm' | 'unsubscribe' | 'preferences';

export interface TokenPayload {
  /** Purpose. */
  p: TokenPurpose;
  /** Subscriber id (keyed hash of the address). */
  s: string;
  /** Expiry, seconds since the epoch. */
  e: number;
  /** Confirmation nonce: a confirm link works only for the request that sent it. */
  n?: string;
}

export type TokenCheck =
  { ok: true; payload: TokenPayload } | { ok: false; problem: 'malformed' | 'bad-signature' | 'wrong-purpose' | 'expired' };

/** Confirmation links expire after a week; unsubscribe and preferences links must keep working in old mails. */
export const CONFIRM_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
export const UNSUBSCRIBE_TOKEN_TTL_SECONDS = 400 * 24 * 3600;
export const PREFERENCES_TOKEN_TTL_SECONDS = UNSUBSCRIBE_TOKEN_TTL_SECONDS;
const MAX_TOKEN_LENGTH = 512;

const sign = (secret: Buffer, body: string): string =>
  createHmac('sha256', secret).update('rss-digest-token.v1.').update(body).digest('base64url');

/** Subscriber id: keyed, so a leaked store listing cannot be matched against a list of addresses. */
export function subscriberIdFor(secret: Buffer, normalizedAddress: string): string {
  return createHmac('sha256', secret)
    .update('rss-digest-subscriber.v1.')
    .update(addressIdentity(normalizedAddress))
    .digest('hex')
    .slice(0, 40);
}

export function createToken(secret: Buffer, payload: TokenPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

export function verifyToken(secret: Buffer, token: unknown, purpose: TokenPurpose, now: Date): TokenCheck {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    return { ok: false, problem: 'malformed' };
  }
  const [body, mac] = token.split('.') as [string, string];
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, problem: 'bad-signature' };
  let payload: TokenPayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  if (!payload || typeof payload.s !== 'string' || !/^[0-9a-f]{40}$/.test(payload.s) || typeof payload.e !== 'number') {
    return { ok: false, problem: 'malformed' };
  }
  if (payload.p !== purpose) return { ok: false, problem: 'wrong-purpose' };
  if (payload.e * 1000 < now.getTime()) return { ok: false, problem: 'expired' };
  return { ok: true, payload };
}

export const unsubscribeToken = (secret: Buffer, subscriberId: string, now: Date): string =>
  createToken(secret, { p: 'unsubscribe', s: subscriberId, e: Math.floor(now.getTime() / 1000) + UNSUBSCRIBE_TOKEN_TTL_SECONDS });

/** The "Change what you receive" link: its own purpose, so it can never unsubscribe (nor an unsubscribe token change choices). */
export const preferencesToken = (secret: Buffer, subscriberId: string, now: Date): string =>
  createToken(secret, { p: 'preferences', s: subscriberId, e: Math.floor(now.getTime() / 1000) + PREFERENCES_TOKEN_TTL_SECONDS });

export const confirmToken = (secret: Buffer, subscriberId: string, nonce: string, now: Date): string =>
  createToken(secret, {
    p: 'confirm',
    s: subscriberId,
    e: Math.floor(now.getTime() / 1000) + CONFIRM_TOKEN_TTL_SECONDS,
    n: nonce,
  });
