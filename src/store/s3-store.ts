import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { assertValidKey, type PutOptions, type Store } from './index';

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
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      if (!res.Body) return Buffer.alloc(0);
      return Buffer.from(await res.Body.transformToByteArray());
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) return undefined;
      throw err;
    }
  }

  async put(key: string, body: Buffer | string, options: PutOptions = {}): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(key),
        Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
        ContentType: options.contentType,
        CacheControl: options.cacheControl,
      }),
    );
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
