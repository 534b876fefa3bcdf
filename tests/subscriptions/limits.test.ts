/**
 * Sign-up limits kept in the store: the endpoint core against a filesystem store and against the
 * S3 store on a local S3 server that honours conditional writes, with a recording mailer.
 * Two endpoint instances over one store stand for two processes (two Lambda instances, or serve
 * and a Lambda).
 */
import { rm } from 'node:fs/promises';
import type { Mailer, MailMessage } from '../../src/email/mailers';
import { FsStore, S3Store, type Store } from '../../src/store';
import {
  createSubscriptionEndpoint,
  valueSecretLoader,
  type EndpointRequest,
  type SubscriptionEndpoint,
  type SubscriptionEndpointDeps,
} from '../../src/subscriptions';
import { clientGroup, LIMITS_PREFIX } from '../../src/subscriptions/limits';
import { parseConfig } from '../../src/config';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { tempDir } from '../helpers/tmp';

const SECRET = 'limits-test-secret-'.repeat(3);
const START = new Date('2026-11-29T08:00:00Z');

interface StoreHarness {
  name: string;
  create(): Promise<Store>;
}

let s3: LocalS3 | undefined;
const dirs: string[] = [];
let bucketNo = 0;

const stores: StoreHarness[] = [
  {
    name: 'FsStore',
    create: async () => {
      const dir = await tempDir('limits-');
      dirs.push(dir);
      return new FsStore(dir);
    },
  },
  {
    name: 'S3Store (s3rver)',
    create: async () => {
      s3 ??= await startLocalS3();
      const bucket = `limits-${++bucketNo}`;
      await s3.createBucket(bucket);
      return new S3Store({ bucket, client: s3.client });
    },
  },
];

