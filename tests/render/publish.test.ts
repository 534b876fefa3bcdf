/**
 * publishDigest against both Store adapters (the filesystem and S3 through a local s3rver):
 * publishing order, Content-Type and Cache-Control, and everything that spans days (archive,
 * feeds, search, latest page) rebuilt from what the store holds.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import * as cheerio from 'cheerio';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ARCHIVE_STATE_KEY, publishDigest, type SearchManifest, type SearchShard } from '../../src/render';
import { FsStore, S3Store, getJson, type PutOptions, type Store } from '../../src/store';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { StoreWrapper } from '../helpers/store-wrapper';
import { arabicStory, digest, story } from './digests';

/** A real store that also remembers each put's key and options, in order. */
class RecordingStore extends StoreWrapper {
  puts: { key: string; options?: PutOptions }[] = [];
  override put(key: string, body: Buffer | string, options?: PutOptions) {
    this.puts.push({ key, options });
    return super.put(key, body, options);
  }
  override putIfAbsent(key: string, body: Buffer | string, options?: PutOptions) {
    this.puts.push({ key, options });
    return super.putIfAbsent(key, body, options);
  }
  override putIfMatch(key: string, body: Buffer | string, version: string, options?: PutOptions) {
    this.puts.push({ key, options });
    return super.putIfMatch(key, body, version, options);
  }
}

let s3: LocalS3;
let dir: string;
let bucketNo = 0;
beforeAll(async () => {
  s3 = await startLocalS3();
  dir = await mkdtemp(path.join(os.tmpdir(), 'render-publish-'));
});
afterAll(async () => {
  await s3.close();
  await rm(dir, { recursive: true, force: true });
});

const adapters: [string, () => Promise<Store>][] = [
  ['FsStore', async () => new FsStore(path.join(dir, `fs-${++bucketNo}`))],
  [
    'S3Store',
    async () => {
      const bucket = `render-${++bucketNo}`;
      await s3.createBucket(bucket);
      return new S3Store({ bucket, prefix: 'digest', client: s3.client });
    },
  ],
];

const text = async (store: Store, key: string): Promise<string> => (await store.get(key))?.toString('utf8') ?? '';
const options = { siteUrl: 'https://digest.example/', subscribeEndpoint: 'https://digest.example/api' };

