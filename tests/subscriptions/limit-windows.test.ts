import { createHmac } from 'node:crypto';
/**
 * The sign-up limiter's windows in a real filesystem store: where a window ends exactly, clocks
 * that differ between processes, windows other requests keep changing, hand-edited windows and
 * stores that fail halfway.
 */
import { rm } from 'node:fs/promises';
import { FsStore, type Store } from '../../src/store';
import { clientGroup, createSignupLimiter, LIMITS_PREFIX, signupLimits, type SignupLimits } from '../../src/subscriptions/limits';
import { StoreWrapper } from '../helpers/store-wrapper';
import { tempDir } from '../helpers/tmp';

const secret = Buffer.from('window-secret-'.repeat(3));
const START = new Date('2026-11-29T08:00:00.000Z');
const at = (minutes: number, seconds = 0): Date => new Date(START.getTime() + minutes * 60_000 + seconds * 1000);

let dir: string;
let store: FsStore;
beforeEach(async () => {
  dir = await tempDir('limit-windows-');
  store = new FsStore(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const limits = (client: number, global: number): SignupLimits =>
  signupLimits({ signupsPerClientPerHour: client, confirmationsPerHour: global });

describe('signupLimits', () => {
  it('are per client and globally per hour, and one mail per address per 10 minutes', () => {
    expect(limits(5, 200)).toEqual({
      client: { max: 5, windowSeconds: 3600 },
      address: { max: 1, windowSeconds: 600 },
      global: { max: 200, windowSeconds: 3600 },
    });
  });
});

describe('the sign-up limiter', () => {
  it('frees a slot exactly when its window has passed, not a millisecond before', async () => {
    const admit = createSignupLimiter(store, limits(5, 200));
    expect((await admit({ secret, address: 'a@example.org', at: START })).ok).toBe(true);
    expect(await admit({ secret, address: 'a@example.org', at: new Date(at(10).getTime() - 1) })).toEqual({
      ok: false,
      limit: 'address',
      retryAfterSeconds: 1,
    });
    expect((await admit({ secret, address: 'A@Example.org', at: at(10) })).ok).toBe(true);
  });

  it('waits for the oldest hit still counted, even when a process with a slower clock wrote after a faster one', async () => {
    const admit = createSignupLimiter(store, limits(2, 200));
    expect((await admit({ secret, address: 'a@example.org', clientIp: '198.51.100.7', at: at(20) })).ok).toBe(true);
    expect((await admit({ secret, address: 'b@example.org', clientIp: '198.51.100.7', at: START })).ok).toBe(true);
    expect(await admit({ secret, address: 'c@example.org', clientIp: '198.51.100.7', at: at(30) })).toEqual({
      ok: false,
      limit: 'client',
      retryAfterSeconds: 1800,
    });
  });

  it('keeps the windows as sorted lists of the times let through', async () => {
    const admit = createSignupLimiter(store, limits(5, 200));
    await admit({ secret, address: 'a@example.org', at: at(5) });
    await admit({ secret, address: 'b@example.org', at: START });
    expect(JSON.parse((await store.get(`${LIMITS_PREFIX}/global.json`))!.toString())).toEqual({
      version: 1,
      hits: [START.getTime(), at(5).getTime()],
    });
  });

  it('gives back exactly the slot of a released sign-up', async () => {
    const admit = createSignupLimiter(store, limits(5, 200));
    await admit({ secret, address: 'a@example.org', at: START });
    const second = await admit({ secret, address: 'b@example.org', at: at(1) });
    await admit({ secret, address: 'c@example.org', at: at(2) });
    if (!second.ok) throw new Error('expected the second sign-up to be let through');
    await second.release();
    expect(JSON.parse((await store.get(`${LIMITS_PREFIX}/global.json`))!.toString()).hits).toEqual([
      START.getTime(),
      at(2).getTime(),
    ]);
    // Released twice: the slot is gone already, nothing else is taken.
    await second.release();
    expect(JSON.parse((await store.get(`${LIMITS_PREFIX}/global.json`))!.toString()).hits).toEqual([
      START.getTime(),
      at(2).getTime(),
    ]);
  });

  it('starts afresh from a window record of another shape', async () => {
    await store.put(`${LIMITS_PREFIX}/global.json`, Buffer.from('{"version": 1, "hits": "many"}'));
    const admit = createSignupLimiter(store, limits(5, 1));
    expect((await admit({ secret, address: 'a@example.org', at: START })).ok).toBe(true);
    expect(JSON.parse((await store.get(`${LIMITS_PREFIX}/global.json`))!.toString())).toEqual({
      version: 1,
      hits: [START.getTime()],
    });
  });

  it('counts a window other requests keep changing as full for 5 seconds, and gives back what it took', async () => {
    const admit = createSignupLimiter(store, limits(5, 200));
    await admit({ secret, address: 'first@example.org', at: START });
    // Every conditional write to the global window loses, as if other processes kept taking its slots.
    let globalAttempts = 0;
    const contended = new (class extends StoreWrapper {
      override putIfMatch = async (key: string, body: Buffer | string, version: string): Promise<boolean> => {
        if (!key.endsWith('global.json')) return store.putIfMatch(key, body, version);
        globalAttempts++;
        return false;
      };
    })(store);
    const refused = await createSignupLimiter(contended, limits(5, 200))({ secret, address: 'second@example.org', at: at(1) });
    expect(refused).toEqual({ ok: false, limit: 'global', retryAfterSeconds: 5 });
    // Eight lost races in a row, then it gives up.
    expect(globalAttempts).toBe(8);
    // The address window it had taken is free again.
    expect((await admit({ secret, address: 'second@example.org', at: at(1) })).ok).toBe(true);
  });

  it('reports a slot it could not give back because other requests kept changing its window', async () => {
    const errors: Error[] = [];
    const contended = new (class extends StoreWrapper {
      override putIfMatch = async (): Promise<boolean> => false;
    })(store);
    const admitted = await createSignupLimiter(contended, limits(5, 200), (err) => errors.push(err as Error))({
      secret,
      address: 'a@example.org',
      at: START,
    });
    if (!admitted.ok) throw new Error('expected a slot');
    await admitted.release();
    expect(errors.map((e) => [e.name, e.message])).toEqual([
      [
        'LimitContendedError',
        expect.stringMatching(/^Could not update state\/limits\/address\/[0-9a-f]{40}\.json: other requests kept changing it$/),
      ],
      ['LimitContendedError', 'Could not update state/limits/global.json: other requests kept changing it'],
    ]);
  });

  it('gives back what it took when the store fails halfway, and throws', async () => {
    const failing = new (class extends StoreWrapper {
      override getVersioned = async (key: string) => {
        if (key.endsWith('global.json')) throw new Error('store unavailable');
        return store.getVersioned(key);
      };
    })(store);
    await expect(
      createSignupLimiter(failing, limits(5, 200))({ secret, address: 'a@example.org', clientIp: '198.51.100.7', at: START }),
    ).rejects.toThrow('store unavailable');
    const admit = createSignupLimiter(store, limits(1, 200));
    expect((await admit({ secret, address: 'a@example.org', clientIp: '198.51.100.7', at: START })).ok).toBe(true);
  });

  it('reports a slot it cannot give back, and gives back the others', async () => {
    const errors: unknown[] = [];
    const readOnlyGlobal = new (class extends StoreWrapper {
      override putIfMatch = async (key: string, body: Buffer | string, version: string): Promise<boolean> => {
        if (key.endsWith('global.json')) throw new Error('global window is read-only');
        return store.putIfMatch(key, body, version);
      };
    })(store);
    const admit = createSignupLimiter(readOnlyGlobal, limits(5, 200), (err) => errors.push((err as Error).message));
    const admitted = await admit({ secret, address: 'a@example.org', at: START });
    if (!admitted.ok) throw new Error('expected a slot');
    await admitted.release();
    expect(errors).toEqual(['global window is read-only']);
    // The address slot was given back: the same address may sign up again at once.
    expect((await createSignupLimiter(store, limits(5, 200))({ secret, address: 'a@example.org', at: at(1) })).ok).toBe(true);
  });
});

describe('clientGroup, more forms', () => {
  it.each([
    [' 192.0.2.1 ', '192.0.2.1'],
    ['[::FFFF:192.0.2.1]', '192.0.2.1'],
    ['::ffff:999.0.0.1', '::ffff:999.0.0.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:0003:0004:0005:0006', '2001:db8:1:2::/64'],
    ['1::2:3:4:5:1.2.3.4', '1:0:2:3::/64'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4::/64'],
    ['fe80::1%25eth0', 'fe80:0:0:0::/64'],
    ['::ffff:192.0.2.1%eth0', '192.0.2.1'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['x::ffff:192.0.2.1', 'x::ffff:192.0.2.1'],
    ['::ffff:192.0.2.1x', '::ffff:192.0.2.1x'],
    ['proxy[1]', 'proxy[1]'],
    ['[proxy]1', '[proxy]1'],
    ['unknown', 'unknown'],
    ['Proxy-Placeholder', 'proxy-placeholder'],
  ])('%j counts as %j', (address, group) => {
    expect(clientGroup(address)).toBe(group);
  });
});

describe('window keys', () => {
  const hmacKey = (limit: string, value: string): string =>
    createHmac('sha256', secret).update(`rss-digest-limit.v1.${limit}.${value}`).digest('hex').slice(0, 40);

  it('are the same as in earlier versions, so an upgrade keeps counting the same windows', async () => {
    await createSignupLimiter(store, limits(5, 200))({ secret, address: 'a@example.org', clientIp: '192.0.2.1', at: START });
    expect((await store.list(LIMITS_PREFIX)).sort()).toEqual([
      `${LIMITS_PREFIX}/address/${hmacKey('address', 'a@example.org')}.json`,
      `${LIMITS_PREFIX}/client/${hmacKey('client', '192.0.2.1')}.json`,
      `${LIMITS_PREFIX}/global.json`,
    ]);
  });

  it('a refused sign-up touches no key but its own windows', async () => {
    const touched: string[] = [];
    const recording = new (class extends StoreWrapper {
      override getVersioned = async (key: string) => {
        touched.push(key);
        return store.getVersioned(key);
      };
    })(store);
    const admit = createSignupLimiter(recording, limits(1, 200));
    await admit({ secret, address: 'a@example.org', clientIp: '192.0.2.1', at: START });
    touched.length = 0;
    expect(await admit({ secret, address: 'b@example.org', clientIp: '192.0.2.1', at: at(1) })).toMatchObject({
      ok: false,
      limit: 'client',
    });
    expect(touched).toEqual([`${LIMITS_PREFIX}/client/${hmacKey('client', '192.0.2.1')}.json`]);
  });

  it('differ per client group and per address, but not per spelling of either', async () => {
    const admit = createSignupLimiter(store, limits(5, 200));
    await admit({ secret, address: 'a@example.org', clientIp: '2001:db8:1:2::1', at: START });
    await admit({ secret, address: 'A@example.org', clientIp: '2001:db8:1:2::ffff', at: at(11) });
    await admit({ secret, address: 'b@example.org', clientIp: '192.0.2.1', at: at(12) });
    const keys = await (store as Store).list(LIMITS_PREFIX);
    expect(keys.filter((k) => k.startsWith(`${LIMITS_PREFIX}/client/`))).toHaveLength(2);
    expect(keys.filter((k) => k.startsWith(`${LIMITS_PREFIX}/address/`))).toHaveLength(2);
    const otherSecret = createSignupLimiter(store, limits(5, 200));
    await otherSecret({ secret: Buffer.from('another-secret-'.repeat(3)), address: 'a@example.org', at: at(13) });
    expect((await store.list(`${LIMITS_PREFIX}/address/`)).length).toBe(3);
  });
});