afterAll(async () => {
  await s3?.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A mailer that records the recipients of what it was asked to send. */
const recordingMailer = (sent: string[]): Mailer => ({
  kind: 'outbox',
  async send(message: MailMessage) {
    sent.push(message.to);
    return { location: 'memory' };
  },
});

interface Process {
  endpoint: SubscriptionEndpoint;
}

const signup = (email: string, clientIp?: string, headers: Record<string, string> = {}): EndpointRequest => ({
  method: 'POST',
  path: '/api/subscribe',
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
  body: `email=${encodeURIComponent(email)}`,
  clientIp,
});

describe.each(stores)('sign-up limits over $name', ({ create }) => {
  let store: Store;
  let sent: string[];
  const clock = { now: START };

  /** One endpoint "process" over the shared store. */
  const start = (limits: Partial<SubscriptionEndpointDeps['limits']> = {}): Process => ({
    endpoint: createSubscriptionEndpoint({
      store,
      mailer: recordingMailer(sent),
      secret: valueSecretLoader(SECRET),
      siteUrl: 'https://digest.example.org',
      endpointUrl: 'https://digest.example.org/api',
      title: 'Morning Digest',
      lang: 'en',
      from: 'digest@example.org',
      limits: { signupsPerClientPerHour: 5, confirmationsPerHour: 200, ...limits },
      now: () => clock.now,
    }),
  });
  const statuses = async (p: Process, requests: EndpointRequest[]): Promise<number[]> => {
    const out: number[] = [];
    for (const request of requests) out.push((await p.endpoint(request)).status);
    return out;
  };
  const burst = (count: number, clientIp: string, prefix = clientIp): EndpointRequest[] =>
    Array.from({ length: count }, (_, i) => signup(`reader${i}-${prefix.replace(/\W/g, '')}@example.org`, clientIp));

  beforeEach(async () => {
    store = await create();
    sent = [];
    clock.now = START;
  });

  it('lets a burst from one client through up to its limit, and another client still subscribes', async () => {
    const p = start();
    expect(await statuses(p, burst(8, '198.51.100.7'))).toEqual([202, 202, 202, 202, 202, 429, 429, 429]);
    const refused = await p.endpoint(signup('one-more@example.org', '198.51.100.7'));
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'too-many-signups' });
    // The window is an hour from the first sign-up: all of it is left.
    expect(refused.headers['retry-after']).toBe('3600');

    expect((await p.endpoint(signup('neighbour@example.org', '203.0.113.9'))).status).toBe(202);
    // A library call (no client address) is limited per address and globally only.
    expect((await p.endpoint(signup('library@example.org'))).status).toBe(202);
    expect(sent).toHaveLength(7);
  });

  it('slides: a slot frees an hour after the sign-up that took it', async () => {
    const p = start({ signupsPerClientPerHour: 2 });
    expect((await p.endpoint(signup('a@example.org', '198.51.100.7'))).status).toBe(202);
    clock.now = new Date(START.getTime() + 20 * 60_000);
    expect((await p.endpoint(signup('b@example.org', '198.51.100.7'))).status).toBe(202);
    clock.now = new Date(START.getTime() + 50 * 60_000);
    const refused = await p.endpoint(signup('c@example.org', '198.51.100.7'));
    expect([refused.status, refused.headers['retry-after']]).toEqual([429, String(10 * 60)]);
    clock.now = new Date(START.getTime() + 60 * 60_000 + 1000);
    expect((await p.endpoint(signup('c@example.org', '198.51.100.7'))).status).toBe(202);
    // b's slot is still taken: the window slides, it does not reset.
    expect((await p.endpoint(signup('d@example.org', '198.51.100.7'))).status).toBe(429);
  });

  it('shares the per-client limit between two processes', async () => {
    const [first, second] = [start({ signupsPerClientPerHour: 3 }), start({ signupsPerClientPerHour: 3 })];
    expect(await statuses(first, burst(2, '198.51.100.7', 'first'))).toEqual([202, 202]);
    expect(await statuses(second, burst(2, '198.51.100.7', 'second'))).toEqual([202, 429]);
    expect((await first.endpoint(signup('x@example.org', '198.51.100.7'))).status).toBe(429);
    expect(sent).toHaveLength(3);
  });

  it('shares the global ceiling between two processes, even when their requests race', async () => {
    const [first, second] = [start({ confirmationsPerHour: 4 }), start({ confirmationsPerHour: 4 })];
    const requests = Array.from({ length: 10 }, (_, i) =>
      (i % 2 ? first : second).endpoint(signup(`racer${i}@example.org`, `192.0.2.${i + 1}`)),
    );
    const answers = (await Promise.all(requests)).map((r) => r.status).sort();
    expect(answers).toEqual([202, 202, 202, 202, 429, 429, 429, 429, 429, 429]);
    expect(sent).toHaveLength(4);
  });

  it('stops everyone once the global ceiling is reached, with Retry-After from the window', async () => {
    const p = start({ confirmationsPerHour: 3 });
    for (const [i, minute] of [0, 10, 20].entries()) {
      clock.now = new Date(START.getTime() + minute * 60_000);
      expect((await p.endpoint(signup(`early${i}@example.org`, `192.0.2.${i + 1}`))).status).toBe(202);
    }
    clock.now = new Date(START.getTime() + 30 * 60_000);
    for (const request of [signup('late@example.org', '203.0.113.50'), signup('library@example.org')]) {
      const refused = await p.endpoint(request);
      expect([refused.status, JSON.parse(refused.body).code, refused.headers['retry-after']]).toEqual([429, 'busy', '1800']);
    }
    // The first sign-up leaves the window at 09:00.
    clock.now = new Date(START.getTime() + 60 * 60_000);
    expect((await p.endpoint(signup('late@example.org', '203.0.113.50'))).status).toBe(202);
    expect(sent).toHaveLength(4);
  });

  it("does not let one client's refused burst use up the global budget", async () => {
    const p = start({ signupsPerClientPerHour: 2, confirmationsPerHour: 6 });
    expect(await statuses(p, burst(10, '198.51.100.7'))).toEqual([202, 202, 429, 429, 429, 429, 429, 429, 429, 429]);
    const others = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4'].map((ip) => signup(`r-${ip}@example.org`, ip));
    expect(await statuses(p, others)).toEqual([202, 202, 202, 202]);
    expect((await p.endpoint(signup('seventh@example.org', '203.0.113.5'))).status).toBe(429);
  });

  it('counts a request for its connection address, whatever X-Forwarded-For says', async () => {
    const p = start({ signupsPerClientPerHour: 2 });
    const forwarded = (email: string, clientIp: string, xff: string): EndpointRequest =>
      signup(email, clientIp, { 'x-forwarded-for': xff });
    expect(
      await statuses(p, [
        forwarded('a@example.org', '198.51.100.7', '203.0.113.1'),
        forwarded('b@example.org', '198.51.100.7', '203.0.113.2'),
        forwarded('c@example.org', '198.51.100.7', '203.0.113.3, 10.0.0.1'),
      ]),
    ).toEqual([202, 202, 429]);
    // Another connection claiming to forward for the limited client is its own client.
    expect((await p.endpoint(forwarded('d@example.org', '198.51.100.8', '198.51.100.7'))).status).toBe(202);
  });

  it('groups IPv6 clients by /64, and an IPv4-mapped address with its IPv4', async () => {
    const p = start({ signupsPerClientPerHour: 2 });
    expect(
      await statuses(p, [
        signup('a@example.org', '2001:db8:1:2::1'),
        signup('b@example.org', '2001:db8:1:2:ffff:ffff:ffff:9'),
        signup('c@example.org', '2001:0db8:0001:0002::abcd'),
        signup('d@example.org', '2001:db8:1:3::1'),
        signup('e@example.org', '192.0.2.44'),
        signup('f@example.org', '::ffff:192.0.2.44'),
        signup('g@example.org', '::ffff:192.0.2.44'),
      ]),
    ).toEqual([202, 202, 429, 202, 202, 202, 429]);
  });

  it('keeps the windows under state/limits/ keyed by HMAC, never by the address or IP', async () => {
    const p = start();
    await p.endpoint(signup('Private.Person@example.org', '198.51.100.7'));
    const keys = await store.list(LIMITS_PREFIX);
    expect(keys).toEqual([
      expect.stringMatching(/^state\/limits\/address\/[0-9a-f]{40}\.json$/),
      expect.stringMatching(/^state\/limits\/client\/[0-9a-f]{40}\.json$/),
      'state/limits/global.json',
    ]);
    const everything = JSON.stringify(await Promise.all(keys.map(async (k) => [k, (await store.get(k))!.toString()])));
    expect(everything).not.toMatch(/private|person|example|198\.51/i);
  });

  it('gives the slots back when the mail fails, so a retry is not refused', async () => {
    let failing = true;
    const p = createSubscriptionEndpoint({
      store,
      mailer: {
        kind: 'outbox',
        async send(message) {
          if (failing) throw new Error('mail server down');
          sent.push(message.to);
          return { location: 'memory' };
        },
      },
      secret: valueSecretLoader(SECRET),
      siteUrl: 'https://digest.example.org',
      endpointUrl: 'https://digest.example.org/api',
      title: 'Morning Digest',
      lang: 'en',
      from: 'digest@example.org',
      limits: { signupsPerClientPerHour: 1, confirmationsPerHour: 1 },
      now: () => clock.now,
    });
    expect((await p(signup('retry@example.org', '198.51.100.7'))).status).toBe(503);
    expect((await p(signup('retry@example.org', '198.51.100.7'))).status).toBe(503);
    failing = false;
    expect((await p(signup('retry@example.org', '198.51.100.7'))).status).toBe(202);
    expect(sent).toEqual(['retry@example.org']);
  });
});

