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

  const openai = { kind: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKeyEnv: 'OPENAI_API_KEY' };

  it.each([
    [{ summarizer: { ...openai, prompt: 'Summarize {txt}' } }, 'summarizer.prompt', 'unknown placeholder {txt}'],
    [{ summarizer: { ...openai, prompt: 'Summarize {title} in {language}' } }, 'summarizer.prompt', 'must contain {text}'],
    [{ feeds: [{ url: 'https://e.com/f', prompt: '{text} for {reader}' }] }, 'feeds[0].prompt', 'unknown placeholder {reader}'],
    [{ digest: { summaryLanguage: 'en' } }, 'digest.summaryLanguage', 'the extractive summarizer cannot translate'],
    [{ digest: { summaryLanguage: 'not a tag!' }, summarizer: openai }, 'digest.summaryLanguage', 'BCP 47'],
    [{ digest: { translateTitles: true }, summarizer: openai }, 'digest.translateTitles', 'fixed digest.summaryLanguage'],
    [
      { summarizer: { ...openai, apiKeyEnv: 'sk-abc123 literal key' } },
      'summarizer.apiKeyEnv',
      'name of an environment variable',
    ],
    [{ summarizer: { ...openai, baseUrl: 'file:///etc/passwd' } }, 'summarizer.baseUrl', 'http(s)'],
  ])('LLM settings: rejects %j naming %s', (raw, key, message) => {
    const err = errorOf(() => parseConfig(raw));
    expect(err.issues.find((i) => i.key === key)?.message).toContain(message);
  });

  it('LLM settings: defaults and a valid prompt with every placeholder', () => {
    const c = parseConfig({
      digest: { summaryLanguage: 'pt-BR', translateTitles: true },
      summarizer: { ...openai, prompt: '{title} ({source}): {text}. {sentences} sentences in {language}.' },
      feeds: [{ url: 'https://e.com/f', prompt: 'Sports desk. {text}' }],
    });
    expect(c.summarizer).toMatchObject({ kind: 'openai', maxTokens: 300, temperature: 0, timeoutMs: 30000, maxInputChars: 6000 });
    expect(c.digest).toMatchObject({ summaryLanguage: 'pt-BR', translateTitles: true });
    expect(c.feeds[0].prompt).toBe('Sports desk. {text}');
    expect(parseConfig({}).digest.summaryLanguage).toBe('source');
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

describe('private feeds (feeds[].auth)', () => {
  it('takes credentials in a feed URL as its Basic credentials and keeps them out of the URL', () => {
    const config = parseConfig({ feeds: [{ url: 'https://reader:p%40ss%3Aword@news.example.org/members.xml' }] });
    expect(config.feeds[0].url).toBe('https://news.example.org/members.xml');
    expect(config.feeds[0].auth).toEqual({ username: 'reader', password: 'p@ss:word' });
  });

  it('accepts a password or the name of an environment variable, exactly one of them', () => {
    expect(
      parseConfig({ feeds: [{ url: 'https://a.example/f', auth: { username: 'u', passwordEnv: 'FEED_PW' } }] }).feeds[0].auth,
    ).toEqual({
      username: 'u',
      passwordEnv: 'FEED_PW',
    });
    expect(errorOf(() => parseConfig({ feeds: [{ url: 'https://a.example/f', auth: { username: 'u' } }] })).message).toMatch(
      /feeds\[0\]\.auth.*exactly one of password or passwordEnv/s,
    );
    expect(
      errorOf(() =>
        parseConfig({ feeds: [{ url: 'https://a.example/f', auth: { username: 'u', password: 'x', passwordEnv: 'P' } }] }),
      ).message,
    ).toMatch(/exactly one of password or passwordEnv/);
    expect(
      errorOf(() => parseConfig({ feeds: [{ url: 'https://a.example/f', auth: { username: 'u', passwordEnv: 'not a name' } }] }))
        .message,
    ).toMatch(/feeds\[0\]\.auth\.passwordEnv/);
  });

  it('refuses credentials in the URL and auth together, naming the key', () => {
    const err = errorOf(() =>
      parseConfig({ feeds: [{ url: 'https://u:p@a.example/f', auth: { username: 'v', password: 'q' } }] }),
    );
    expect(err.message).toMatch(/feeds\[0\]\.url: has credentials in it and auth is set too/);
  });
});

describe('every nested section refuses unknown keys', () => {
  const feed = { url: 'https://news.example.org/feed.xml' };
  // A typo in any section (`network.timeoutMS`) must stop the run, naming the key: never silently dropped.
  it.each<[string, Record<string, unknown>]>([
    ['feeds[0].typo', { feeds: [{ ...feed, typo: 1 }] }],
    ['feeds[0].auth.typo', { feeds: [{ ...feed, auth: { username: 'u', password: 'p', typo: 1 } }] }],
    ['digest.typo', { digest: { typo: 1 } }],
    ['digest.cluster.typo', { digest: { cluster: { typo: 1 } } }],
    ['network.timeoutMS', { network: { timeoutMS: 1000 } }],
    ['summarizer.typo', { summarizer: { kind: 'extractive', typo: 1 } }],
    ['summarizer.typo', { summarizer: { kind: 'bedrock', modelId: 'amazon.nova-micro-v1:0', typo: 1 } }],
    ['summarizer.typo', { summarizer: { kind: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', typo: 1 } }],
    ['store.typo', { store: { kind: 'fs', typo: 1 } }],
    ['store.typo', { store: { kind: 's3', bucket: 'b', typo: 1 } }],
    ['site.typo', { site: { typo: 1 } }],
    ['email.typo', { email: { typo: 1 } }],
    ['email.smtp.typo', { email: { transport: 'smtp', smtp: { host: 'mail.example.org', typo: 1 } } }],
    [
      'email.smtp.auth.typo',
      { email: { transport: 'smtp', smtp: { host: 'mail.example.org', auth: { user: 'u', pass: 'p', typo: 1 } } } },
    ],
    ['schedule.typo', { schedule: { typo: 1 } }],
    ['retention.typo', { retention: { typo: 1 } }],
    ['alarms.typo', { alarms: { typo: 1 } }],
    ['scale.feedsPerShrad', { scale: { feedsPerShrad: 100 } }],
    ['filters[0].typo', { filters: [{ exclude: ['horoscope'], typo: 1 }] }],
  ])('%s', (key, input) => {
    const err = errorOf(() => parseConfig({ feeds: [feed], ...input }));
    expect(err.message).toContain(key);
    expect(err.message).toMatch(/unknown key|Unrecognized key/i);
  });
});
