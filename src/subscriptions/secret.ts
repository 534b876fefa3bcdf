/**
 * Where the token-signing secret comes from. Locally it is generated on first use and kept in
 * the store under state/ (private). Deployed, the stack generates it in Secrets Manager
 * (CloudFormation cannot create an SSM SecureString) and passes its ARN in an environment
 * variable; the client is injected so tests need no AWS.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store';

export type SecretLoader = () => Promise<Buffer>;

/** Environment variables the deployed functions read (the stack sets exactly one). */
export const TOKEN_SECRET_ENV = {
  /** The secret itself (tests, or a deployment without a secret store). */
  value: 'RSS_DIGEST_TOKEN_SECRET',
  /** Name or ARN of a Secrets Manager secret whose SecretString is the secret (lambdas/environment.ts tokenSecretId). */
  secretsManagerId: 'RSS_DIGEST_TOKEN_SECRET_ID',
} as const;

export const TOKEN_SECRET_KEY = 'state/secrets/token-secret';
const MIN_SECRET_BYTES = 32;

export class SecretError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretError';
  }
}

const checked = (value: string | undefined, source: string): Buffer => {
  // Stryker disable next-line StringLiteral: no value and any placeholder shorter than the minimum fail the same length check; Buffer.from reads UTF-8 by default
  const secret = Buffer.from((value ?? '').trim(), 'utf8');
  if (secret.length < MIN_SECRET_BYTES)
    throw new SecretError(`${source}: the token secret must be at least ${MIN_SECRET_BYTES} characters`);
  return secret;
};

/** Load once per process; a failed load is retried on the next call. */
export function memoizeSecret(loader: SecretLoader): SecretLoader {
  let pending: Promise<Buffer> | undefined;
  return () => {
    pending ??= loader().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

/**
 * Local default: state/secrets/token-secret, created with 32 random bytes when missing. Two
 * processes starting at once (serve and run, two Lambdas) may both find it missing: each offers a
 * secret with a create-if-absent write, and both then use the one that was stored. A read error
 * is thrown (and retried on the next call), never taken as "missing": a new secret would
 * invalidate every link already mailed.
 */
export function storeSecretLoader(store: Store, key = TOKEN_SECRET_KEY): SecretLoader {
  return memoizeSecret(async () => {
    const existing = await store.get(key);
    if (existing) return checked(existing.toString('utf8'), store.locate(key));
    await store.putIfAbsent(key, randomBytes(32).toString('hex') + '\n', { contentType: 'text/plain' });
    const stored = await store.get(key);
    if (!stored) throw new SecretError(`${store.locate(key)}: the token secret vanished right after it was created`);
    return checked(stored.toString('utf8'), store.locate(key));
  });
}

export function valueSecretLoader(value: string | undefined, source = TOKEN_SECRET_ENV.value): SecretLoader {
  return async () => checked(value, source);
}

/** The slice of SecretsManagerClient used here, so tests can pass a local stand-in. */
export interface SecretsManagerLike {
  send(command: import('@aws-sdk/client-secrets-manager').GetSecretValueCommand): Promise<{ SecretString?: string }>;
}

export function secretsManagerSecretLoader(client: SecretsManagerLike, secretId: string): SecretLoader {
  return memoizeSecret(async () => {
    const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      return checked(out.SecretString, `Secrets Manager ${secretId}`);
    } catch (err) {
      if (err instanceof SecretError) throw err;
      throw new SecretError(`Cannot read the token secret from Secrets Manager (${secretId})`, { cause: err });
    }
  });
}

/**
 * The loader the environment asks for: an explicit value, a Secrets Manager secret, else the
 * store (local runs). The client is created only when needed.
 */
export function secretLoaderFromEnv(store: Store, env: NodeJS.ProcessEnv = process.env): SecretLoader {
  const value = env[TOKEN_SECRET_ENV.value];
  if (value) return valueSecretLoader(value);
  const secretId = env[TOKEN_SECRET_ENV.secretsManagerId];
  if (secretId) {
    return memoizeSecret(async () => {
      const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
      return secretsManagerSecretLoader(new SecretsManagerClient({}), secretId)();
    });
  }
  return storeSecretLoader(store);
}
