/**
 * Step three of a hop: read a response body, decompressed, and cut it off at `maxBytes` counted
 * both on the wire and after decompression (a gzip bomb stops at the cap, not when memory runs out).
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { FetchError } from './fetch-error';

export interface BodyReadLimits {
  maxBytes: number;
  /** Aborts the read (the fetch's deadline): every stream is destroyed, and the socket with them. */
  signal: AbortSignal;
  /** For the error messages. */
  host: string;
  status: number;
}

export interface CappedBody {
  /** After decompression. */
  body: Buffer;
  /** As received, before decompression. */
  wireBytes: number;
}

export function readCappedBody(res: IncomingMessage, limits: BodyReadLimits): Promise<CappedBody> {
  return new Promise((resolve, reject) => {
    const codings = contentCodings(res.headers['content-encoding']); // throws (rejects) before anything is piped
    const streams = decodingChain(res, codings);
    const { signal } = limits;
    const fail = (err: unknown): void => {
      reject(err); // first: destroying the response below reports it "aborted", which must not win
      signal.removeEventListener('abort', onAbort);
      for (const s of streams) s.destroy();
    };
    const onAbort = (): void => fail(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    failOnBrokenStreams(streams, limits, fail);
    const wire = countWireBytes(res, limits, fail);
    collectUpToCap(streams[streams.length - 1], limits, fail, (body) => {
      signal.removeEventListener('abort', onAbort);
      resolve({ body, wireBytes: wire.bytes });
    });
  });
}

/** The Content-Encoding tokens in the order they must be undone (the last one applied first). */
function contentCodings(header: string | undefined): string[] {
  const codings = (header ?? '')
    .toLowerCase()
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .reverse();
  const unsupported = codings.find((c) => !SUPPORTED_CODINGS.has(c));
  if (unsupported !== undefined) throw new FetchError('network', `Unsupported Content-Encoding "${unsupported}"`);
  return codings;
}

/** Truncated streams give what arrived rather than an error. */
const TOLERANT = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
const gunzip = (input: Readable): Readable => input.pipe(zlib.createGunzip(TOLERANT));

/** A decompressing stream for each Content-Encoding token but identity. */
const DECODERS: Record<string, (input: Readable) => Readable> = {
  gzip: gunzip,
  'x-gzip': gunzip,
  br: (input) => input.pipe(zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH })),
  deflate: (input) => inflateEitherForm(input, TOLERANT),
};

const SUPPORTED_CODINGS = new Set(['identity', ...Object.keys(DECODERS)]);

/** The response followed by one decompressor per coding but identity; the last stream yields the plain body. */
function decodingChain(res: Readable, codings: string[]): Readable[] {
  const chain: Readable[] = [res];
  for (const coding of codings) if (coding !== 'identity') chain.push(DECODERS[coding](chain[chain.length - 1]));
  return chain;
}

function failOnBrokenStreams(streams: Readable[], limits: BodyReadLimits, fail: (err: unknown) => void): void {
  const [res, ...decoders] = streams;
  const closedMidBody = (): void =>
    fail(new FetchError('network', `Connection to ${limits.host} closed mid-body`, limits.status));
  // A response cut short emits "error" (ECONNRESET, "aborted"); its "aborted" event is deprecated.
  res.on('error', closedMidBody);
  for (const decoder of decoders) {
    decoder.on('error', (err) =>
      fail(new FetchError('network', `Could not decode the body from ${limits.host}: ${err.message}`, limits.status)),
    );
  }
}

function countWireBytes(res: Readable, limits: BodyReadLimits, fail: (err: unknown) => void): { bytes: number } {
  const wire = { bytes: 0 };
  res.on('data', (chunk: Buffer) => {
    wire.bytes += chunk.length;
    if (wire.bytes > limits.maxBytes)
      fail(new FetchError('too-large', `Body over the ${limits.maxBytes}-byte limit`, limits.status));
  });
  return wire;
}

function collectUpToCap(
  decoded: Readable,
  limits: BodyReadLimits,
  fail: (err: unknown) => void,
  done: (body: Buffer) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  decoded.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limits.maxBytes) {
      return fail(new FetchError('too-large', `Body over the ${limits.maxBytes}-byte limit after decompression`, limits.status));
    }
    chunks.push(chunk);
  });
  decoded.on('end', () => done(Buffer.concat(chunks, size)));
}

/**
 * "deflate" is zlib-wrapped by the spec but raw deflate from some servers: look at the header, its
 * two bytes, even when they arrive in separate chunks.
 */
function inflateEitherForm(input: Readable, options: zlib.ZlibOptions): Readable {
  const out = new PassThrough();
  let inflater: zlib.Inflate | zlib.InflateRaw | undefined;
  let head = Buffer.alloc(0);
  const start = (): zlib.Inflate | zlib.InflateRaw => {
    inflater = isZlibHeader(head) ? zlib.createInflate(options) : zlib.createInflateRaw(options);
    inflater.on('error', (err) => out.destroy(err));
    inflater.pipe(out);
    inflater.write(head);
    return inflater;
  };
  input.on('data', (chunk: Buffer) => {
    if (inflater) return void inflater.write(chunk);
    head = Buffer.concat([head, chunk]);
    // Starting at the end instead gives the same body (the input is capped on the wire): starting
    // at once is to inflate as the body arrives. Nor does waiting for a third byte change anything.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
    if (head.length >= 2) start();
  });
  input.on('end', () => (inflater ?? start()).end());
  // Frees the inflater's zlib memory at once (a capped or aborted read) rather than when collected.
  // Stryker disable next-line StringLiteral,ArrowFunction: see above; nothing a test can observe changes
  out.on('close', () => inflater?.destroy());
  return out;
}

/** RFC 1950: compression method 8 in the low four bits, and the first two bytes a multiple of 31. */
const isZlibHeader = (head: Buffer): boolean => head.length >= 2 && (head[0] & 0x0f) === 8 && head.readUInt16BE(0) % 31 === 0;
