/**
 * Subscriber records in a real filesystem store: reading, listing, who may be mailed, and the SES
 * bounce and complaint events that end a subscription.
 */
import { rm } from 'node:fs/promises';
import { FsStore } from '../../src/store';
import {
  applySesEvent,
  isMailable,
  listSubscribers,
  readSubscriber,
  subscriberIdFor,
  subscriberKey,
  SUBSCRIBERS_PREFIX,
  writeSubscriber,
  type SubscriberRecord,
} from '../../src/subscriptions';
import { unsubscribedRecord } from '../../src/subscriptions/subscribers';
import { tempDir } from '../helpers/tmp';
import { confirmedSubscriberRecord } from '../helpers/subscribers';

const secret = Buffer.from('records-secret-'.repeat(3));
const at = new Date('2026-12-01T09:30:00Z');

const record = (address: string, extra: Partial<SubscriberRecord> = {}): SubscriberRecord =>
  confirmedSubscriberRecord(subscriberIdFor(secret, address), address, extra);

let dir: string;
let store: FsStore;
beforeEach(async () => {
  dir = await tempDir('records-');
  store = new FsStore(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('subscriber records', () => {
  it('are stored under state/subscribers/<id>.json and read back', async () => {
    const ann = record('ann@example.org');
    await writeSubscriber(store, ann);
    expect(subscriberKey(ann.id)).toBe(`state/subscribers/${ann.id}.json`);
    expect(SUBSCRIBERS_PREFIX).toBe('state/subscribers');
    expect(JSON.parse((await store.get(subscriberKey(ann.id)))!.toString())).toEqual(ann);
    expect(await readSubscriber(store, ann.id)).toEqual(ann);
    expect(await readSubscriber(store, subscriberIdFor(secret, 'nobody@example.org'))).toBeUndefined();
  });

  it('lists every record, skipping other files, corrupt records and records filed under another id', async () => {
    const ann = record('ann@example.org');
    const bob = record('bob@example.org', { status: 'pending' });
    await writeSubscriber(store, ann);
    await writeSubscriber(store, bob);
    const corruptId = subscriberIdFor(secret, 'corrupt@example.org');
    await store.put(subscriberKey(corruptId), Buffer.from('{not json'));
    const misfiledId = subscriberIdFor(secret, 'misfiled@example.org');
    await store.put(subscriberKey(misfiledId), Buffer.from(JSON.stringify(ann)));
    await store.put(`${SUBSCRIBERS_PREFIX}/notes.txt`, Buffer.from(JSON.stringify(ann)));
    // Another file whose name, less its last five characters, is a subscriber's id.
    await store.put(`${SUBSCRIBERS_PREFIX}/${ann.id}.yaml`, Buffer.from('status: confirmed\n'));
    const listed = await listSubscribers(store);
    expect(listed.sort((a, b) => a.id.localeCompare(b.id))).toEqual([ann, bob].sort((a, b) => a.id.localeCompare(b.id)));
    expect(await readSubscriber(store, corruptId)).toBeUndefined();
  });

  it('mails only confirmed records that hold an address', () => {
    expect(isMailable(record('ann@example.org'))).toBe(true);
    expect(isMailable(record('ann@example.org', { status: 'pending' }))).toBe(false);
    expect(isMailable(record('ann@example.org', { status: 'unsubscribed' }))).toBe(false);
    expect(isMailable(record('', {}))).toBe(false);
    const { address: _a, ...noAddress } = record('ann@example.org');
    expect(isMailable(noAddress)).toBe(false);
  });

  it('drop the address and any pending confirmation when the subscription ends, and say why and when', () => {
    const pending = record('ann@example.org', { status: 'pending', confirmNonce: 'n1', preferences: { maxStories: 5 } });
    const { address: _a, confirmNonce: _n, ...kept } = pending;
    expect(unsubscribedRecord(pending, at, 'link')).toEqual({
      ...kept,
      status: 'unsubscribed',
      unsubscribedAt: '2026-12-01T09:30:00.000Z',
      updatedAt: '2026-12-01T09:30:00.000Z',
      unsubscribeReason: 'link',
    });
  });
});

describe('SES bounce and complaint events', () => {
  let events: { event: string; [key: string]: unknown }[];
  const apply = (event: Parameters<typeof applySesEvent>[2]) => applySesEvent(store, secret, event, at, (e) => events.push(e));
  beforeEach(() => {
    events = [];
  });

  it('end the subscription on a permanent bounce, naming the address however SES writes it', async () => {
    const ann = record('Ann@example.org');
    await writeSubscriber(store, ann);
    const outcome = await apply({
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'Ann Lee <ANN@Example.ORG> ' }] },
    });
    expect(outcome).toEqual({ removed: [ann.id], ignored: 0 });
    const { address: _a, ...kept } = ann;
    expect(await readSubscriber(store, ann.id)).toEqual({
      ...kept,
      status: 'unsubscribed',
      unsubscribedAt: '2026-12-01T09:30:00.000Z',
      updatedAt: '2026-12-01T09:30:00.000Z',
      unsubscribeReason: 'bounce',
    });
    expect(events).toEqual([{ event: 'unsubscribed-by-bounce', subscriber: ann.id }]);
  });

  it('end it on a complaint, also as an SNS notification ("notificationType")', async () => {
    const bob = record('bob@example.org');
    const cy = record('cy@example.org');
    await writeSubscriber(store, bob);
    await writeSubscriber(store, cy);
    expect(
      await apply({
        notificationType: 'Complaint',
        complaint: { complainedRecipients: [{ emailAddress: 'bob@example.org' }, { emailAddress: 'Cy <cy@example.org>' }] },
      }),
    ).toEqual({
      removed: [bob.id, cy.id],
      ignored: 0,
    });
    expect(await readSubscriber(store, bob.id)).toMatchObject({ status: 'unsubscribed', unsubscribeReason: 'complaint' });
    expect(events).toEqual([
      { event: 'unsubscribed-by-complaint', subscriber: bob.id },
      { event: 'unsubscribed-by-complaint', subscriber: cy.id },
    ]);
  });

  it('ignore unknown, unsubscribed and unreadable recipients, counting them', async () => {
    const gone = unsubscribedRecord(record('gone@example.org'), new Date('2026-11-20T00:00:00Z'), 'link');
    await writeSubscriber(store, gone);
    const before = JSON.stringify(await readSubscriber(store, gone.id));
    const outcome = await apply({
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bouncedRecipients: [
          { emailAddress: 'gone@example.org' },
          { emailAddress: 'stranger@example.org' },
          { emailAddress: 'not an address' },
          {},
        ],
      },
    });
    expect(outcome).toEqual({ removed: [], ignored: 4 });
    expect(JSON.stringify(await readSubscriber(store, gone.id))).toBe(before);
    expect(events).toEqual([]);
  });

  it('change nothing on a transient bounce, a delivery or an event without recipients', async () => {
    const ann = record('ann@example.org');
    await writeSubscriber(store, ann);
    const recipients = [{ emailAddress: 'ann@example.org' }, { emailAddress: 'other@example.org' }];
    expect(await apply({ eventType: 'Bounce', bounce: { bounceType: 'Transient', bouncedRecipients: recipients } })).toEqual({
      removed: [],
      ignored: 2,
    });
    expect(await apply({ eventType: 'Delivery' })).toEqual({ removed: [], ignored: 0 });
    expect(await apply({ eventType: 'Bounce', bounce: { bounceType: 'Permanent' } })).toEqual({ removed: [], ignored: 0 });
    expect(await apply({ eventType: 'Complaint' })).toEqual({ removed: [], ignored: 0 });
    expect(await apply({ eventType: 'Complaint', bounce: { bouncedRecipients: recipients } })).toEqual({
      removed: [],
      ignored: 0,
    });
    expect(await readSubscriber(store, ann.id)).toEqual(ann);
    expect(events).toEqual([]);
  });
});
