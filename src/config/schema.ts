import { z } from 'zod';
import { PROMPT_PLACEHOLDERS } from '../summarize/prompt';

export { PROMPT_PLACEHOLDERS };
import { CLUSTER_DEFAULTS } from '../cluster/defaults';
import { regexTerm } from '../feeds/filters';

/**
 * Every configuration key, defined once with its default and its check. The CLI, the Lambda
 * handlers and the CDK app all load configuration through `parseConfig`.
 */

/** Whether `fn` returns without throwing. */
const succeeds = (fn: () => unknown): boolean => {
  try {
    fn();
  } catch {
    return false;
  }
  return true;
};

/** A well-formed BCP 47 tag ("en", "pt-BR", "zh-Hant"): one Intl can canonicalize. */
const isLanguageTag = (tag: string): boolean => tag.length <= 35 && succeeds(() => Intl.getCanonicalLocales(tag));

const isValidTimeZone = (tz: string): boolean => succeeds(() => new Intl.DateTimeFormat('en', { timeZone: tz }));

/**
 * A finding of one of the rules below: what is wrong and, from the section the rule is on, where.
 * Zod's issue `code` is never shown (formatIssues reports key and message), so every rule uses 'custom'.
 */
const issue = (message: string, path: PropertyKey[] = []) => ({
  // Stryker disable next-line StringLiteral: the code is not read by anything (see formatIssues in ./index.ts)
  code: 'custom' as const,
  message,
  path,
});

const httpUrl = z
  .string()
  .trim()
  .refine((s) => URL.canParse(s) && ['http:', 'https:'].includes(new URL(s).protocol), 'must be an absolute http(s) URL');

const hostPort = z
  .string()
  .trim()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be "host:port", e.g. "127.0.0.1:8080"');

/** A prompt template: `{text}` is required (it is where the article goes, as delimited data). */
export const promptTemplate = z
  .string()
  .min(1)
  .max(4000)
  .superRefine((template, ctx) => {
    const known = new Set<string>(PROMPT_PLACEHOLDERS);
    for (const [, name] of template.matchAll(/\{([^{}\s]*)\}/g)) {
      if (!known.has(name))
        ctx.addIssue(issue(`unknown placeholder {${name}} (known: ${PROMPT_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`));
    }
    if (!template.includes('{text}')) ctx.addIssue(issue('must contain {text} (where the article goes)'));
  });

/** HTTP Basic credentials of a private feed: the password inline, or the name of an environment variable holding it. */
const feedAuthSchema = z
  .strictObject({
    username: z.string().min(1).max(256),
    password: z.string().max(1024).optional(),
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name such as "NEWSROOM_FEED_PASSWORD"')
      .optional(),
  })
  .refine((auth) => (auth.password === undefined) !== (auth.passwordEnv === undefined), {
    message: 'set exactly one of password or passwordEnv',
  });

export const feedSchema = z
  .strictObject({
    url: httpUrl,
    name: z.string().trim().min(1).max(200).optional(),
    category: z.string().trim().min(1).max(100).optional(),
    /** Higher ranks this feed's stories earlier when the digest has more stories than `digest.maxStories`. */
    priority: z.number().min(-10).max(10).default(0),
    auth: feedAuthSchema.optional(),
    /** This feed's own LLM prompt (placeholders as in `summarizer.prompt`); overrides the global one. */
    prompt: promptTemplate.optional(),
  })
  .transform((feed, ctx) => {
    // `https://user:pass@host/feed` is taken as the feed's Basic credentials: the URL that names the
    // feed (state keys, reports, the site) never carries them.
    const url = new URL(feed.url);
    if (!url.username && !url.password) return feed;
    if (feed.auth) {
      ctx.addIssue(issue('has credentials in it and auth is set too: keep one of them', ['url']));
      return z.NEVER;
    }
    const username = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    return { ...feed, url: url.toString(), auth: { username, password } };
  });

/** A filter term: a word or phrase, or `/regex/flags` (checked here, so a bad pattern names its key). */
const filterTerm = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .refine((t) => succeeds(() => regexTerm(t)), 'is not a valid /regular expression/');

export const filterSchema = z.strictObject({
  /** Feed names, or URL patterns with `*`; every feed when absent. */
  feeds: z.array(z.string().trim().min(1)).optional(),
  include: z.array(filterTerm).optional(),
  exclude: z.array(filterTerm).optional(),
  in: z.enum(['title', 'text', 'any']).default('any'),
});

