import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { assertValidKey, type PutOptions, type Store, type VersionedBody } from './port';

/** How often a conditional write is tried again when S3 answers 409 (a concurrent conditional write to the key). */
const CONFLICT_RETRIES = 3;

const httpStatus = (err: unknown): number | undefined =>
  (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const isNotFound = (err: unknown): boolean => {
  const name = (err as { name?: string }).name;
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatus(err) === 404;
};
const isAccessDenied = (err: unknown): boolean => (err as { name?: string }).name === 'AccessDenied' || httpStatus(err) === 403;
/** 412: the condition did not hold (the key exists, or its ETag changed). */
const isPreconditionFailed = (err: unknown): boolean =>
  (err as { name?: string }).name === 'PreconditionFailed' || httpStatus(err) === 412;
/** 409 ConditionalRequestConflict: another conditional write to the key is in flight; S3 asks to retry. */
const isConflict = (err: unknown): boolean =>
  (err as { name?: string }).name === 'ConditionalRequestConflict' || httpStatus(err) === 409;

export interface S3StoreOptions {
  bucket: string;
  /** Optional key prefix inside the bucket (e.g. "digest/"). */
  prefix?: string;
  /** Inject a client (tests point one at a local S3-compatible server); default `new S3Client(clientConfig)`. */
  client?: S3Client;
  clientConfig?: S3ClientConfig;
}

/**
 * S3 (or any S3-compatible endpoint) adapter of the Store port.
 *
 * A missing key and a denied read must stay apart: a read error taken for "not found" would make a
 * run start a subscriber, a feed's state or a lease afresh. S3 answers a GET of a missing key 404
 * NoSuchKey only when the caller may list it (s3:ListBucket); otherwise 403 AccessDenied, exactly as
 * for an existing key the caller may not read. Whether a ListBucket limited by an `s3:prefix`
 * condition (how the stack grants it) counts for that check is not documented, so a 403 on a GET is
 * settled by listing the key itself: absent from a listing that succeeds, it is missing; present, or
 * the listing denied too, the original error is thrown.
 */
export class S3Store implements Store {
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ? options.prefix.replace(/\/*$/, '/') : '';
    this.client = options.client ?? new S3Client(options.clientConfig ?? {});
  }

  private key(key: string): string {
    assertValidKey(key);
    return this.prefix + key;
  }

  async get(key: string): Promise<Buffer | undefined> {
    return (await this.getVersioned(key))?.body;
  }

  async getVersioned(key: string): Promise<VersionedBody | undefined> {
    const fullKey = this.key(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: fullKey }));
      const body = res.Body ? Buffer.from(await res.Body.transformToByteArray()) : Buffer.alloc(0);
      return { body, version: res.ETag ?? '' };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (isAccessDenied(err) && (await this.listingShowsMissing(fullKey))) return undefined;
      throw err;
    }
  }

  /**
   * True only when a listing of exactly `fullKey` succeeds and does not contain it (see the class
   * comment). The key sorts first among the keys it prefixes, so one entry settles it. ListObjects
   * (v1) as in `list`: the same s3:ListBucket permission, on every S3-compatible server.
   */
  private async listingShowsMissing(fullKey: string): Promise<boolean> {
    try {
      const res = await this.client.send(new ListObjectsCommand({ Bucket: this.bucket, Prefix: fullKey, MaxKeys: 1 }));
      return !(res.Contents ?? []).some((obj) => obj.Key === fullKey);
    } catch {
      return false;
    }
  }

  async put(key: string, body: Buffer | string, options: PutOptions = {}): Promise<void> {
    await this.client.send(this.putCommand(key, body, options));
  }

  async putIfAbsent(key: string, body: Buffer | string, options: PutOptions = {}): Promise<boolean> {
    return this.conditionalPut(this.putCommand(key, body, options, { IfNoneMatch: '*' }));
  }

  async putIfMatch(key: string, body: Buffer | string, version: string, options: PutOptions = {}): Promise<boolean> {
    if (!version) return false;
    return this.conditionalPut(this.putCommand(key, body, options, { IfMatch: version }));
  }

  private putCommand(
    key: string,
    body: Buffer | string,
    options: PutOptions,
    condition: { IfNoneMatch?: string; IfMatch?: string } = {},
  ): PutObjectCommand {
    return new PutObjectCommand({
      Bucket: this.bucket,
      Key: this.key(key),
      Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
      ContentType: options.contentType,
      CacheControl: options.cacheControl,
      ...condition,
    });
  }

  private async conditionalPut(command: PutObjectCommand): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(command);
        return true;
      } catch (err) {
        if (isPreconditionFailed(err)) return false;
        if (!isConflict(err) || attempt >= CONFLICT_RETRIES) throw err;
        await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
      }
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
  }

  async list(prefix: string): Promise<string[]> {
    const clean = prefix.replace(/\/+$/, '');
    if (clean) assertValidKey(clean);
    const full = this.prefix + (clean ? `${clean}/` : '');
    const out: string[] = [];
    // ListObjects (v1) paged by Marker = last key: the listing every S3-compatible server implements
    // (s3rver's v2 continuation tokens need a cipher OpenSSL 3 no longer has). Same s3:ListBucket permission.
    let marker: string | undefined;
    for (;;) {
      const res = await this.client.send(new ListObjectsCommand({ Bucket: this.bucket, Prefix: full, Marker: marker }));
      const contents = res.Contents ?? [];
      for (const obj of contents) if (obj.Key) out.push(obj.Key.slice(this.prefix.length));
      if (!res.IsTruncated || contents.length === 0) break;
      marker = contents[contents.length - 1].Key;
    }
    return out.sort();
  }

  locate(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`;
  }
}
