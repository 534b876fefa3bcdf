import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, loadConfigFile, parseConfig, parseConfigText, parseOpml } from '../../src/config';
import { tempDir } from '../helpers/tmp';

const errorOf = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('fills every default', () => {
    const c = parseConfig({ feeds: [{ url: 'https://example.com/feed.xml' }] });
    expect(c.digest).toMatchObject({
      title: 'Daily digest',
      timezone: 'UTC',
      itemsPerFeed: 10,
      summarySentences: 3,
      maxAgeHours: 48,
    });
    expect(c.network).toMatchObject({ allowHosts: [], timeoutMs: 20000, maxBytes: 5 * 1024 * 1024, maxRedirects: 5 });
    expect(c.summarizer).toEqual({ kind: 'extractive' });
    expect(c.store).toEqual({ kind: 'fs' });
    expect(c.email.transport).toBe('outbox');
    expect(c.feeds[0].priority).toBe(0);
    expect(c.digest.cluster).toEqual({ enabled: true, threshold: 0.34, windowHours: 72, memoryDays: 3 });
  });

  it.each([
    [{ feeds: [{ url: 'ftp://example.com/x' }] }, 'feeds[0].url'],
    [{ feeds: [{ url: 'https://e.com/f', nmae: 'typo' }] }, 'feeds[0].nmae'],
    [{ digest: { timezone: 'Mars/Olympus' } }, 'digest.timezone'],
    [{ digest: { maxAgeHours: -1 } }, 'digest.maxAgeHours'],
    [{ network: { allowHosts: ['127.0.0.1'] } }, 'network.allowHosts[0]'],
    [{ summarizer: { kind: 'bedrock' } }, 'summarizer.modelId'],
    [{ email: { transport: 'smtp' } }, 'email.smtp'],
    [{ unknownKey: 1 }, 'unknownKey'],
    [{ schedule: { cron: '0 7 * * *' } }, 'schedule.cron'],
    [{ digest: { cluster: { threshold: 1.5 } } }, 'digest.cluster.threshold'],
    [{ digest: { cluster: { windowHours: 0 } } }, 'digest.cluster.windowHours'],
    [{ digest: { cluster: { memoryDays: 2.5 } } }, 'digest.cluster.memoryDays'],
    [{ digest: { cluster: { enabled: 'yes' } } }, 'digest.cluster.enabled'],
    [{ digest: { cluster: { treshold: 0.3 } } }, 'digest.cluster.treshold'],
  ])('rejects %j naming %s', (raw, key) => {
    const err = errorOf(() => parseConfig(raw));
    expect(err.message).toContain(key);
    expect(err.issues.map((i) => i.key).join(' ')).toContain(key);
  });

  it('accepts maxAgeHours 0 (no limit), YAML and JSON', () => {
    expect(parseConfigText('digest:\n  maxAgeHours: 0\n').digest.maxAgeHours).toBe(0);
    expect(parseConfigText('{"digest": {"title": "JSON works"}}').digest.title).toBe('JSON works');
    expect(() => parseConfigText('feeds: [')).toThrow(ConfigError);
  });

  it('imports feeds from OPML with categories, relative to the config file', async () => {
    const dir = await tempDir('config-');
    try {
      await mkdir(path.join(dir, 'lists'));
      await writeFile(
        path.join(dir, 'lists', 'feeds.opml'),
        `<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
          <outline text="News"><outline text="Gazette" type="rss" xmlUrl="https://gazette.example/rss.xml"/>
          <outline text="Bad" xmlUrl="javascript:alert(1)"/></outline>
          <outline title="Solo" xmlUrl="https://solo.example/atom.xml"/>
        </body></opml>`,
      );
      await writeFile(
        path.join(dir, 'digest.yaml'),
        'opml: lists/feeds.opml\nfeeds:\n  - url: https://solo.example/atom.xml\n    name: Mine\n',
      );
      const c = await loadConfigFile(path.join(dir, 'digest.yaml'));
      expect(c.feeds).toEqual([
        { url: 'https://solo.example/atom.xml', name: 'Mine', priority: 0 },
        { url: 'https://gazette.example/rss.xml', name: 'Gazette', category: 'News', priority: 0 },
      ]);
      await writeFile(path.join(dir, 'empty.yaml'), 'digest:\n  title: nothing\n');
      await expect(loadConfigFile(path.join(dir, 'empty.yaml'))).rejects.toThrow(/feeds/);
      await expect(loadConfigFile(path.join(dir, 'missing.yaml'))).rejects.toThrow(/Cannot read config file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('parses OPML 1.0 with lower-case xmlurl', () => {
    expect(parseOpml('<opml><body><outline text="A" xmlurl="http://a.example/f"/></body></opml>')).toEqual([
      { url: 'http://a.example/f', name: 'A', category: undefined, priority: 0 },
    ]);
  });
});
