/**
 * The storage port. Keys are relative, "/"-separated paths. Layout (identical for every adapter):
 *   site/   what the public sees (the only prefix CloudFront serves)
 *   state/  private: seen items, fetch state, articles, run reports, subscribers
 */
export interface PutOptions {
  contentType?: string;
  cacheControl?: string;
}

export interface Store {
  /** The object's bytes, or undefined when it does not exist. */
  get(key: string): Promise<Buffer | undefined>;
  put(key: string, body: Buffer | string, options?: PutOptions): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every key under a prefix (recursive), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Human-readable location of a key ("/path/to/site/index.html", "s3://bucket/site/index.html"). */
  locate(key: string): string;
}

export class StoreKeyError extends Error {
  constructor(key: string) {
    super(`Invalid store key: ${JSON.stringify(key)}`);
    this.name = 'StoreKeyError';
  }
}

/** Keys are relative paths without "." / ".." segments, backslashes or control characters. */
export function assertValidKey(key: string): void {
  if (
    !key ||
    key.length > 1024 ||
    key.startsWith('/') ||
    key.includes('\\') ||
    /[\u0000-\u001f\u007f]/.test(key) ||
    key.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')
  ) {
    throw new StoreKeyError(key);
  }
}

export async function getJson<T>(store: Store, key: string): Promise<T | undefined> {
  const body = await store.get(key);
  if (!body) return undefined;
  return JSON.parse(body.toString('utf8')) as T;
}

export async function putJson(store: Store, key: string, value: unknown, options: PutOptions = {}): Promise<void> {
  await store.put(key, JSON.stringify(value, null, 2) + '\n', {
    contentType: 'application/json; charset=utf-8',
    ...options,
  });
}

export { FsStore } from './fs-store';
export { S3Store } from './s3-store';
