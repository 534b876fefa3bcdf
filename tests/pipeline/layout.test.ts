/**
 * The same run over both store adapters writes the same layout: public files under site/,
 * private state under state/, nothing else; and the S3 run goes through a real local S3 server.
 */
import { rm } from 'node:fs/promises';
import { demoConfig } from '../../src/demo/run-demo';
import { startDemoServer, type DemoServer } from '../../src/demo/server';
import { runDigest } from '../../src/pipeline';
import { FsStore, S3Store, getJson } from '../../src/store';
import type { Digest } from '../../src/types';
import { startLocalS3, type LocalS3 } from '../helpers/s3';
import { tempDir } from '../helpers/tmp';

const DATE = '2026-11-29';
// Times and ports differ between runs; the shape of the layout must not.
const shape = (key: string): string => key.replace(/[0-9a-f]{20,}/g, '<hash>').replace(/\d{4}-\d{2}-\d{2}T[\d-]+Z/g, '<time>');

describe('store layout', () => {
  let server: DemoServer;
  let s3: LocalS3;
  let dir: string;
  beforeAll(async () => {
    server = await startDemoServer();
    s3 = await startLocalS3();
    await s3.createBucket('layout-test');
    dir = await tempDir('layout-');
  });
  afterAll(async () => {
    await server.close();
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is identical for the filesystem and S3, with site/ public and state/ private', async () => {
    const fsStore = new FsStore(dir);
    const s3Store = new S3Store({ bucket: 'layout-test', client: s3.client });
    await runDigest({ config: demoConfig(server), store: fsStore, date: DATE });
    await runDigest({ config: demoConfig(server), store: s3Store, date: DATE });

    const fsKeys = (await fsStore.list('')).map(shape).sort();
    const s3Keys = (await s3Store.list('')).map(shape).sort();
    expect(s3Keys).toEqual(fsKeys);
    for (const key of fsKeys) expect(key).toMatch(/^(site|state)\//);
    expect(fsKeys).toEqual(
      expect.arrayContaining([
        'site/index.html',
        'site/2026/11/29/index.html',
        'site/2026/11/29/digest.json',
        'state/runs/2026-11-29/fetch.json',
      ]),
    );
    expect(fsKeys.some((k) => k.startsWith('site/') && /state|articles|seen|subscriber/.test(k))).toBe(false);

    const fromS3 = await getJson<Digest>(s3Store, 'site/2026/11/29/digest.json');
    const fromFs = await getJson<Digest>(fsStore, 'site/2026/11/29/digest.json');
    expect(fromS3!.stories.map((s) => [s.id, s.lang, s.dir, s.summary])).toEqual(
      fromFs!.stories.map((s) => [s.id, s.lang, s.dir, s.summary]),
    );
  }, 60_000);
});
