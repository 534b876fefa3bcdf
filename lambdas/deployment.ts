/**
 * What a deployed handler learns from its environment, shared by the fetch, summarize (and
 * subscribe) handlers: the configuration bundled beside the code, the bucket, the logger, and
 * which failures are worth a retry. Names of the variables come from lambdas/environment.ts, the
 * one place the stack and the handlers agree on them.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  BUNDLED_CONFIG_FILE,
  DEPLOY_ENV,
  DEPLOYED_CONFIG_FORMAT,
  DIGEST_PUBLISHED_METRIC,
  TRANSIENT_ERROR_NAME,
} from './environment';
import type { Config } from '../src/config';
import { S3Store } from '../src/store';

export const logger = new Logger();

/** The bundled configuration file is missing, unreadable or not one the stack wrote. */
export class DeployedConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeployedConfigError';
  }
}

/**
 * The configuration the stack bundled (config.json beside the handler), completed with what is only
 * known once deployed: the site URL (CloudFront) and the SES configuration set. It was validated by
 * `parseConfig` at synth time and is trusted as is: keeping the schema library out of the bundles
 * saves ~0.4 MB and ~0.1 s of every cold start.
 */
export function loadDeployedConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = env[DEPLOY_ENV.configFile] ?? path.join(__dirname, BUNDLED_CONFIG_FILE);
  let parsed: { format?: unknown; config?: unknown };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch (err) {
    throw new DeployedConfigError(`Cannot read the deployed configuration ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (parsed?.format !== DEPLOYED_CONFIG_FORMAT || typeof parsed.config !== 'object' || parsed.config === null) {
    throw new DeployedConfigError(
      `${file} is not a configuration written by the rss-digest stack (format ${DEPLOYED_CONFIG_FORMAT})`,
    );
  }
  const config = structuredClone(parsed.config) as Config;
  const siteUrl = env[DEPLOY_ENV.siteUrl];
  if (!config.site.url && siteUrl) config.site.url = siteUrl;
  const configurationSet = env[DEPLOY_ENV.sesConfigurationSet];
  if (configurationSet) {
    config.email.transport = 'ses';
    config.email.sesConfigurationSet = configurationSet;
  }
  return config;
}

/**
 * The S3 store on the stack's bucket. Endpoint and path style come from `store` in the config when
 * it is an s3 store (an S3-compatible server); the bucket always comes from the stack.
 */
export function createDeployedStore(config: Config, env: NodeJS.ProcessEnv = process.env): S3Store {
  const bucket = env[DEPLOY_ENV.bucket];
  if (!bucket) throw new Error(`${DEPLOY_ENV.bucket} is not set`);
  const s3 = config.store.kind === 's3' ? config.store : undefined;
  return new S3Store({
    bucket,
    clientConfig: { region: s3?.region ?? env.AWS_REGION, endpoint: s3?.endpoint, forcePathStyle: s3?.forcePathStyle },
  });
}

/** A failure a later attempt may not repeat; the state machine retries errors with this name. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = TRANSIENT_ERROR_NAME;
  }
}

/** Every feed failed: nothing was published; never retried (the state machine fails and the alarm fires). */
export class FeedsUnreachableError extends Error {
  constructor(date: string, feeds: number) {
    super(`All ${feeds} feeds failed for ${date}: nothing was published and nobody was mailed`);
    this.name = 'FeedsUnreachableError';
  }
}

/** An event the handler cannot act on; never retried. */
export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'ThrottlingException',
  'Throttling',
  'RequestTimeout',
  'TimeoutError',
  'InternalError',
  'ServiceUnavailable',
  // Another execution holds the date's run lease: retried with backoff until it has finished.
  'RunInProgressError',
  // A conditional write kept losing to other writers.
  'ClaimContendedError',
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNREFUSED']);

/** AWS SDK throttling / 5xx and socket errors become TransientError; everything else is rethrown as is. */
export function classifyFailure(err: unknown): Error {
  const e = err as Error & { code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (!(err instanceof Error)) return new Error(String(err));
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (e.$retryable || status >= 500 || status === 429 || TRANSIENT_NAMES.has(e.name) || (e.code && TRANSIENT_CODES.has(e.code))) {
    return new TransientError(`${e.name}: ${e.message}`, { cause: err });
  }
  return e;
}

/**
 * One CloudWatch embedded-metric-format line on stdout (Lambda turns it into a metric, no API call):
 * the "no digest today" alarm watches DigestsPublished.
 */
export function emitPublishedMetric(
  stories: number,
  env: NodeJS.ProcessEnv = process.env,
  write: (line: string) => unknown = (line) => process.stdout.write(line),
): void {
  const namespace = env[DEPLOY_ENV.metricsNamespace];
  if (!namespace) return;
  const line = {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [[]],
          Metrics: [
            { Name: DIGEST_PUBLISHED_METRIC, Unit: 'Count' },
            { Name: 'Stories', Unit: 'Count' },
          ],
        },
      ],
    },
    [DIGEST_PUBLISHED_METRIC]: 1,
    Stories: stories,
  };
  write(JSON.stringify(line) + '\n');
}

/** The run lease of one invocation: owned by its request, held until the invocation must end. */
export function runLeaseFor(context?: Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>): {
  owner?: string;
  leaseMs?: number;
} {
  if (!context) return {};
  return { owner: `lambda request ${context.awsRequestId}`, leaseMs: context.getRemainingTimeInMillis() + 5_000 };
}

/** The slices of the Secrets Manager and SSM clients the key loader uses, so tests can pass stand-ins. */
export interface KeyStoreClients {
  secretsManager?: {
    send(command: import('@aws-sdk/client-secrets-manager').GetSecretValueCommand): Promise<{ SecretString?: string }>;
  };
  ssm?: { send(command: import('@aws-sdk/client-ssm').GetParameterCommand): Promise<{ Parameter?: { Value?: string } }> };
}

/**
 * The environment the summarizer reads its API key from. Deployed, the key is not in the
 * configuration nor in the code asset: `summarizer.apiKeySecret` names a Secrets Manager secret
 * (or `ssm:/name`, an SSM SecureString), read once per cold start into a copy of the environment
 * under the name `summarizer.apiKeyEnv` gives. A key already in the environment wins.
 */
export async function summarizerEnvironment(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
  clients: KeyStoreClients = {},
): Promise<NodeJS.ProcessEnv> {
  const summarizer = config.summarizer;
  if (summarizer.kind !== 'openai' || !summarizer.apiKeyEnv || !summarizer.apiKeySecret || env[summarizer.apiKeyEnv]) return env;
  const name = summarizer.apiKeySecret;
  let key: string | undefined;
  try {
    if (name.startsWith('ssm:')) {
      const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
      const ssm = clients.ssm ?? new SSMClient({});
      key = (await ssm.send(new GetParameterCommand({ Name: name.slice(4), WithDecryption: true }))).Parameter?.Value;
    } else {
      const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const secretsManager = clients.secretsManager ?? new SecretsManagerClient({});
      key = (await secretsManager.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
    }
  } catch (err) {
    // AWS errors name the secret, never its value; throttling is retried by the state machine.
    throw classifyFailure(err);
  }
  if (!key?.trim()) throw new Error(`The summarizer's API key at ${name} is empty`);
  return { ...env, [summarizer.apiKeyEnv]: key.trim() };
}

/** The run lease's owner for a Step Functions execution: every step of one execution holds it as the same owner. */
export const executionOwner = (runId: string): string => `execution ${runId}`;
