import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, loadConfigFile, parseConfig, parseConfigText, parseOpml } from '../../src/config';
import { tempDir } from '../helpers/tmp';

/**
 * Every rule of the configuration says exactly which key is wrong and why: a user fixing a config
 * reads these messages, so they are asserted whole, not as "some error".
 */

const feed = { url: 'https://example.com/feed.xml' };
const openai = { kind: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKeyEnv: 'OPENAI_API_KEY' };

const errorOf = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

const issuesOf = (raw: unknown) => errorOf(() => parseConfig(raw)).issues;

describe('ConfigError', () => {
  it('lists every issue in its message, one line each, and carries them as data', () => {
    const err = errorOf(() =>
      parseConfig({ feeds: [{ url: 'ftp://x.example/f' }], digest: { timezone: 'Mars/Olympus' }, nope: 1 }),
    );
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ConfigError');
    expect(err.issues).toEqual([
      { key: 'feeds[0].url', message: 'must be an absolute http(s) URL' },
      { key: 'digest.timezone', message: 'must be an IANA time zone such as "Europe/London"' },
      { key: 'nope', message: 'unknown key' },
    ]);
    expect(err.message).toBe(
      'Invalid configuration:\n  - feeds[0].url: must be an absolute http(s) URL\n' +
        '  - digest.timezone: must be an IANA time zone such as "Europe/London"\n  - nope: unknown key',
    );
  });

  it('names several unknown keys of one section together', () => {
    expect(issuesOf({ network: { timeoutMS: 1, retries: 2 } })).toEqual([
      { key: 'network.timeoutMS, network.retries', message: 'unknown key' },
    ]);
  });

  it('names the root when the whole document is the wrong shape', () => {
    const issues = issuesOf(['feeds']);
    expect(issues).toHaveLength(1);
    expect(issues[0].key).toBe('(root)');
    expect(issues[0].message).not.toBe('');
  });

  it('says which file is not YAML, with no issues to list', () => {
    const err = errorOf(() => parseConfigText('feeds: ['));
    expect(err.message).toMatch(/^config: not valid YAML\/JSON: \S/);
    expect(err.issues).toEqual([]);
    expect(errorOf(() => parseConfigText('a: [', 'digest.yaml')).message).toMatch(/^digest\.yaml: not valid YAML\/JSON: \S/);
  });
});

