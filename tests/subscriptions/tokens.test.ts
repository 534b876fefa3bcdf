import { randomBytes } from 'node:crypto';
import { FsStore, S3Store, type Store } from '../../src/store';
import {
  confirmToken,
  createToken,
  secretLoaderFromEnv,
  secretsManagerSecretLoader,
  storeSecretLoader,
  subscriberIdFor,
  TOKEN_SECRET_KEY,
  unsubscribeToken,
  verifyToken,
} from '../../src/subscriptions';
import { rm } from 'node:fs/promises';
import { startLocalS3 } from '../helpers/s3';
import { tempDir } from '../helpers/tmp';

const secret = Buffer.from('k'.repeat(48));
const now = new Date('2026-11-29T07:00:00Z');

describe('tokens', () => {
  const id = subscriberIdFor(secret, 'Ann@example.com');

  it('keys subscribers by a keyed hash of the case-folded address', () => {
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    expect(subscriberIdFor(secret, 'ann@EXAMPLE.com')).toBe(id);
    expect(subscriberIdFor(Buffer.from('x'.repeat(48)), 'ann@example.com')).not.toBe(id);
  });

  it('round-trips and never carries the address', () => {
    const token = unsubscribeToken(secret, id, now);
    expect(Buffer.from(token.split('.')[0], 'base64url').toString()).not.toMatch(/ann|example/i);
    const check = verifyToken(secret, token, 'unsubscribe', now);
    expect(check).toEqual({ ok: true, payload: expect.objectContaining({ p: 'unsubscribe', s: id }) });
  });

  it('refuses tampering, another purpose, expiry, another secret and junk', () => {
    const token = confirmToken(secret, id, 'nonce', now);
    const [body, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ p: 'unsubscribe', s: id, e: 9e9 })).toString('base64url');
    expect(verifyToken(secret, `${forged}.${mac}`, 'unsubscribe', now)).toEqual({ ok: false, problem: 'bad-signature' });
    expect(verifyToken(secret, token, 'unsubscribe', now)).toEqual({ ok: false, problem: 'wrong-purpose' });
    expect(verifyToken(secret, token, 'confirm', new Date(now.getTime() + 8 * 86400_000))).toEqual({
      ok: false,
      problem: 'expired',
    });
    expect(verifyToken(Buffer.from('z'.repeat(48)), token, 'confirm', now)).toEqual({ ok: false, problem: 'bad-signature' });
    expect(verifyToken(secret, `${body}.`, 'confirm', now).ok).toBe(false);
    expect(verifyToken(secret, undefined, 'confirm', now).ok).toBe(false);
    expect(verifyToken(secret, 'x'.repeat(2000), 'confirm', now).ok).toBe(false);
    const badPayload = createToken(secret, { p: 'confirm', s: '../../etc', e: 9e9 });
    expect(verifyToken(secret, badPayload, 'confirm', now)).toEqual({ ok: false, problem: 'malformed' });
  });
});

describe('secret loaders', () => {
  it('generates the local secret once and keeps it in state/', async () => {
    const dir = await tempDir('secret-');
    try {
      const store = new FsStore(dir);
      const first = await storeSecretLoader(store)();
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect((await store.get(TOKEN_SECRET_KEY))?.toString().trim()).toBe(first.toString());
      expect((await storeSecretLoader(store)()).equals(first)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('creates one secret when several processes start at once (FsStore and S3Store)', async () => {
    const dir = await tempDir('secret-race-');
    const s3 = await startLocalS3();
    try {
      await s3.createBucket('secret-race');
      const stores: Store[] = [new FsStore(dir), new S3Store({ bucket: 'secret-race', client: s3.client })];
      for (const store of stores) {
        // Separate loaders, as in separate processes: no shared memo.
        const secrets = await Promise.all(Array.from({ length: 6 }, () => storeSecretLoader(store)()));
        const stored = (await store.get(TOKEN_SECRET_KEY))!.toString().trim();
        expect(secrets.map((s) => s.toString())).toEqual(Array(6).fill(stored));
      }
    } finally {
      await s3.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails on a read error instead of creating a new secret, and tries again on the next call', async () => {
    const dir = await tempDir('secret-error-');
    try {
      const store = new FsStore(dir);
      const original = (await storeSecretLoader(store)()).toString();
      let broken = true;
      const writes: string[] = [];
      // The store as an S3 bucket answering 503 SlowDown to reads; writes are recorded.
      const flaky: Store = {
        get: (key) => (broken ? Promise.reject(new Error('SlowDown')) : store.get(key)),
        getVersioned: (key) => store.getVersioned(key),
        put: async (key, body, options) => {
          writes.push(key);
          await store.put(key, body, options);
        },
        putIfAbsent: async (key, body, options) => {
          writes.push(key);
          return store.putIfAbsent(key, body, options);
        },
        putIfMatch: (key, body, version, options) => store.putIfMatch(key, body, version, options),
        delete: (key) => store.delete(key),
        list: (prefix) => store.list(prefix),
        locate: (key) => store.locate(key),
      };
      const load = storeSecretLoader(flaky);
      await expect(load()).rejects.toThrow('SlowDown');
      expect(writes).toEqual([]);
      broken = false;
      expect((await load()).toString()).toBe(original);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads the deployed secret from Secrets Manager through an injected client, once', async () => {
    const value = randomBytes(32).toString('hex');
    const calls: unknown[] = [];
    const client = {
      send: async (command: { input: unknown }) => {
        calls.push(command.input);
        return { SecretString: value };
      },
    };
    const load = secretsManagerSecretLoader(client, 'arn:aws:secretsmanager:eu-west-1:1:secret:token');
    expect((await load()).toString()).toBe(value);
    await load();
    expect(calls).toEqual([{ SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:token' }]);
  });

  it('prefers an explicit value from the environment and refuses a short one', async () => {
    const store = new FsStore('/nonexistent-never-written');
    await expect(secretLoaderFromEnv(store, { RSS_DIGEST_TOKEN_SECRET: 's'.repeat(40) })()).resolves.toEqual(
      Buffer.from('s'.repeat(40)),
    );
    await expect(secretLoaderFromEnv(store, { RSS_DIGEST_TOKEN_SECRET: 'short' })()).rejects.toThrow(/at least 32/);
  });
});
