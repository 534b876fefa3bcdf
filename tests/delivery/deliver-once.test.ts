/**
 * deliverOnce against a real filesystem store: each target claimed under
 * state/runs/<date>/deliveries/<name>.json before it is sent and marked done after, a claim left
 * by a crashed run taken over only once its 15-minute lease has run out, a failed send giving its
 * claim back, and every store failure (claim, release, completion) reported with its own message
 * without stopping the other targets.
 */
import { rm } from 'node:fs/promises';
import { DELIVERY_LEASE_MS, deliverOnce, deliveryKey, type DeliverOnceOptions } from '../../src/delivery';
import { FsStore, getJson, type PutOptions, type Store } from '../../src/store';
import { claim, type ClaimRecord } from '../../src/store/claims';
import { StoreWrapper } from '../helpers/store-wrapper';
import { tempDir } from '../helpers/tmp';

const DATE = '2026-12-06';
const T0 = new Date('2026-12-06T07:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

/** A real store whose conditional writes fail for the keys `failing` matches, as a full disk or a denied S3 call would. */
class FailingStore extends StoreWrapper {
  failPutIfAbsent: (key: string) => boolean = () => false;
  failPutIfMatch: (key: string) => boolean = () => false;
  override putIfAbsent(key: string, body: Buffer | string, options?: PutOptions) {
    if (this.failPutIfAbsent(key)) return Promise.reject(new Error(`AccessDenied on ${key}`));
    return super.putIfAbsent(key, body, options);
  }
  override putIfMatch(key: string, body: Buffer | string, version: string, options?: PutOptions) {
    if (this.failPutIfMatch(key)) return Promise.reject(new Error('No space left on device'));
    return super.putIfMatch(key, body, version, options);
  }
}

describe('deliverOnce', () => {
  let dir: string;
  let fs: FsStore;
  let store: FailingStore;
  beforeEach(async () => {
    dir = await tempDir('deliver-once-');
    fs = new FsStore(dir);
    store = new FailingStore(fs);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const sentTo: string[] = [];
  beforeEach(() => {
    sentTo.length = 0;
  });

  const deliver = (overrides: Partial<DeliverOnceOptions<string>> = {}) =>
    deliverOnce<string>({
      store,
      date: DATE,
      owner: 'run-a',
      targets: ['ann', 'bob'],
      nameOf: (t) => `to-${t}`,
      send: async (t) => {
        sentTo.push(t);
        return { messageId: `<${t}@example.org>` };
      },
      concurrency: 2,
      now: () => T0,
      ...overrides,
    });

  const claimOf = (name: string, store: Store = fs) => getJson<ClaimRecord>(store, deliveryKey(DATE, name));

  it('names each claim state/runs/<date>/deliveries/<name>.json', () => {
    expect(deliveryKey('2026-12-06', 'channel-slack')).toBe('state/runs/2026-12-06/deliveries/channel-slack.json');
    expect(deliveryKey('2026-11-29', '0a1b2c')).toBe('state/runs/2026-11-29/deliveries/0a1b2c.json');
  });

  it('sends to every target once, and marks each claim done with what the send returned', async () => {
    const report = await deliver({ now: () => at(0) });
    expect(report).toEqual({ attempted: 2, sent: 2, failed: 0, skipped: 0, errors: [] });
    expect(sentTo.sort()).toEqual(['ann', 'bob']);
    expect(await fs.list(`state/runs/${DATE}/deliveries/`)).toEqual([
      `state/runs/${DATE}/deliveries/to-ann.json`,
      `state/runs/${DATE}/deliveries/to-bob.json`,
    ]);
    expect(await claimOf('to-ann')).toEqual({
      state: 'done',
      owner: 'run-a',
      claimedAt: '2026-12-06T07:00:00.000Z',
      // The lease: 15 minutes.
      expiresAt: '2026-12-06T07:15:00.000Z',
      completedAt: '2026-12-06T07:00:00.000Z',
      result: { messageId: '<ann@example.org>' },
    });
    expect(DELIVERY_LEASE_MS).toBe(15 * 60_000);
  });

  it('records the claim done at the time the send finished', async () => {
    let clock = at(0);
    const report = await deliver({
      targets: ['ann'],
      now: () => clock,
      send: async () => {
        clock = at(42_000);
        return undefined;
      },
    });
    expect(report.sent).toBe(1);
    const record = await claimOf('to-ann');
    expect(record).toMatchObject({ claimedAt: '2026-12-06T07:00:00.000Z', completedAt: '2026-12-06T07:00:42.000Z' });
    expect(record).not.toHaveProperty('result');
  });

  it('skips, as sent already, every target a second run finds done, and sends nothing again', async () => {
    await deliver();
    const again = await deliver({ owner: 'run-b', now: () => at(60 * 60_000) });
    expect(again).toEqual({ attempted: 0, sent: 0, failed: 0, skipped: 2, skippedBy: { 'sent-already': 2 }, errors: [] });
    expect(sentTo).toEqual(expect.arrayContaining(['ann', 'bob']));
    expect(sentTo).toHaveLength(2);
  });

  it("leaves a crashed run's claim alone until its 15-minute lease has run out, then sends it once", async () => {
    // A run that claimed Ann's delivery and died before sending.
    await claim(fs, deliveryKey(DATE, 'to-ann'), { owner: 'crashed-run', now: at(0), leaseMs: DELIVERY_LEASE_MS });

    const during = await deliver({ owner: 'run-b', now: () => at(DELIVERY_LEASE_MS - 1) });
    expect(during).toMatchObject({ attempted: 1, sent: 1, skipped: 1, skippedBy: { 'sent-already': 1 } });
    expect(sentTo).toEqual(['bob']);

    const after = await deliver({ owner: 'run-c', now: () => at(DELIVERY_LEASE_MS) });
    expect(after).toMatchObject({ attempted: 1, sent: 1, skipped: 1 });
    expect(sentTo).toEqual(['bob', 'ann']);
    expect(await claimOf('to-ann')).toMatchObject({ state: 'done', owner: 'run-c' });
  });

  it('holds its own claim for 15 minutes when it cannot be marked done, so no other run sends it again before then', async () => {
    store.failPutIfMatch = () => true;
    const first = await deliver({ targets: ['ann'], now: () => at(0) });
    expect(first).toEqual({
      attempted: 1,
      sent: 1,
      failed: 0,
      skipped: 0,
      errors: [{ target: 'to-ann', message: 'sent, but the delivery could not be recorded: No space left on device' }],
    });
    store.failPutIfMatch = () => false;
    const before = await deliver({ targets: ['ann'], owner: 'run-b', now: () => at(DELIVERY_LEASE_MS - 1) });
    expect(before).toMatchObject({ sent: 0, skipped: 1 });
    const after = await deliver({ targets: ['ann'], owner: 'run-c', now: () => at(DELIVERY_LEASE_MS) });
    expect(after).toMatchObject({ sent: 1, skipped: 0 });
    expect(sentTo).toEqual(['ann', 'ann']);
  });

  it('says the claim was taken over when another run replaced it while sending', async () => {
    const report = await deliver({
      targets: ['ann'],
      send: async () => {
        // Another run took the claim over meanwhile (its version changed).
        const key = deliveryKey(DATE, 'to-ann');
        const current = (await getJson<ClaimRecord>(fs, key))!;
        await fs.put(key, JSON.stringify({ ...current, owner: 'run-b' }));
        return undefined;
      },
    });
    expect(report).toEqual({
      attempted: 1,
      sent: 1,
      failed: 0,
      skipped: 0,
      errors: [{ target: 'to-ann', message: 'sent, but the delivery could not be recorded: claim taken over' }],
    });
    expect(await claimOf('to-ann')).toMatchObject({ state: 'held', owner: 'run-b' });
  });

  it('counts a failed send, reports its message, gives the claim back, and the next run sends it', async () => {
    const failing = await deliver({
      now: () => at(0),
      send: async (t) => {
        if (t === 'ann') throw new Error('550 mailbox unavailable');
        sentTo.push(t);
        return undefined;
      },
    });
    expect(failing).toEqual({
      attempted: 2,
      sent: 1,
      failed: 1,
      skipped: 0,
      errors: [{ target: 'to-ann', message: '550 mailbox unavailable' }],
    });
    // Given back: its lease ended just before the failure.
    expect(await claimOf('to-ann')).toMatchObject({ state: 'held', owner: 'run-a', expiresAt: '2026-12-06T06:59:59.999Z' });

    const next = await deliver({ owner: 'run-b', now: () => at(1) });
    expect(next).toEqual({ attempted: 1, sent: 1, failed: 0, skipped: 1, skippedBy: { 'sent-already': 1 }, errors: [] });
    expect(sentTo).toEqual(['bob', 'ann']);
  });

  it('describes a failure with describeError when given one', async () => {
    const report = await deliver({
      targets: ['ann'],
      send: async () => {
        throw new Error('550 <ann@example.org> unknown');
      },
      describeError: (t, err) => `${t}: ${err.message.replace(/<[^>]*>/, '***')}`,
    });
    expect(report.errors).toEqual([{ target: 'to-ann', message: 'ann: 550 *** unknown' }]);
  });

  it('keeps the claim until its lease ends when a failed send cannot give it back, and says so', async () => {
    store.failPutIfMatch = () => true;
    const report = await deliver({
      targets: ['ann'],
      now: () => at(0),
      send: async () => {
        throw new Error('421 try again later');
      },
    });
    expect(report).toEqual({
      attempted: 1,
      sent: 0,
      failed: 1,
      skipped: 0,
      errors: [
        { target: 'to-ann', message: '421 try again later' },
        { target: 'to-ann', message: 'claim kept until its lease ends: No space left on device' },
      ],
    });
    store.failPutIfMatch = () => false;
    const before = await deliver({ targets: ['ann'], owner: 'run-b', now: () => at(DELIVERY_LEASE_MS - 1) });
    expect(before).toMatchObject({ attempted: 0, skipped: 1 });
    expect(sentTo).toEqual([]);
  });

  it('reports a target whose claim cannot be written as not sent, and still delivers the others', async () => {
    store.failPutIfAbsent = (key) => key.endsWith('/to-ann.json');
    const report = await deliver({ describeError: (t, err) => `[${t}] ${err.message}` });
    expect(report).toEqual({
      attempted: 1,
      sent: 1,
      failed: 1,
      skipped: 0,
      errors: [
        {
          target: 'to-ann',
          message: `not sent: cannot claim the delivery: [ann] AccessDenied on state/runs/${DATE}/deliveries/to-ann.json`,
        },
      ],
    });
    expect(sentTo).toEqual(['bob']);
  });

  it('has `concurrency` sends in flight at once, never more', async () => {
    let inFlight = 0;
    let most = 0;
    // The first send waits for a second one to start (a generous deadline instead of hanging).
    let openGate!: () => void;
    let deadline: NodeJS.Timeout | undefined;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
      deadline = setTimeout(resolve, 10_000);
    });
    const report = await deliver({
      targets: ['a', 'b', 'c', 'd', 'e'],
      concurrency: 2,
      send: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        if (inFlight === 2) openGate();
        await gate;
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return undefined;
      },
    });
    clearTimeout(deadline);
    expect(report.sent).toBe(5);
    expect(most).toBe(2);
  });
});
