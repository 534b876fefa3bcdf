/**
 * Subscriber records: one JSON object per subscriber under state/subscribers/, keyed by the
 * keyed hash of the normalized address. No database: the digest lists the folder once a day,
 * and the endpoint reads and writes one object per request.
 */
import { putJson, type Store } from '../store';
import type { Preferences } from './preferences';

export const SUBSCRIBERS_PREFIX = 'state/subscribers';

export type SubscriberStatus = 'pending' | 'confirmed' | 'unsubscribed';

export interface SubscriberRecord {
  version: 1;
  id: string;
  /** Absent once unsubscribed: an address is kept only while it may be mailed. */
  address?: string;
  status: SubscriberStatus;
  createdAt: string;
  updatedAt: string;
  confirmedAt?: string;
  unsubscribedAt?: string;
  /** Why the address stopped receiving mail ("link", "one-click", "bounce", "complaint"). */
  unsubscribeReason?: string;
  /** The nonce of the one confirmation link that may confirm this record. */
  confirmNonce?: string;
  /** Last confirmation (or "already subscribed") mail, for the per-address rate limit. */
  lastConfirmationAt?: string;
  confirmationsSent: number;
  /** What the reader chose to receive (absent in older records: every category, daily, digest.maxStories). */
  preferences?: Preferences;
}

/** The record once a subscription ends: the address and any pending confirmation are dropped. */
export function unsubscribedRecord(record: SubscriberRecord, at: Date, reason: string): SubscriberRecord {
  const stamp = at.toISOString();
  const { address: _drop, confirmNonce: _nonce, ...rest } = record;
  return { ...rest, status: 'unsubscribed', unsubscribedAt: stamp, updatedAt: stamp, unsubscribeReason: reason };
}

export const subscriberKey = (id: string): string => `${SUBSCRIBERS_PREFIX}/${id}.json`;

/**
 * The record, or undefined when there is none. A record that is not JSON behaves as unknown
 * (rather than failing every request for that address); a store that cannot be read throws.
 */
export async function readSubscriber(store: Store, id: string): Promise<SubscriberRecord | undefined> {
  const body = await store.get(subscriberKey(id));
  // Stryker disable next-line ConditionalExpression: without this return, reading the missing body throws inside the try below, whose catch answers undefined too
  if (!body) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as SubscriberRecord;
  } catch {
    return undefined;
  }
}

export async function writeSubscriber(store: Store, record: SubscriberRecord): Promise<void> {
  await putJson(store, subscriberKey(record.id), record);
}

/** Every subscriber record (corrupt ones skipped); a read error throws, so a run mails nobody rather than guessing. */
export async function listSubscribers(store: Store): Promise<SubscriberRecord[]> {
  const keys = (await store.list(SUBSCRIBERS_PREFIX)).filter((k) => k.endsWith('.json'));
  const out: SubscriberRecord[] = [];
  for (const key of keys) {
    const id = key.slice(SUBSCRIBERS_PREFIX.length + 1, -'.json'.length);
    const record = await readSubscriber(store, id);
    if (record && record.id === id) out.push(record);
  }
  return out;
}

export const isMailable = (r: SubscriberRecord): r is SubscriberRecord & { address: string } =>
  r.status === 'confirmed' && typeof r.address === 'string' && r.address.length > 0;
