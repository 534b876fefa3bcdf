/**
 * S3Store against a server that answers like Amazon S3 to a least-privilege role: a GET of a missing
 * key is 403 AccessDenied (not 404) when the role's ListBucket does not count for it. A missing key
 * must still read as missing, and a denied read must never.
 */
import { S3Store, getJsonVersioned } from '../../src/store';
import { startLocalS3, type LocalS3 } from '../helpers/s3';

const BUCKET = 'denied-reads';
let s3: LocalS3;
let store: S3Store;

beforeAll(async () => {
  s3 = await startLocalS3({ recordOperations: true });
  await s3.createBucket(BUCKET);
  store = new S3Store({ bucket: BUCKET, prefix: 'digest', client: s3.client });
  await store.put('state/subscribers/a1.json', '{"status":"confirmed"}');
  await store.put('state/subscribers/a1.json.bak', 'old');
});

afterAll(async () => {
  await s3.close();
});

beforeEach(() => {
  s3.denials = { missingGets: true };
});

const errorOf = async (read: Promise<unknown>): Promise<{ name?: string } | undefined> =>
  read.then(
    () => undefined,
    (err: { name?: string }) => err,
  );

describe('S3Store reads when GETs of missing keys are answered 403', () => {
  test('a missing key is undefined, confirmed by a listing of exactly that key', async () => {
    s3.operations.length = 0;
    expect(await store.get('state/subscribers/nobody.json')).toBeUndefined();
    expect(await store.getVersioned('state/subscribers/nobody.json')).toBeUndefined();
    expect(await getJsonVersioned(store, 'state/limits/client.json')).toBeUndefined();
    const lists = s3.operations.filter((op) => op.action === 's3:ListBucket').map((op) => op.key);
    expect(lists).toEqual([
      'digest/state/subscribers/nobody.json',
      'digest/state/subscribers/nobody.json',
      'digest/state/limits/client.json',
    ]);
  });

  test('an existing key reads as before, with its version', async () => {
    const got = await store.getVersioned('state/subscribers/a1.json');
    expect(got?.body.toString()).toBe('{"status":"confirmed"}');
    expect(got?.version).toMatch(/^".+"$/);
  });

  test('an existing key whose GET is denied throws AccessDenied, never undefined', async () => {
    s3.denials = { missingGets: true, getPrefixes: ['digest/state/subscribers/'] };
    // a1.json.bak shares the prefix and sorts after a1.json: the listing still finds the key itself.
    expect(await errorOf(store.get('state/subscribers/a1.json'))).toMatchObject({ name: 'AccessDenied' });
    expect(await errorOf(store.getVersioned('state/subscribers/a1.json.bak'))).toMatchObject({ name: 'AccessDenied' });
  });

  test('a missing key whose listing is denied too throws AccessDenied, never undefined', async () => {
    s3.denials = { missingGets: true, listPrefixes: ['digest/state/subscribers/'] };
    expect(await errorOf(store.get('state/subscribers/nobody.json'))).toMatchObject({ name: 'AccessDenied' });
    expect(await errorOf(store.getVersioned('state/subscribers/nobody.json'))).toMatchObject({ name: 'AccessDenied' });
    // A prefix the role may list still settles its missing keys.
    expect(await store.get('state/limits/client.json')).toBeUndefined();
  });

  test('without the 403s (a 404 NoSuchKey), a missing key needs no listing', async () => {
    s3.denials = {};
    s3.operations.length = 0;
    expect(await store.get('state/subscribers/nobody.json')).toBeUndefined();
    expect(s3.operations.map((op) => op.action)).toEqual(['s3:GetObject']);
  });
});
