/**
 * The Store interface and its key rule, apart from index.ts so the adapters (fs-store, s3-store)
 * implement it without importing the module that re-exports them.
 */
export interface PutOptions {
  contentType?: string;
  cacheControl?: string;
}

/** An object's bytes with the version a conditional write compares against (S3: the ETag). */
export interface VersionedBody {
  body: Buffer;
  version: string;
}

export interface Store {
  /** The object's bytes, or undefined when it does not exist. Any other failure throws. */
  get(key: string): Promise<Buffer | undefined>;
  /** Like `get`, with the object's current version for `putIfMatch`. */
  getVersioned(key: string): Promise<VersionedBody | undefined>;
  put(key: string, body: Buffer | string, options?: PutOptions): Promise<void>;
  /**
   * Creates the object only if no object has the key, atomically across processes (filesystem:
   * an exclusive hard link; S3: `PutObject` with `If-None-Match: *`). True when this call
   * created it, false when the key already existed. The building block of claims and leases.
   */
  putIfAbsent(key: string, body: Buffer | string, options?: PutOptions): Promise<boolean>;
  /**
   * Replaces the object only if it still has `version` (from `getVersioned`), atomically across
   * processes (S3: `If-Match: <ETag>`). False when someone else changed or deleted it first.
   */
  putIfMatch(key: string, body: Buffer | string, version: string, options?: PutOptions): Promise<boolean>;
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