const digestSchema = z
  .strictObject({
    title: z.string().trim().min(1).max(200).default('Daily digest'),
    timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as "Europe/London"').default('UTC'),
    itemsPerFeed: z.number().int().min(1).max(100).default(10),
    maxStories: z.number().int().min(1).max(1000).default(100),
    summarySentences: z.number().int().min(1).max(10).default(3),
    /** How old an unseen item may be to enter a day's digest; 0 = no limit. */
    maxAgeHours: z.number().min(0).default(48),
    /**
     * The language of the chrome (every word around the stories: pages, mails, subscription pages,
     * feeds). A language without a catalogue falls back to English (src/i18n).
     */
    lang: z.string().trim().refine(isLanguageTag, 'must be a BCP 47 language tag such as "en", "ar" or "pt-BR"').default('en'),
    /** `source`: each summary in its story's own language; or a BCP 47 tag every LLM summary is written in. */
    summaryLanguage: z
      .string()
      .trim()
      .refine(
        // Stryker disable next-line ConditionalExpression,StringLiteral: "source" is itself a well-formed BCP 47 tag (a 5 to 8 letter language subtag), so it passes either way; the keyword is named for the reader
        (tag) => tag === 'source' || isLanguageTag(tag),
        'must be "source" or a BCP 47 language tag such as "en" or "pt-BR"',
      )
      .default('source'),
    /** With a fixed `summaryLanguage`, the LLM also translates titles (the original is kept beside it). */
    translateTitles: z.boolean().default(false),
    /** One story per event: the day's articles grouped across sources, and across days. */
    cluster: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Average similarity two groups of articles need to become one story (0..1; higher: fewer merges). */
        threshold: z.number().min(0.05).max(0.95).default(CLUSTER_DEFAULTS.threshold),
        /** Articles published further apart than this are never one story. */
        windowHours: z
          .number()
          .min(1)
          .max(24 * 14)
          .default(CLUSTER_DEFAULTS.windowHours),
        /** Days a published story is remembered, so that a later article on it is an update, not a new story; 0 = none. */
        memoryDays: z.number().int().min(0).max(30).default(3),
      })
      .prefault({}),
  })
  .prefault({});

const networkSchema = z
  .strictObject({
    /** Exact host:port entries that may be fetched although they are loopback/private. */
    allowHosts: z.array(hostPort).default([]),
    timeoutMs: z.number().int().min(100).max(120_000).default(20_000),
    connectTimeoutMs: z.number().int().min(100).max(60_000).default(10_000),
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .default(5 * 1024 * 1024),
    maxRedirects: z.number().int().min(0).max(10).default(5),
    concurrency: z.number().int().min(1).max(256).default(16),
    perHostConcurrency: z.number().int().min(1).max(32).default(2),
    userAgent: z.string().min(1).max(300).optional(),
  })
  .prefault({});

/** What an LLM backend shares: prompt, bounds, per-run budgets and prices (USD per million tokens). */
const llmKeys = {
  prompt: promptTemplate.optional(),
  maxTokens: z.number().int().min(16).max(4096).default(300),
  maxInputChars: z.number().int().min(500).max(100_000).default(6000),
  /** Requests one run may send; the rest get the extractive summary. */
  maxRequestsPerRun: z.number().int().min(0).max(1_000_000).optional(),
  /** Input tokens one run may spend; the rest get the extractive summary. */
  maxInputTokensPerRun: z.number().int().min(0).max(1_000_000_000).optional(),
  inputPricePerMillionTokens: z.number().min(0).max(10_000).optional(),
  outputPricePerMillionTokens: z.number().min(0).max(10_000).optional(),
};

const summarizerSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('extractive') }),
    z.strictObject({
      kind: z.literal('bedrock'),
      modelId: z.string().min(1),
      region: z.string().optional(),
      /** Override the Bedrock runtime endpoint (tests point this at a local server). */
      endpoint: httpUrl.optional(),
      timeoutMs: z.number().int().min(500).max(120_000).default(20_000),
      ...llmKeys,
    }),
    z.strictObject({
      kind: z.literal('openai'),
      /** Base URL of a Chat Completions API, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama). */
      baseUrl: httpUrl,
      model: z.string().min(1).max(200),
      /** Name of the environment variable that holds the API key (never the key itself). */
      apiKeyEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable, e.g. OPENAI_API_KEY')
        .optional(),
      /**
       * Deployed stack only: where the key is kept, by name: a Secrets Manager secret name, or
       * `ssm:/parameter/name` for an SSM SecureString. The handler reads it into `apiKeyEnv`.
       */
      apiKeySecret: z.string().min(1).max(512).optional(),
      temperature: z.number().min(0).max(2).default(0),
      timeoutMs: z.number().int().min(500).max(300_000).default(30_000),
      ...llmKeys,
    }),
  ])
  .default({ kind: 'extractive' });

const storeSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('fs'), dir: z.string().min(1).optional() }),
    z.strictObject({
      kind: z.literal('s3'),
      bucket: z.string().min(3).max(63),
      prefix: z.string().default(''),
      region: z.string().optional(),
      endpoint: httpUrl.optional(),
      forcePathStyle: z.boolean().default(false),
    }),
  ])
  .default({ kind: 'fs' });

const emailSchema = z
  .strictObject({
    from: z.string().min(3).max(320).default('rss-digest <digest@localhost>'),
    replyTo: z.string().min(3).max(320).optional(),
    transport: z.enum(['outbox', 'smtp', 'ses']).default('outbox'),
    smtp: z
      .strictObject({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(587),
        secure: z.boolean().default(false),
        auth: z.strictObject({ user: z.string(), pass: z.string() }).optional(),
      })
      .optional(),
    /** SES configuration set name (the stack creates it). */
    sesConfigurationSet: z.string().optional(),
    /** Sign-ups one client (source IP; IPv6 by /64) may make per hour, counted in the store across processes. */
    maxSignupsPerClientPerHour: z.number().int().min(1).max(1000).default(5),
    /** Confirmation mails all clients together may get per hour (the global ceiling); default 200. */
    maxConfirmationsPerHour: z.number().int().min(1).max(10_000).optional(),
    /**
     * Deprecated (it was a per-process cap, which let one client lock everyone out): still
     * accepted, as an alias for maxConfirmationsPerHour when that is not set.
     */
    maxConfirmationsPerRun: z.number().int().min(1).max(10_000).optional(),
  })
  .transform(({ maxConfirmationsPerHour, ...email }) => ({
    ...email,
    maxConfirmationsPerHour: maxConfirmationsPerHour ?? email.maxConfirmationsPerRun ?? 200,
  }))
  .prefault({});

const siteSchema = z
  .strictObject({
    /** Public base URL used in every link of a mail. Locally defaults to the `serve` address. */
    url: httpUrl.optional(),
    /** URL of the subscription endpoint (`.../api`); defaults to `${site.url}/api`. */
    subscribeEndpoint: httpUrl.optional(),
    /**
     * Articles' lead images: on the pages (default) and in mail (default off: a remote image in a
     * mail tells its sender who opened it, and when). `true`/`false` sets both.
     */
    images: z
      .union([
        z.boolean().transform((on) => ({ page: on, mail: on })),
        z.strictObject({ page: z.boolean().default(true), mail: z.boolean().default(false) }),
      ])
      .default({ page: true, mail: false }),
  })
  .prefault({});

const scheduleSchema = z
  .strictObject({
    /** EventBridge Scheduler cron expression: "cron(min hour day-of-month month day-of-week year)". */
    cron: z
      .string()
      .regex(/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/, 'must be an EventBridge cron expression like "cron(0 7 * * ? *)"')
      .default('cron(0 7 * * ? *)'),
    timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone').optional(),
  })
  .prefault({});

const retentionSchema = z
  .strictObject({
    /** Days raw article records are kept. */
    articleDays: z.number().int().min(1).max(3650).default(30),
    /** Days run reports are kept. */
    reportDays: z.number().int().min(1).max(3650).default(90),
    /** Days an item id is remembered as seen. */
    seenDays: z.number().int().min(1).max(3650).default(30),
  })
  .prefault({});

/**
 * How the deployed run spreads its feeds (docs/deploy.md, "Scale"): feeds go into shards of about
 * `feedsPerShard` (by a stable hash of their host, so one host's politeness limit holds inside one
 * shard), and the state machine's Distributed Map fetches at most `maxConcurrency` shards at once.
 * `rss-digest run` uses the same shards one after the other.
 */
const scaleSchema = z
  .strictObject({
    /** Feeds per shard: one fetch function invocation (15 minutes at most) handles one shard. */
    feedsPerShard: z.number().int().min(1).max(5_000).default(250),
    /** Shards fetched at the same time by the deployed state machine. */
    maxConcurrency: z.number().int().min(1).max(1_000).default(10),
  })
  .prefault({});

const alarmsSchema = z
  .strictObject({
    email: z.string().email().optional(),
  })
  .prefault({});

/** The name of an environment variable that holds a secret (a webhook URL, a bot token, a signing key). */
const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable, e.g. SLACK_WEBHOOK_URL');

