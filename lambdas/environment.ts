/**
 * The contract between the stack and the deployed handlers: the environment variables the stack
 * sets and the handlers read, and the file the configuration is bundled as. It lives beside the
 * handlers because it is runtime code: nothing under lambdas/ or src/ imports from lib/, while the
 * stack (lib/) imports this. Plain constants with no imports, so the stack pulls in no runtime code.
 */
export const DEPLOY_ENV = {
  /** The private bucket that holds site/ and state/. */
  bucket: 'RSS_DIGEST_BUCKET',
  /** Path of the validated configuration JSON (default: `config.json` beside the bundle). */
  configFile: 'RSS_DIGEST_CONFIG_FILE',
  /** Public base URL of the site (the CloudFront URL) when `site.url` is not in the config. */
  siteUrl: 'RSS_DIGEST_SITE_URL',
  /** SES configuration set the stack created; its presence switches mail to SES. */
  sesConfigurationSet: 'RSS_DIGEST_SES_CONFIGURATION_SET',
  /** Secrets Manager id of the token-signing secret (same name as src/subscriptions/secret.ts reads). */
  tokenSecretId: 'RSS_DIGEST_TOKEN_SECRET_ID',
  /** CloudWatch namespace of the handler's embedded-format metrics (the "no digest today" alarm). */
  metricsNamespace: 'RSS_DIGEST_METRICS_NAMESPACE',
} as const;

/** File name of the configuration inside each function's bundle. */
export const BUNDLED_CONFIG_FILE = 'config.json';

/** The metric the summarize handler emits once per published digest. */
export const DIGEST_PUBLISHED_METRIC = 'DigestsPublished';

/** Marker of the bundled configuration file, so a handler never mistakes another JSON file for it. */
export const DEPLOYED_CONFIG_FORMAT = 'rss-digest/deployed-config@1';

/**
 * The bundled file: the configuration exactly as `parseConfig` returned it at synth time (every
 * default filled in). Handlers trust it instead of validating again, so the validation library
 * stays out of the Lambda bundles.
 */
export function serializeDeployedConfig(validatedConfig: unknown): string {
  return JSON.stringify({ format: DEPLOYED_CONFIG_FORMAT, config: validatedConfig }, null, 2) + '\n';
}

/** Error name a handler gives a failure worth retrying; the state machine retries exactly these (and Lambda's own). */
export const TRANSIENT_ERROR_NAME = 'TransientError';

/**
 * What a function does to the store, by key prefix, as its code calls the Store port:
 * get = get/getVersioned, put = put/putIfAbsent/putIfMatch, delete = delete, list = list.
 * The stack grants exactly these (lib/store-grants.ts), and the handler tests check every S3
 * request of a real run against them.
 */
export interface StoreAccess {
  get: readonly string[];
  put: readonly string[];
  delete: readonly string[];
  list: readonly string[];
}

/** Store access per function; a prefix ends with "/" and covers every key under it. */
export const STORE_ACCESS = {
  /** Feed state, article records, the run lease and fetch reports: read-modify-write, never deleted nor listed. */
  fetch: {
    get: ['state/feeds/', 'state/articles/', 'state/runs/'],
    put: ['state/feeds/', 'state/articles/', 'state/runs/'],
    delete: [],
    list: [],
  },
  /** The day's records (listed), summaries and their LLM cache, story memory, the lease and reports, and the site. */
  summarize: {
    get: ['site/', 'state/site/', 'state/articles/', 'state/runs/', 'state/summaries/', 'state/stories/'],
    put: ['site/', 'state/site/', 'state/articles/', 'state/runs/', 'state/summaries/', 'state/stories/'],
    delete: [],
    list: ['site/', 'state/articles/'],
  },
  /**
   * Added to summarize when the stack sets up mail: the digest mailer lists and reads subscribers
   * (who got today's mail is recorded under state/runs/, already granted).
   */
  summarizeMail: { get: ['state/subscribers/'], put: [], delete: [], list: ['state/subscribers/'] },
  /**
   * Subscribers, and the sign-up limits every instance shares (read-modify-write). A new
   * subscriber's record is deleted again when its confirmation mail cannot be sent.
   */
  subscribe: {
    get: ['state/subscribers/', 'state/limits/'],
    put: ['state/subscribers/', 'state/limits/'],
    delete: ['state/subscribers/'],
    list: [],
  },
} as const satisfies Record<string, StoreAccess>;
