import type { Store } from '../../src/store';
import { writeSubscriber, type Preferences, type SubscriberRecord } from '../../src/subscriptions';

/** A subscriber who confirmed on 1 November 2026, stored under `id`; `extra` overrides any field. */
export const confirmedSubscriberRecord = (
  id: string,
  address: string,
  extra: Partial<SubscriberRecord> = {},
): SubscriberRecord => ({
  version: 1,
  id,
  address,
  status: 'confirmed',
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  confirmedAt: '2026-11-01T00:00:00.000Z',
  confirmationsSent: 1,
  ...extra,
});

/** Writes `confirmedSubscriberRecord`, with the reader's choices if any. */
export async function writeConfirmedSubscriber(
  store: Store,
  id: string,
  address: string,
  preferences?: Preferences,
): Promise<void> {
  await writeSubscriber(store, confirmedSubscriberRecord(id, address, preferences ? { preferences } : {}));
}
