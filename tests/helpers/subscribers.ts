import type { Store } from '../../src/store';
import { writeSubscriber, type Preferences } from '../../src/subscriptions';

/** A subscriber who confirmed on 1 November 2026, with their choices if any, stored under `id`. */
export async function writeConfirmedSubscriber(
  store: Store,
  id: string,
  address: string,
  preferences?: Preferences,
): Promise<void> {
  await writeSubscriber(store, {
    version: 1,
    id,
    address,
    status: 'confirmed',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    confirmedAt: '2026-11-01T00:00:00.000Z',
    confirmationsSent: 1,
    ...(preferences ? { preferences } : {}),
  });
}
