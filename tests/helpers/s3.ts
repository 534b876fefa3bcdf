/**
 * A real S3-compatible server (s3rver) on 127.0.0.1 for tests, and a client pointed at it.
 *
 * s3rver (like every S3-compatible server on the npm and Debian registries we checked: fauxqs
 * 2.4, @20minutes/s3rver 5, smarts3) ignores the conditional-write headers of PutObject, which
 * Amazon S3 has honoured since 2024. `conditionalWrites` adds them to the running server with
 * Amazon S3's semantics: `If-None-Match: *` fails with 412 PreconditionFailed when the key exists,
 * `If-Match: <etag>` when the key is missing or has another ETag; the check and the write of one
 * key run one at a time, so concurrent conditional writes really race on the server.
 *
 * s3rver enforces no IAM. Two switches stand in for what a least-privilege role meets on Amazon S3:
 * `denials` answers chosen requests 403 AccessDenied (S3 answers a GET of a missing key that way
 * when the caller may not list it), and `recordOperations` logs each request as the IAM action it
 * needs and the key or listing prefix it names, so a test can hold a run against the grants.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3Error = require('s3rver/lib/models/error');

export interface LocalS3 {
  endpoint: string;
  client: S3Client;
  /** What the server answers 403 AccessDenied; change it at any time. */
  denials: AccessDenials;
  /** Every request since the start (with `recordOperations`), in order. */
  operations: S3Operation[];
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Requests answered 403 AccessDenied, as Amazon S3 answers a caller whose role lacks the permission. */
export interface AccessDenials {
  /** GET/HEAD of a key that does not exist (S3's answer when the caller lacks s3:ListBucket for it). */
  missingGets?: boolean;
  /** GET/HEAD of any key under one of these prefixes, existing or not. */
  getPrefixes?: string[];
  /** Listings whose requested prefix starts with one of these ('' denies every listing). */
  listPrefixes?: string[];
}

/** One request, as IAM sees it: the action it needs and the key (objects) or requested prefix (listings). */
export interface S3Operation {
  action: 's3:GetObject' | 's3:PutObject' | 's3:DeleteObject' | 's3:ListBucket' | 'other';
  bucket: string;
  /** The object key, or for s3:ListBucket the `prefix` parameter ('' when absent). */
  key: string;
}

export interface LocalS3Options {
  denials?: AccessDenials;
  recordOperations?: boolean;
}

interface KoaContext {
  method: string;
  path: string;
  querystring: string;
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | undefined>;
  store: {
    existsObject(bucket: string, key: string): Promise<boolean>;
    getMetadata(bucket: string, key: string): Promise<{ etag: string }>;
  };
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

/**
 * PutObject preconditions (If-None-Match / If-Match). Requests on one key run one at a time: the
 * precondition and its write are then atomic, and a GET never sees the half-written file s3rver
 * would otherwise expose (Amazon S3 replaces objects atomically).
 */
function conditionalWrites(): Middleware {
  const queues = new Map<string, Promise<void>>();
  return async (ctx, next) => {
    const [, bucket, ...rest] = ctx.path.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (!bucket || !key) return next();
    const id = `${bucket}/${key}`;
    const previous = queues.get(id) ?? Promise.resolve();
    let done!: () => void;
    const tail = previous.then(() => new Promise<void>((resolve) => (done = resolve)));
    queues.set(id, tail);
    await previous;
    try {
      await checkPreconditions(ctx, bucket, key);
      await next();
    } finally {
      done();
      if (queues.get(id) === tail) queues.delete(id);
    }
  };
}

/** Query parameters of a plain listing (ListObjects, ListObjectsV2); `x-id` names the SDK operation. */
const LISTING_PARAMETERS = new Set([
  'prefix',
  'list-type',
  'max-keys',
  'marker',
  'delimiter',
  'encoding-type',
  'continuation-token',
  'start-after',
  'x-id',
]);

/**
 * The IAM action a request needs, and the key or listing prefix it names. A request with a
 * sub-resource (`?acl`, `?tagging`, `?versions`, `?uploadId`, …) needs another action: 'other'.
 */
function operationOf(ctx: KoaContext): S3Operation | undefined {
  const [, bucket, ...rest] = ctx.path.split('/');
  if (!bucket) return undefined;
  const key = decodeURIComponent(rest.join('/'));
  const parameters = Object.keys(ctx.query);
  const read = ctx.method === 'GET' || ctx.method === 'HEAD';
  if (!key) {
    const listing = read && parameters.every((q) => LISTING_PARAMETERS.has(q));
    return listing
      ? { action: 's3:ListBucket', bucket, key: String(ctx.query.prefix ?? '') }
      : { action: 'other', bucket, key: '' };
  }
  const actions: Record<string, S3Operation['action']> = {
    GET: 's3:GetObject',
    HEAD: 's3:GetObject',
    PUT: 's3:PutObject',
    DELETE: 's3:DeleteObject',
  };
  const plain = parameters.every((q) => q === 'x-id');
  return { action: (plain && actions[ctx.method]) || 'other', bucket, key };
}

/** Records every request (when asked) and answers those `denials` names 403 AccessDenied. */
function accessControl(local: { denials: AccessDenials; operations: S3Operation[] }, record: boolean): Middleware {
  return async (ctx, next) => {
    const op = operationOf(ctx);
    if (!op) return next();
    if (record) local.operations.push(op);
    const { missingGets, getPrefixes = [], listPrefixes = [] } = local.denials;
    const denied =
      (op.action === 's3:GetObject' &&
        (getPrefixes.some((p) => op.key.startsWith(p)) || (missingGets && !(await ctx.store.existsObject(op.bucket, op.key))))) ||
      (op.action === 's3:ListBucket' && listPrefixes.some((p) => op.key.startsWith(p)));
    if (denied) throw new S3Error('AccessDenied', 'Access Denied');
    return next();
  };
}

async function checkPreconditions(ctx: KoaContext, bucket: string, key: string): Promise<void> {
  const ifNoneMatch = ctx.headers['if-none-match'];
  const ifMatch = ctx.headers['if-match'];
  // Plain PutObject only (the SDK adds `x-id=PutObject`); not a part upload or a sub-resource.
  const plainPut = ctx.method === 'PUT' && !/(^|&)(uploadId|partNumber|acl|tagging|retention)=/.test(ctx.querystring);
  if (!plainPut || (!ifNoneMatch && !ifMatch)) return;
  const exists = await ctx.store.existsObject(bucket, key);
  const etag = exists ? (await ctx.store.getMetadata(bucket, key)).etag : undefined;
  const failed = (ifNoneMatch === '*' && exists) || (ifMatch !== undefined && ifMatch !== etag);
  if (failed) {
    throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: ifMatch !== undefined ? 'If-Match' : 'If-None-Match',
    });
  }
}

export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: !process.env.S3RVER_DEBUG, directory: dir });
  const access = { denials: options.denials ?? {}, operations: [] as S3Operation[] };
  // Before the router (the last middleware), after the path-style/vhost normalisation.
  const stack = server.middleware as Middleware[];
  stack.splice(stack.length - 1, 0, accessControl(access, !!options.recordOperations), conditionalWrites());
  const info = (await server.run()) as { address: string; port: number };
  const endpoint = `http://127.0.0.1:${info.port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    endpoint,
    client,
    get denials() {
      return access.denials;
    },
    set denials(denials: AccessDenials) {
      access.denials = denials;
    },
    operations: access.operations,
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    close: async () => {
      client.destroy();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