describe('clientGroup', () => {
  it('keeps IPv4, folds IPv6 to its /64 and IPv4-mapped IPv6 to IPv4', () => {
    expect(clientGroup('192.0.2.1')).toBe('192.0.2.1');
    expect(clientGroup('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientGroup('2001:DB8:0:0:1::5')).toBe('2001:db8:0:0::/64');
    expect(clientGroup('[2001:db8::1]')).toBe('2001:db8:0:0::/64');
    expect(clientGroup('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientGroup('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(clientGroup('::1')).toBe('0:0:0:0::/64');
  });
});

describe('email limit settings', () => {
  it('default to 5 per client and 200 per hour; maxConfirmationsPerRun still loads, as an alias', () => {
    expect(parseConfig({}).email).toMatchObject({ maxSignupsPerClientPerHour: 5, maxConfirmationsPerHour: 200 });
    expect(parseConfig({ email: { maxConfirmationsPerRun: 50 } }).email.maxConfirmationsPerHour).toBe(50);
    expect(
      parseConfig({ email: { maxConfirmationsPerRun: 50, maxConfirmationsPerHour: 120 } }).email.maxConfirmationsPerHour,
    ).toBe(120);
    expect(() => parseConfig({ email: { maxSignupsPerClientPerHour: 0 } })).toThrow(/maxSignupsPerClientPerHour/);
  });
});
