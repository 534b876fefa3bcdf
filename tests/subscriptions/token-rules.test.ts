/**
 * The exact rules of the signed links (lifetimes, expiry boundary, what a payload must hold), of the
 * secret that signs them, and of the strict JSON reading of request bodies.
 */
import { createHmac } from 'node:crypto';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { FsStore } from '../../src/store';
import {
  confirmToken,
  createToken,
  memoizeSecret,
  preferencesToken,
  SecretError,
  secretLoaderFromEnv,
  secretsManagerSecretLoader,
  storeSecretLoader,
  subscriberIdFor,
  TOKEN_SECRET_ENV,
  TOKEN_SECRET_KEY,
  unsubscribeToken,
  valueSecretLoader,
  verifyToken,
} from '../../src/subscriptions';
import { parseJsonBody } from '../../src/subscriptions/json-body';
import { StoreWrapper } from '../helpers/store-wrapper';
import { tempDir } from '../helpers/tmp';

const secret = Buffer.from('t'.repeat(40));
const now = new Date('2026-12-01T10:00:00.500Z');
const nowSeconds = Math.floor(now.getTime() / 1000);
const id = subscriberIdFor(secret, 'reader@example.org');
const DAY = 24 * 3600;

const payloadOf = (token: string): unknown => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
/** A token signed the documented way: HMAC-SHA256 over "rss-digest-token.v1." + the encoded payload. */
const signed = (payload: unknown, key = secret): string => {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${createHmac('sha256', key).update(`rss-digest-token.v1.${body}`).digest('base64url')}`;
};

describe('token lifetimes and payloads', () => {
  it('confirm links last 7 days and carry the nonce; unsubscribe and preferences links last 400 days', () => {
    expect(payloadOf(confirmToken(secret, id, 'nonce-1', now))).toEqual({
      p: 'confirm',
      s: id,
      e: nowSeconds + 7 * DAY,
      n: 'nonce-1',
    });
    expect(payloadOf(unsubscribeToken(secret, id, now))).toEqual({ p: 'unsubscribe', s: id, e: nowSeconds + 400 * DAY });
    expect(payloadOf(preferencesToken(secret, id, now))).toEqual({ p: 'preferences', s: id, e: nowSeconds + 400 * DAY });
  });

  it('are signed as documented, so a token made elsewhere with the secret verifies', () => {
    const payload = { p: 'unsubscribe', s: id, e: nowSeconds + 60 };
    expect(createToken(secret, payload as never)).toBe(signed(payload));
    expect(verifyToken(secret, signed(payload), 'unsubscribe', now)).toEqual({ ok: true, payload });
  });

  it('work until the second they expire, not after', () => {
    const token = signed({ p: 'confirm', s: id, e: 2_000_000_000, n: 'x' });
    expect(verifyToken(secret, token, 'confirm', new Date(2_000_000_000_000)).ok).toBe(true);
    expect(verifyToken(secret, token, 'confirm', new Date(2_000_000_000_001))).toEqual({ ok: false, problem: 'expired' });
  });

  it('keys subscribers by the first 40 hex digits of an HMAC of the lower-cased address', () => {
    expect(id).toBe(
      createHmac('sha256', secret).update('rss-digest-subscriber.v1.reader@example.org').digest('hex').slice(0, 40),
    );
    expect(subscriberIdFor(secret, 'Reader@Example.ORG')).toBe(id);
  });
});

describe('verifyToken refuses', () => {
  it.each([
    ['a number', 42],
    ['no dot', 'abc'],
    ['two dots', 'a.b.c'],
    ['characters outside base64url', 'ab+c.def'],
    ['an empty signature', 'abc.'],
    ['a space at the end', `${signed({ p: 'confirm', s: id, e: 9e9 })} `],
    ['a line before it', `x\n${signed({ p: 'confirm', s: id, e: 9e9 })}`],
  ])('%s as malformed', (_name, token) => {
    expect(verifyToken(secret, token, 'confirm', now)).toEqual({ ok: false, problem: 'malformed' });
  });

  it('a token longer than 512 characters, even when signed', () => {
    const long = signed({ p: 'confirm', s: id, e: 9e9, n: 'x'.repeat(330) });
    expect(long.length).toBeGreaterThan(512);
    expect(verifyToken(secret, long, 'confirm', now)).toEqual({ ok: false, problem: 'malformed' });
    // The longest token accepted: exactly 512 characters.
    const lengths = Array.from({ length: 40 }, (_, i) => signed({ p: 'confirm', s: id, e: 9e9, n: 'x'.repeat(250 + i) }));
    const fits = lengths.find((t) => t.length === 512)!;
    expect(fits).toHaveLength(512);
    expect(verifyToken(secret, fits, 'confirm', now).ok).toBe(true);
  });

  it.each([
    ['a body that is not JSON', null],
    ['null', 'null'],
    ['no subscriber', { p: 'confirm', e: 9e9 }],
    ['a subscriber id that is not 40 hex digits', { p: 'confirm', s: id.toUpperCase(), e: 9e9 }],
    ['a subscriber id with more around it', { p: 'confirm', s: `${id}0`, e: 9e9 }],
    ['a numeric subscriber', { p: 'confirm', s: 1234, e: 9e9 }],
    ['a subscriber id inside an array', { p: 'confirm', s: [id], e: 9e9 }],
    ['an expiry that is not a number', { p: 'confirm', s: id, e: '9999999999' }],
  ])('a signed payload with %s as malformed', (_name, payload) => {
    const token =
      payload === null
        ? (() => {
            const body = Buffer.from('not json').toString('base64url');
            return `${body}.${createHmac('sha256', secret).update(`rss-digest-token.v1.${body}`).digest('base64url')}`;
          })()
        : typeof payload === 'string'
          ? (() => {
              const body = Buffer.from(payload).toString('base64url');
              return `${body}.${createHmac('sha256', secret).update(`rss-digest-token.v1.${body}`).digest('base64url')}`;
            })()
          : signed(payload);
    expect(verifyToken(secret, token, 'confirm', now)).toEqual({ ok: false, problem: 'malformed' });
  });

  it('a signature of another length or by another key', () => {
    const token = signed({ p: 'confirm', s: id, e: 9e9 });
    expect(verifyToken(secret, `${token}A`, 'confirm', now)).toEqual({ ok: false, problem: 'bad-signature' });
    expect(verifyToken(secret, token.slice(0, -1), 'confirm', now)).toEqual({ ok: false, problem: 'bad-signature' });
    expect(verifyToken(secret, signed({ p: 'confirm', s: id, e: 9e9 }, Buffer.from('u'.repeat(40))), 'confirm', now)).toEqual({
      ok: false,
      problem: 'bad-signature',
    });
  });
});

describe('the token secret', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('token-secret-');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is read from the environment variables the stack sets', () => {
    expect(TOKEN_SECRET_ENV).toEqual({ value: 'RSS_DIGEST_TOKEN_SECRET', secretsManagerId: 'RSS_DIGEST_TOKEN_SECRET_ID' });
    expect(TOKEN_SECRET_KEY).toBe('state/secrets/token-secret');
  });

  it('is trimmed, and refused below 32 characters, naming where it came from', async () => {
    await expect(valueSecretLoader(`  ${'v'.repeat(32)}\n`)()).resolves.toEqual(Buffer.from('v'.repeat(32)));
    await expect(valueSecretLoader('v'.repeat(31))()).rejects.toThrow(
      new SecretError('RSS_DIGEST_TOKEN_SECRET: the token secret must be at least 32 characters'),
    );
    await expect(valueSecretLoader(undefined)()).rejects.toThrow(
      'RSS_DIGEST_TOKEN_SECRET: the token secret must be at least 32 characters',
    );
    const err = await valueSecretLoader('short')().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretError);
    expect((err as Error).name).toBe('SecretError');
  });

  it('is created in the store as 64 hex digits and a newline, as plain text', async () => {
    const store = new FsStore(dir);
    const secretValue = await storeSecretLoader(store)();
    expect((await store.get(TOKEN_SECRET_KEY))!.toString()).toMatch(/^[0-9a-f]{64}\n$/);
    expect(secretValue.toString()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('in the store, is refused when too short, naming the file', async () => {
    const store = new FsStore(dir);
    await store.put(TOKEN_SECRET_KEY, Buffer.from('short\n'));
    await expect(storeSecretLoader(store)()).rejects.toThrow(
      `${store.locate(TOKEN_SECRET_KEY)}: the token secret must be at least 32 characters`,
    );
  });

  it('in the store already, is read and never written again (a role that may only read it still works)', async () => {
    const fs = new FsStore(dir);
    const stored = 'f'.repeat(64);
    await fs.put(TOKEN_SECRET_KEY, Buffer.from(`${stored}\n`));
    const readOnly = new (class extends StoreWrapper {
      override putIfAbsent = async (): Promise<boolean> => {
        throw new Error('AccessDenied: s3:PutObject');
      };
    })(fs);
    expect((await storeSecretLoader(readOnly)()).toString()).toBe(stored);
  });

  it('fails clearly when the created secret cannot be read back', async () => {
    const fs = new FsStore(dir);
    // The store as a bucket whose reads lag behind its writes: the secret just created is not there yet.
    const vanishing = new (class extends StoreWrapper {
      override get = async (): Promise<undefined> => undefined;
    })(fs);
    await expect(storeSecretLoader(vanishing)()).rejects.toThrow(
      new SecretError(`${fs.locate(TOKEN_SECRET_KEY)}: the token secret vanished right after it was created`),
    );
  });

  it('from Secrets Manager: a failed call names the secret and keeps the cause; a short value names the source', async () => {
    const cause = new Error('AccessDenied');
    const failing = secretsManagerSecretLoader({ send: async () => Promise.reject(cause) }, 'token-secret-id');
    const err = await failing().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretError);
    expect((err as Error).message).toBe('Cannot read the token secret from Secrets Manager (token-secret-id)');
    expect((err as Error).cause).toBe(cause);
    await expect(secretsManagerSecretLoader({ send: async () => ({ SecretString: 'short' }) }, 'sid')()).rejects.toThrow(
      'Secrets Manager sid: the token secret must be at least 32 characters',
    );
    await expect(secretsManagerSecretLoader({ send: async () => ({}) }, 'sid')()).rejects.toThrow(
      'Secrets Manager sid: the token secret must be at least 32 characters',
    );
  });

  it('with a Secrets Manager id in the environment, comes from Secrets Manager and never from the store', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(p));
      });
    });
    const saved = { ...process.env };
    // The SDK's own client, sent to a local port where nothing listens.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_MAX_ATTEMPTS: '1',
    });
    try {
      const store = new FsStore(dir);
      const err = await secretLoaderFromEnv(store, { RSS_DIGEST_TOKEN_SECRET_ID: 'digest-token' })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SecretError);
      expect((err as Error).message).toBe('Cannot read the token secret from Secrets Manager (digest-token)');
      expect(await store.get(TOKEN_SECRET_KEY)).toBeUndefined();
    } finally {
      process.env = saved;
    }
  });

  it('without an explicit value or a Secrets Manager id in the environment, comes from the store', async () => {
    const store = new FsStore(dir);
    const loaded = await secretLoaderFromEnv(store, { RSS_DIGEST_TOKEN_SECRET: '' })();
    expect((await store.get(TOKEN_SECRET_KEY))!.toString().trim()).toBe(loaded.toString());
  });

  it('is loaded once, and a failed load is tried again', async () => {
    let calls = 0;
    const load = memoizeSecret(async () => {
      calls++;
      if (calls === 1) throw new Error('first fails');
      return Buffer.from(`secret-${calls}`);
    });
    await expect(load()).rejects.toThrow('first fails');
    expect((await load()).toString()).toBe('secret-2');
    expect((await load()).toString()).toBe('secret-2');
    expect(calls).toBe(2);
  });
});

describe('parseJsonBody', () => {
  it.each([
    ['{"email": "a@example.org"}', { ok: true, value: { email: 'a@example.org' } }],
    ['[1, 2]', { ok: true, value: [1, 2] }],
    ['"text"', { ok: true, value: 'text' }],
    ['{"a": {"b": 1}, "c": {"b": 2}}', { ok: true, value: { a: { b: 1 }, c: { b: 2 } } }],
    ['{"email": 1, "email": 2}', { ok: false, problem: 'duplicate-key' }],
    ['{"email": 1, "\\u0065mail": 2}', { ok: false, problem: 'duplicate-key' }],
    ['{"email": ', { ok: false, problem: 'syntax' }],
    ["{'email': 1}", { ok: false, problem: 'syntax' }],
    ['', { ok: false, problem: 'syntax' }],
  ])('%s', async (text, result) => {
    expect(await parseJsonBody(text)).toEqual(result);
  });
});
