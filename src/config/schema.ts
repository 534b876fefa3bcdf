import { z } from 'zod';
import { regexTerm } from '../feeds/filters';

/**
 * Every configuration key, defined once with its default and its check. The CLI, the Lambda
 * handlers and the CDK app all load configuration through `parseConfig`.
 */

const isValidTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const httpUrl = z
  .string()
  .trim()
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL');

const hostPort = z
  .string()
  .trim()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be "host:port", e.g. "127.0.0.1:8080"');

export const feedSchema = z.strictObject({
  url: httpUrl,
  name: z.string().trim().min(1).max(200).optional(),
  category: z.string().trim().min(1).max(100).optional(),
  /** Higher ranks this feed's stories earlier when the digest has more stories than `digest.maxStories`. */
  priority: z.number().min(-10).max(10).default(0),
});

/** A filter term: a word or phrase, or `/regex/flags` (checked here, so a bad pattern names its key). */
const filterTerm = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .refine((t) => {
    try {
      regexTerm(t);
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid /regular expression/');

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
    /** The language of the page chrome (headings, labels). */
    lang: z.string().trim().min(2).max(35).default('en'),
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

const summarizerSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('extractive') }),
    z.strictObject({
      kind: z.literal('bedrock'),
      modelId: z.string().min(1),
      maxTokens: z.number().int().min(16).max(4096).default(300),
      region: z.string().optional(),
      /** Override the Bedrock runtime endpoint (tests point this at a local server). */
      endpoint: httpUrl.optional(),
      maxInputChars: z.number().int().min(500).max(100_000).default(6000),
      timeoutMs: z.number().int().min(500).max(120_000).default(20_000),
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
    /** Confirmation mails one endpoint process may send before it refuses more. */
    maxConfirmationsPerRun: z.number().int().min(1).max(10_000).default(50),
  })
  .prefault({});

const siteSchema = z
  .strictObject({
    /** Public base URL used in every link of a mail. Locally defaults to the `serve` address. */
    url: httpUrl.optional(),
    /** URL of the subscription endpoint (`.../api`); defaults to `${site.url}/api`. */
    subscribeEndpoint: httpUrl.optional(),
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

const alarmsSchema = z
  .strictObject({
    email: z.string().email().optional(),
  })
  .prefault({});

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
    alarms: alarmsSchema,
  })
  .superRefine((cfg, ctx) => {
    if (cfg.email.transport === 'smtp' && !cfg.email.smtp) {
      ctx.addIssue({ code: 'custom', path: ['email', 'smtp'], message: 'is required when email.transport is "smtp"' });
    }
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type FeedConfig = z.output<typeof feedSchema>;
export type FilterConfig = z.output<typeof filterSchema>;
export type NetworkConfig = Config['network'];
export type SummarizerConfig = Config['summarizer'];
export type EmailConfig = Config['email'];