/** What every chat channel has: a name for reports and claims, how many stories, how long to wait. */
const channelCommon = {
  /** Names the channel in reports and in its daily claim (`state/runs/<date>/deliveries/channel-<id>.json`); default: its kind. */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and "-", e.g. "newsroom-slack"')
    .optional(),
  /** Stories in the day's post (the best ranked); the post links to the day's page for the rest. */
  maxStories: z.number().int().min(1).max(25).default(10),
  /** Deadline of the one request that posts the day's message. */
  timeoutMs: z.number().int().min(1000).max(60_000).default(10_000),
};

/** Chat channels the day's digest is posted to (src/channels): each kind its own fields, secrets by environment variable name. */
export const channelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('slack'), ...channelCommon, urlEnv: envVarName }),
  z.strictObject({ kind: z.literal('discord'), ...channelCommon, urlEnv: envVarName }),
  z.strictObject({ kind: z.literal('teams'), ...channelCommon, urlEnv: envVarName }),
  z.strictObject({
    kind: z.literal('telegram'),
    ...channelCommon,
    tokenEnv: envVarName,
    /** A chat id (-1001234567890) or a public channel's @username. */
    chatId: z.union([
      z.number().int(),
      z.string().regex(/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/, 'must be a chat id or @channelname'),
    ]),
    /** The Bot API's base URL (tests point it at a local server). */
    apiBaseUrl: httpUrl.default('https://api.telegram.org'),
  }),
  z.strictObject({ kind: z.literal('webhook'), ...channelCommon, urlEnv: envVarName, secretEnv: envVarName }),
]);

export const configSchema = z
  .strictObject({
    feeds: z.array(feedSchema).default([]),
    /** Path (relative to the config file) of an OPML file whose outlines are added to `feeds`. */
    opml: z.string().min(1).optional(),
    /** Items muted or kept by words, phrases or /regex/ (counted per feed as `itemsFiltered`). */
    filters: z.array(filterSchema).default([]),
    digest: digestSchema,
    network: networkSchema,
    summarizer: summarizerSchema,
    store: storeSchema,
    site: siteSchema,
    email: emailSchema,
    schedule: scheduleSchema,
    retention: retentionSchema,
    scale: scaleSchema,
    alarms: alarmsSchema,
    channels: z.array(channelSchema).default([]),
  })
  .superRefine((cfg, ctx) => {
    const channelIds = new Set<string>();
    cfg.channels.forEach((channel, index) => {
      const id = channel.id ?? channel.kind;
      if (channelIds.has(id)) ctx.addIssue(issue(`"${id}" names two channels: give each its own id`, ['channels', index, 'id']));
      channelIds.add(id);
    });
    if (cfg.email.transport === 'smtp' && !cfg.email.smtp) {
      ctx.addIssue(issue('is required when email.transport is "smtp"', ['email', 'smtp']));
    }
    // Only a language model can write in another language than the article's.
    if (cfg.summarizer.kind === 'extractive' && cfg.digest.summaryLanguage !== 'source') {
      ctx.addIssue(
        issue('the extractive summarizer cannot translate: set summarizer.kind to "openai" or "bedrock", or use "source"', [
          'digest',
          'summaryLanguage',
        ]),
      );
    }
    // Stryker disable next-line ConditionalExpression: only the openai summarizer has apiKeySecret (each kind is a strict object); the kind test narrows the type
    if (cfg.summarizer.kind === 'openai' && cfg.summarizer.apiKeySecret && !cfg.summarizer.apiKeyEnv) {
      ctx.addIssue(
        issue('is required with summarizer.apiKeySecret (the variable the key is read into)', ['summarizer', 'apiKeyEnv']),
      );
    }
    if (cfg.summarizer.kind === 'extractive' && cfg.digest.translateTitles) {
      ctx.addIssue(issue('needs an LLM summarizer (openai or bedrock)', ['digest', 'translateTitles']));
    }
    if (cfg.digest.translateTitles && cfg.digest.summaryLanguage === 'source') {
      ctx.addIssue(issue('needs a fixed digest.summaryLanguage', ['digest', 'translateTitles']));
    }
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type FeedConfig = z.output<typeof feedSchema>;
export type FeedAuthConfig = NonNullable<FeedConfig['auth']>;
export type FilterConfig = z.output<typeof filterSchema>;
export type NetworkConfig = Config['network'];
export type ScaleConfig = Config['scale'];
export type SummarizerConfig = Config['summarizer'];
export type EmailConfig = Config['email'];
export type ChannelConfig = Config['channels'][number];