describe.each(adapters)('publishDigest on %s', (_name, makeStore) => {
  it('writes the dated page first and index.html last, each with Content-Type (charset) and Cache-Control', async () => {
    const store = new RecordingStore(await makeStore());
    const keys = await publishDigest(store, digest(), options);
    const order = store.puts.map((p) => p.key);
    expect(keys).toEqual(order.filter((k) => k.startsWith('site/')));
    const at = (k: string) => order.indexOf(k);
    const assets = order.filter((k) => k.startsWith('site/assets/'));
    expect(assets.map((k) => k.replace(/\.[0-9a-f]{10}\./, '.'))).toEqual([
      'site/assets/digest.css',
      'site/assets/icon.svg',
      'site/assets/search.js',
    ]);
    for (const a of assets) expect(at(a)).toBeLessThan(at('site/2026/11/29/index.html'));
    expect(at('site/2026/11/29/index.html')).toBeLessThan(at('site/2026/11/29/digest.json'));
    expect(at('site/2026/11/29/digest.json')).toBeLessThan(at('site/archive.html'));
    expect(at('site/archive.html')).toBeLessThan(at('site/feed.xml'));
    expect(at('site/feed.xml')).toBeLessThan(at('site/search/2026-11.json'));
    expect(at('site/search/2026-11.json')).toBeLessThan(at('site/search/index.json'));
    expect(order[order.length - 1]).toBe('site/index.html');

    for (const p of store.puts.filter((x) => x.key.startsWith('site/'))) {
      expect(p.options?.contentType).toMatch(/; charset=utf-8$/);
      expect(p.options?.cacheControl).toMatch(/^public, max-age=\d+/);
    }
    const cache = (k: string) => store.puts.find((p) => p.key === k)!.options!.cacheControl!;
    const maxAge = (k: string) => Number(/max-age=(\d+)/.exec(cache(k))![1]);
    expect(maxAge('site/2026/11/29/index.html')).toBeGreaterThanOrEqual(86400);
    expect(maxAge('site/2026/11/29/digest.json')).toBeGreaterThanOrEqual(86400);
    for (const k of ['site/index.html', 'site/archive.html', 'site/feed.xml', 'site/feed.json', 'site/search/index.json'])
      expect(maxAge(k)).toBeLessThanOrEqual(300);
    expect(cache(assets[0]!)).toContain('immutable');
    const type = (k: string) => store.puts.find((p) => p.key === k)!.options!.contentType;
    expect(type('site/feed.xml')).toBe('application/atom+xml; charset=utf-8');
    expect(type('site/feed.json')).toBe('application/feed+json; charset=utf-8');
    expect(type('site/index.html')).toBe('text/html; charset=utf-8');

    if (store.inner instanceof S3Store) {
      const head = await s3.client.send(
        new HeadObjectCommand({ Bucket: store.inner.bucket, Key: 'digest/site/2026/11/29/index.html' }),
      );
      expect(head.ContentType).toBe('text/html; charset=utf-8');
      expect(head.CacheControl).toBe('public, max-age=86400');
    }
  });

  it('builds archive, feeds, search and the latest page from every day in the store, across runs', async () => {
    const store = await makeStore();
    await publishDigest(
      store,
      digest({ date: '2026-10-31', generatedAt: '2026-10-31T07:00:00Z', stories: [story({ title: 'October story' })] }),
      options,
    );
    await publishDigest(
      store,
      digest({
        date: '2026-11-28',
        generatedAt: '2026-11-28T07:00:00Z',
        stories: [story({ title: 'Yesterday story' }), arabicStory()],
      }),
      options,
    );
    // The archive's memory is lost: it is rebuilt from the digests under site/.
    await store.delete(ARCHIVE_STATE_KEY);
    await publishDigest(store, digest(), options);

    const archive = cheerio.load(await text(store, 'site/archive.html'));
    expect(
      archive('.days li')
        .toArray()
        .map((li) => archive(li).find('time').attr('datetime')),
    ).toEqual(['2026-11-29', '2026-11-28', '2026-10-31']);
    expect(archive('.days li').eq(1).text()).toContain('2 stories');
    expect(archive('.days li a').eq(2).attr('href')).toBe('2026/10/31/index.html');
    expect(
      archive('h2')
        .toArray()
        .map((h) => archive(h).text()),
    ).toEqual(['November 2026', 'October 2026']);

    const atom = cheerio.load(await text(store, 'site/feed.xml'), { xml: true });
    expect(
      atom('entry > id')
        .toArray()
        .map((e) => atom(e).text()),
    ).toEqual([
      'https://digest.example/2026/11/29/index.html',
      'https://digest.example/2026/11/28/index.html',
      'https://digest.example/2026/10/31/index.html',
    ]);
    const json = JSON.parse(await text(store, 'site/feed.json'));
    expect(json.items).toHaveLength(3);

    const manifest = (await getJson<SearchManifest>(store, 'site/search/index.json'))!;
    expect(manifest.shards.map((s) => [s.key, s.docs])).toEqual([
      ['2026-11.json', 4],
      ['2026-10.json', 1],
    ]);
    const nov = (await getJson<SearchShard>(store, 'site/search/2026-11.json'))!;
    expect(nov.docs.map((d) => d.d)).toEqual(['2026-11-29', '2026-11-29', '2026-11-28', '2026-11-28']);

    const index = cheerio.load(await text(store, 'site/index.html'));
    expect(index('h1 time').attr('datetime')).toBe('2026-11-29');
    expect(index('a[rel=prev]').attr('href')).toBe('2026/11/28/index.html');
    expect(index('link[rel=stylesheet]').attr('href')).toMatch(/^assets\/digest\.[0-9a-f]{10}\.css$/);
    const day = cheerio.load(await text(store, 'site/2026/11/29/index.html'));
    expect(day('link[rel=stylesheet]').attr('href')).toMatch(/^\.\.\/\.\.\/\.\.\/assets\/digest\./);
    expect(day('a[rel=prev]').attr('href')).toBe('../../../2026/11/28/index.html');
    expect(day('main').html()).toBe(
      index('main')
        .html()!
        .replace(/href="(?!https?:|#)/g, 'href="../../../'),
    );
    // The day's digest.json is the digest that was published, field for field.
    expect(await getJson(store, 'site/2026/11/29/digest.json')).toEqual(digest());
  });

  it('replaces a day when it is re-published, and keeps index.html on the newest day', async () => {
    const store = await makeStore();
    await publishDigest(store, digest({ date: '2026-11-28', stories: [story()] }), options);
    await publishDigest(store, digest({ date: '2026-11-29', stories: [story({ title: 'Newest day' })] }), options);
    // A re-run of the 28th with more stories.
    await publishDigest(
      store,
      digest({ date: '2026-11-28', stories: [story({ title: 'Rerun A' }), story({ id: 'b', title: 'Rerun B' })] }),
      options,
    );

    const day = cheerio.load(await text(store, 'site/2026/11/28/index.html'));
    expect(
      day('article h3')
        .toArray()
        .map((h) => day(h).text()),
    ).toEqual(['Rerun A', 'Rerun B']);
    const index = cheerio.load(await text(store, 'site/index.html'));
    expect(index('article h3').text()).toBe('Newest day');
    const archive = cheerio.load(await text(store, 'site/archive.html'));
    expect(archive('.days li').eq(1).text()).toContain('2 stories');
    const shard = (await getJson<SearchShard>(store, 'site/search/2026-11.json'))!;
    expect(shard.docs.map((d) => d.t)).toEqual(['Newest day', 'Rerun A', 'Rerun B']);
  });

  it('rebuilds every month of the search index when the shards were split into words another way', async () => {
    const store = await makeStore();
    await publishDigest(store, digest({ date: '2026-10-31', stories: [story({ title: '市議会が公園計画を承認' })] }), options);
    await publishDigest(store, digest({ date: '2026-11-28', stories: [story({ title: 'November story' })] }), options);
    const octKey = 'site/search/2026-10.json';
    const oct = async () => (await getJson<SearchShard>(store, octKey))!;
    expect((await oct()).docs[0]!.tk.split(' ')).toEqual(expect.arrayContaining(['公園', '承認']));
    // Same version: last month's shard is left alone.
    const stale = { ...(await oct()), docs: (await oct()).docs.map((d) => ({ ...d, tk: '市議会が公園計画を承認', k: '' })) };
    await store.put(octKey, JSON.stringify(stale));
    await publishDigest(store, digest({ date: '2026-11-29', stories: [story({ title: 'Newest story' })] }), options);
    expect((await oct()).docs[0]!.tk).toBe('市議会が公園計画を承認');
    // A manifest from before the character-pair split: every month is rebuilt.
    const manifest = (await getJson<SearchManifest>(store, 'site/search/index.json'))!;
    expect(manifest.words).toBe(2);
    await store.put('site/search/index.json', JSON.stringify({ ...manifest, words: undefined }));
    await publishDigest(store, digest({ date: '2026-11-29', stories: [story({ title: 'Newest story' })] }), options);
    expect((await oct()).docs[0]!.tk.split(' ')).toEqual(expect.arrayContaining(['公園', '承認']));
  });

  it('refuses a digest whose date is not YYYY-MM-DD before writing anything', async () => {
    const store = await makeStore();
    await expect(publishDigest(store, digest({ date: '../../etc' }), options)).rejects.toThrow(/YYYY-MM-DD/);
    expect(await store.list('site/')).toEqual([]);
  });
});