describe('config files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('config-rules-');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a missing file is named with the reason the system gave', async () => {
    const file = path.join(dir, 'missing.yaml');
    await expect(loadConfigFile(file)).rejects.toThrow(new ConfigError(`Cannot read config file ${file}: ENOENT`));
  });

  it('an OPML file that cannot be read fails the config, naming the key', async () => {
    await writeFile(path.join(dir, 'digest.yaml'), 'opml: lists/missing.opml\n');
    const err = await loadConfigFile(path.join(dir, 'digest.yaml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`opml: cannot read ${path.join(dir, 'lists', 'missing.opml')}`);
    expect((err as ConfigError).issues).toEqual([{ key: 'opml', message: 'cannot read file' }]);
  });

  it('a config without any feed is refused, naming feeds', async () => {
    await mkdir(path.join(dir, 'lists'));
    await writeFile(path.join(dir, 'lists', 'empty.opml'), '<opml version="2.0"><body></body></opml>');
    await writeFile(path.join(dir, 'digest.yaml'), 'opml: lists/empty.opml\n');
    const err = await loadConfigFile(path.join(dir, 'digest.yaml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe('feeds: at least one feed is required (or an opml file with feeds)');
    expect((err as ConfigError).issues).toEqual([{ key: 'feeds', message: 'at least one feed is required' }]);
  });

  it('reads an OPML file as UTF-8', async () => {
    await writeFile(
      path.join(dir, 'feeds.opml'),
      '<opml version="2.0"><body><outline text="Économie"><outline text="الأخبار" xmlUrl="https://a.example/f"/></outline></body></opml>',
    );
    await writeFile(path.join(dir, 'digest.yaml'), 'opml: feeds.opml\n');
    expect((await loadConfigFile(path.join(dir, 'digest.yaml'))).feeds).toEqual([
      { url: 'https://a.example/f', name: 'الأخبار', category: 'Économie', priority: 0 },
    ]);
  });
});

describe('OPML', () => {
  it('reads self-closed sibling outlines as siblings (XML, not HTML, rules), and trims what it reads', () => {
    const opml = `<opml version="2.0"><body>
      <outline title="  One  " xmlUrl="  https://one.example/f  "/>
      <outline text="Two" xmlUrl="https://two.example/f"/>
      <outline xmlUrl="https://three.example/f"/>
      <outline><outline xmlUrl="https://four.example/f"/></outline>
      <outline text="   "><outline text="Five" xmlUrl="https://five.example/f"/></outline>
      <outline text="x" xmlUrl="not a url"/>
    </body></opml>`;
    expect(parseOpml(opml)).toEqual([
      { url: 'https://one.example/f', name: 'One', category: undefined, priority: 0 },
      { url: 'https://two.example/f', name: 'Two', category: undefined, priority: 0 },
      { url: 'https://three.example/f', name: undefined, category: undefined, priority: 0 },
      { url: 'https://four.example/f', name: undefined, category: undefined, priority: 0 },
      { url: 'https://five.example/f', name: 'Five', category: undefined, priority: 0 },
    ]);
  });

  it('prefers an outline title to its text, for feeds and for categories', () => {
    const opml = `<opml version="2.0"><body><outline title="Desk" text="desk">
      <outline title="Gazette" text="gazette" xmlUrl="https://g.example/f"/></outline></body></opml>`;
    expect(parseOpml(opml)).toEqual([{ url: 'https://g.example/f', name: 'Gazette', category: 'Desk', priority: 0 }]);
  });
});

describe('configuration rules name the key and say why', () => {
  it.each<[string, unknown, { key: string; message: string }[]]>([
    [
      'a URL that is not one',
      { feeds: [{ url: 'not a url' }] },
      [{ key: 'feeds[0].url', message: 'must be an absolute http(s) URL' }],
    ],
    [
      'credentials in the URL and auth',
      { feeds: [{ url: 'https://u:p@e.example/f', auth: { username: 'u', password: 'p' } }] },
      [{ key: 'feeds[0].url', message: 'has credentials in it and auth is set too: keep one of them' }],
    ],
    [
      'an unknown prompt placeholder',
      { summarizer: { ...openai, prompt: 'Summarize {text} for {reader}' } },
      [
        {
          key: 'summarizer.prompt',
          message: 'unknown placeholder {reader} (known: {title} {text} {source} {language} {sentences})',
        },
      ],
    ],
    [
      'a prompt without {text}',
      { summarizer: { ...openai, prompt: 'Summarize {title}' } },
      [{ key: 'summarizer.prompt', message: 'must contain {text} (where the article goes)' }],
    ],
    [
      'an invalid /regex/ filter',
      { filters: [{ include: ['/(unclosed/'] }] },
      [{ key: 'filters[0].include[0]', message: 'is not a valid /regular expression/' }],
    ],
    [
      'two channels of one kind without ids',
      {
        channels: [
          { kind: 'slack', urlEnv: 'A' },
          { kind: 'discord', urlEnv: 'B' },
          { kind: 'slack', urlEnv: 'C' },
        ],
      },
      [{ key: 'channels[2].id', message: '"slack" names two channels: give each its own id' }],
    ],
    [
      'two channels with one id',
      {
        channels: [
          { kind: 'slack', id: 'desk', urlEnv: 'A' },
          { kind: 'teams', id: 'desk', urlEnv: 'B' },
        ],
      },
      [{ key: 'channels[1].id', message: '"desk" names two channels: give each its own id' }],
    ],
    [
      'smtp without its settings',
      { email: { transport: 'smtp' } },
      [{ key: 'email.smtp', message: 'is required when email.transport is "smtp"' }],
    ],
    [
      'a translation the extractive summarizer cannot do',
      { digest: { summaryLanguage: 'fr' } },
      [
        {
          key: 'digest.summaryLanguage',
          message: 'the extractive summarizer cannot translate: set summarizer.kind to "openai" or "bedrock", or use "source"',
        },
      ],
    ],
    [
      'an API key secret with no variable to read it into',
      { summarizer: { kind: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'm', apiKeySecret: 'digest/openai' } },
      [{ key: 'summarizer.apiKeyEnv', message: 'is required with summarizer.apiKeySecret (the variable the key is read into)' }],
    ],
    [
      'translated titles with the extractive summarizer',
      { digest: { translateTitles: true, summaryLanguage: 'source' } },
      [
        { key: 'digest.translateTitles', message: 'needs an LLM summarizer (openai or bedrock)' },
        { key: 'digest.translateTitles', message: 'needs a fixed digest.summaryLanguage' },
      ],
    ],
    [
      'translated titles in the source language',
      { digest: { translateTitles: true }, summarizer: openai },
      [{ key: 'digest.translateTitles', message: 'needs a fixed digest.summaryLanguage' }],
    ],
  ])('%s', (_case, raw, expected) => {
    expect(issuesOf({ feeds: [feed], ...(raw as object) })).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ['an http: feed', { feeds: [{ url: 'http://plain.example/feed' }] }],
    ['a time zone other than UTC', { digest: { timezone: 'Europe/Paris' } }],
    ['a language tag of 35 characters', { digest: { lang: 'en-x-aaaaaaaa-bbbbbbbb-cccccccc-ddd' } }],
    ['an explicit summaryLanguage "source"', { digest: { summaryLanguage: 'source' } }],
    ['a valid /regex/ filter', { filters: [{ exclude: ['/sponsored|advert/i'] }] }],
    [
      'an OpenAI-compatible server that needs no key (Ollama)',
      { summarizer: { kind: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3' } },
    ],
    ['an API key secret with its variable', { summarizer: { ...openai, apiKeySecret: 'digest/openai' } }],
    [
      'a Bedrock summarizer with translated titles',
      { summarizer: { kind: 'bedrock', modelId: 'm' }, digest: { translateTitles: true, summaryLanguage: 'en' } },
    ],
    [
      'channels of one kind with their own ids',
      {
        channels: [
          { kind: 'slack', urlEnv: 'A' },
          { kind: 'slack', id: 'desk', urlEnv: 'B' },
        ],
      },
    ],
  ])('accepts %s', (_case, raw) => {
    expect(() => parseConfig({ feeds: [feed], ...(raw as object) })).not.toThrow();
  });

  it('refuses a language tag over 35 characters, though well-formed', () => {
    const tag = 'en-x-aaaaaaaa-bbbbbbbb-cccccccc-dddd'; // 36
    expect(Intl.getCanonicalLocales(tag)).toEqual([tag]);
    expect(issuesOf({ feeds: [feed], digest: { lang: tag } }).map((i) => i.key)).toEqual(['digest.lang']);
  });

  it('takes a user name alone in a feed URL as its credentials, with an empty password', () => {
    expect(parseConfig({ feeds: [{ url: 'https://reader@private.example/feed' }] }).feeds[0]).toEqual({
      url: 'https://private.example/feed',
      priority: 0,
      auth: { username: 'reader', password: '' },
    });
  });

  it('caps confirmation mails per hour: the setting, else its deprecated alias, else 200', () => {
    const perHour = (email: object) => parseConfig({ feeds: [feed], email }).email.maxConfirmationsPerHour;
    expect(perHour({})).toBe(200);
    expect(perHour({ maxConfirmationsPerRun: 50 })).toBe(50);
    expect(perHour({ maxConfirmationsPerHour: 30, maxConfirmationsPerRun: 50 })).toBe(30);
  });

  it('site.images: a boolean sets pages and mail alike', () => {
    const images = (value: unknown) => parseConfig({ feeds: [feed], site: { images: value } }).site.images;
    expect(images(true)).toEqual({ page: true, mail: true });
    expect(images(false)).toEqual({ page: false, mail: false });
    expect(images({ mail: true })).toEqual({ page: true, mail: true });
    expect(parseConfig({ feeds: [feed] }).site.images).toEqual({ page: true, mail: false });
  });
});
