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
 * Which store prefixes each function may touch: the stack grants exactly these (grant* per prefix),
 * and the handler tests check that every key a real run writes falls under them.
 * read = GetObject (+ List, so missing keys are 404s); put = PutObject, no delete; write = put + delete.
 */
export const STORE_ACCESS = {
  fetch: { read: [], put: ['state/feeds/', 'state/articles/', 'state/runs/'], write: [] },
  summarize: {
    read: [],
    put: ['site/', 'state/site/', 'state/articles/', 'state/runs/', 'state/summaries/', 'state/stories/'],
    write: [],
  },
  /** Added to summarize when the stack sets up mail: the digest mailer reads confirmed subscribers. */
  summarizeMail: { read: ['state/subscribers/'], put: [], write: [] },
  /** Subscribers, and the sign-up limits every instance shares (read-modify-write, never deleted). */
  subscribe: { read: [], put: ['state/limits/'], write: ['state/subscribers/'] },
} as const satisfies Record<string, { read: readonly string[]; put: readonly string[]; write: readonly string[] }>;
