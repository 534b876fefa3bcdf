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

/** S3 (or any S3-compatible endpoint) adapter of the Store port. */
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
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      const body = res.Body ? Buffer.from(await res.Body.transformToByteArray()) : Buffer.alloc(0);
      return { body, version: res.ETag ?? '' };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
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
