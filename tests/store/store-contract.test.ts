/** One contract, two adapters: the filesystem store and the S3 store against a real local S3 server. */
import { rm } from 'node:fs/promises';
import { FsStore, S3Store, getJson, putJson, type Store } from '../../src/store';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { tempDir } from '../helpers/tmp';

interface Harness {
  name: string;
  setup(): Promise<Store>;
  teardown(): Promise<void>;
}

let s3: LocalS3 | undefined;
let dir = '';
let bucketNo = 0;

const harnesses: Harness[] = [
  {
    name: 'FsStore',
    setup: async () => {
      dir = await tempDir('store-');
      return new FsStore(dir);
    },
    teardown: () => rm(dir, { recursive: true, force: true }),
  },
  {
    name: 'S3Store (s3rver)',
    setup: async () => {
      s3 ??= await startLocalS3();
      const bucket = `contract-${++bucketNo}`;
      await s3.createBucket(bucket);
      return new S3Store({ bucket, prefix: 'digest', client: s3.client });
    },
    teardown: async () => undefined,
  },
];

afterAll(async () => {
  await s3?.close();
});

describe.each(harnesses)('$name', (h) => {
  let store: Store;
  beforeEach(async () => {
    store = await h.setup();
  });
  afterEach(() => h.teardown());

  it('returns undefined for a missing key and the bytes of a stored one', async () => {
    expect(await store.get('site/nothing.html')).toBeUndefined();
    await store.put('site/2026/11/29/index.html', '<p>مرحبا</p>', { contentType: 'text/html; charset=utf-8' });
    expect((await store.get('site/2026/11/29/index.html'))?.toString('utf8')).toBe('<p>مرحبا</p>');
  });

  it('stores binary bodies unchanged', async () => {
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, 10, 13]);
    await store.put('state/blob.bin', bytes);
    expect(Buffer.compare((await store.get('state/blob.bin'))!, bytes)).toBe(0);
  });

  it('overwrites, deletes, and deleting a missing key is not an error', async () => {
    await store.put('state/a.json', '1');
    await store.put('state/a.json', '2');
    expect((await store.get('state/a.json'))?.toString()).toBe('2');
    await store.delete('state/a.json');
    expect(await store.get('state/a.json')).toBeUndefined();
    await expect(store.delete('state/a.json')).resolves.toBeUndefined();
  });

  it('lists keys under a prefix recursively and sorted, never mixing site/ and state/', async () => {
    await store.put('site/index.html', 'x');
    await store.put('site/2026/11/29/digest.json', '{}');
    await store.put('site/2026/11/28/digest.json', '{}');
    await store.put('state/feeds/abc.json', '{}');
    await store.put('sitemap-not-site.txt', 'x');
    expect(await store.list('site')).toEqual(['site/2026/11/28/digest.json', 'site/2026/11/29/digest.json', 'site/index.html']);
    expect(await store.list('site/2026/11')).toEqual(['site/2026/11/28/digest.json', 'site/2026/11/29/digest.json']);
    expect(await store.list('state/')).toEqual(['state/feeds/abc.json']);
    expect(await store.list('nothing-here')).toEqual([]);
  });

  it('round-trips JSON', async () => {
    await putJson(store, 'state/runs/2026-11-29/fetch.json', { ok: true, n: [1, 2] });
    expect(await getJson(store, 'state/runs/2026-11-29/fetch.json')).toEqual({ ok: true, n: [1, 2] });
    expect(await getJson(store, 'state/runs/none.json')).toBeUndefined();
  });

  it('rejects keys that could escape the layout', async () => {
    for (const bad of ['../etc/passwd', '/abs', 'site/../state/x', 'site//x', 'a\\b', 'site/\u0000x', '']) {
      await expect(store.put(bad, 'x')).rejects.toThrow(/Invalid store key/);
      await expect(store.get(bad)).rejects.toThrow(/Invalid store key/);
    }
  });

  it('handles many keys (listing pages through S3 continuation)', async () => {
    await Promise.all(Array.from({ length: 1100 }, (_, i) => store.put(`state/seen/${String(i).padStart(4, '0')}.json`, '{}')));
    const keys = await store.list('state/seen');
    expect(keys).toHaveLength(1100);
    expect(keys[0]).toBe('state/seen/0000.json');
    expect(keys[1099]).toBe('state/seen/1099.json');
  }, 60_000);
});

describe.each(harnesses)('$name: conditional writes', (h) => {
  let store: Store;
  beforeEach(async () => {
    store = await h.setup();
  });
  afterEach(() => h.teardown());

  it('putIfAbsent creates a missing key once and never overwrites', async () => {
    expect(await store.putIfAbsent('state/claims/a.json', 'first')).toBe(true);
    expect(await store.putIfAbsent('state/claims/a.json', 'second')).toBe(false);
    expect((await store.get('state/claims/a.json'))?.toString()).toBe('first');
    expect(await store.list('state/claims')).toEqual(['state/claims/a.json']);
  });

  it('of 12 concurrent putIfAbsent calls on one key exactly one wins, and its body is the stored one', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => store.putIfAbsent('state/claims/race.json', `writer-${i}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await store.get('state/claims/race.json'))?.toString()).toBe(`writer-${winner}`);
  });

  it('putIfMatch replaces only the version it read, and fails on a missing key', async () => {
    await store.put('state/counter.json', '1');
    const v1 = await store.getVersioned('state/counter.json');
    expect(v1?.body.toString()).toBe('1');
    expect(await store.putIfMatch('state/counter.json', '2', v1!.version)).toBe(true);
    // A second writer still holding version 1 loses.
    expect(await store.putIfMatch('state/counter.json', '3', v1!.version)).toBe(false);
    expect((await store.get('state/counter.json'))?.toString()).toBe('2');
    const v2 = await store.getVersioned('state/counter.json');
    expect(v2!.version).not.toBe(v1!.version);
    expect(await store.putIfMatch('state/missing.json', 'x', v2!.version)).toBe(false);
    expect(await store.get('state/missing.json')).toBeUndefined();
  });

  it('read-modify-write with putIfMatch loses no increment under concurrency', async () => {
    await putJson(store, 'state/count.json', { n: 0 });
    const increment = async (): Promise<void> => {
      for (;;) {
        const got = await store.getVersioned('state/count.json');
        const n = (JSON.parse(got!.body.toString()) as { n: number }).n;
        if (await store.putIfMatch('state/count.json', JSON.stringify({ n: n + 1 }), got!.version)) return;
      }
    };
    await Promise.all(Array.from({ length: 8 }, increment));
    expect(await getJson(store, 'state/count.json')).toEqual({ n: 8 });
  });
});
