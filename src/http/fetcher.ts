/**
 * The one HTTP fetcher for feeds and article pages (modelled on Miniflux's): http(s) only; every
 * address DNS returns is checked before connecting, on every redirect (at most
 * `network.maxRedirects`); a connect timeout and a total deadline that destroys the socket (a
 * server dripping one byte at a time is cut off); gzip/deflate/br with the byte cap counted after
 * decompression; conditional GET; a global and a per-host concurrency limit.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import { PassThrough, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { NetworkConfig } from '../config/schema';
import type { ErrorClass } from '../types';
import { blockedAddressReason, isIpLiteral } from './address';
import { decodeBody } from './charset';
import { HostLimiter } from './limiter';

export interface FetchRequest {
  kind: 'feed' | 'page';
  etag?: string;
  lastModified?: string;
}

export interface FetchResult {
  /** Final URL after redirects. */
  url: string;
  status: number;
  notModified: boolean;
  headers: Record<string, string>;
  /** The body after decompression (at most `network.maxBytes`). */
  body: Buffer;
  /** Decoded text (charset from BOM, Content-Type, XML prolog or <meta>). Empty on 304. */
  text: string;
  /** Encoding used for `text`. */
  charset?: string;
  /** Bytes received on the wire (before decompression), over all redirects. */
  wireBytes: number;
  redirects: number;
  durationMs: number;
}

export class FetchError extends Error {
  constructor(
    readonly errorClass: ErrorClass,
    message: string,
    readonly status?: number,
    readonly retryAfter?: string,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

export interface Fetcher {
  fetch(url: string, request: FetchRequest): Promise<FetchResult>;
}

export const USER_AGENT = 'rss-digest/0.1 (+https://github.com/rss-digest/rss-digest)';

const ACCEPT: Record<FetchRequest['kind'], string> = {
  feed: 'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5',
  page: 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5',
};

/** One request/response exchange (one hop of a redirect chain). */
interface HopResult {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
  wireBytes: number;
  location?: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** "host:port" with the scheme's default port filled in: the allow-list entry and the per-host limiter key. */
const hostAndPort = (u: URL): string => `${u.hostname.toLowerCase()}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;

/** Pieces the fetcher needs that tests may replace (a resolver that maps names to 127.0.0.1). */
export interface FetcherOptions {
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

const systemResolve = (hostname: string): Promise<LookupAddress[]> =>
  dns.promises.lookup(hostname, { all: true, verbatim: true });

export function createFetcher(network: NetworkConfig, options: FetcherOptions = {}): Fetcher {
  const allowed = new Set(network.allowHosts.map((h) => h.toLowerCase()));
  const resolve = options.resolve ?? systemResolve;
  const limiter = new HostLimiter(network.concurrency, network.perHostConcurrency);
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: network.perHostConcurrency, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: network.perHostConcurrency, scheduling: 'lifo' }),
  };
  const userAgent = network.userAgent ?? USER_AGENT;

  /** Parse and screen a URL before any connection: scheme, IP literals, allow-list. */
  const screen = (raw: string): { url: URL; allowListed: boolean } => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new FetchError('invalid-url', `Not a URL: ${raw.slice(0, 200)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new FetchError('invalid-url', `Not http(s): ${url.protocol}`);
    if (url.username || url.password) throw new FetchError('invalid-url', 'URLs with credentials are not fetched');
    const hostname = url.hostname.toLowerCase();
    const allowListed = allowed.has(hostAndPort(url));
    if (!allowListed && isIpLiteral(hostname)) {
      const reason = blockedAddressReason(hostname);
      if (reason) throw new FetchError('blocked-address', `Refusing ${url.host}: ${reason} address`);
    }
    return { url, allowListed };
  };

  /** net's `lookup` hook: resolve, refuse if any returned address is not public. */
  const checkedLookup =
    (allowListed: boolean) =>
    (
      hostname: string,
      opts: dns.LookupOptions,
      callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
    ): void => {
      resolve(hostname).then(
        (addresses) => {
          if (addresses.length === 0) return callback(new FetchError('network', `No address for ${hostname}`), '');
          if (!allowListed) {
            for (const a of addresses) {
              const reason = blockedAddressReason(a.address);
              if (reason)
                return callback(
                  new FetchError('blocked-address', `Refusing ${hostname}: resolves to ${reason} address ${a.address}`),
                  '',
                );
            }
          }
          const usable = opts.family ? addresses.filter((a) => a.family === opts.family) : addresses;
          const list = usable.length ? usable : addresses;
          if (opts.all) callback(null, list);
          else callback(null, list[0].address, list[0].family);
        },
        (err: NodeJS.ErrnoException) =>
          callback(new FetchError('network', `DNS lookup failed for ${hostname}: ${err.code ?? err.message}`), ''),
      );
    };

  async function fetchOnce(
    url: URL,
    allowListed: boolean,
    request: FetchRequest,
    signal: AbortSignal,
    onSlot: () => void,
  ): Promise<HopResult> {
    const release = await limiter.acquire(hostAndPort(url));
    onSlot();
    try {
      return await exchange(false);
    } finally {
      release();
    }

    function exchange(retried: boolean): Promise<HopResult> {
      return new Promise((resolvePromise, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const headers: Record<string, string> = {
          'user-agent': userAgent,
          accept: ACCEPT[request.kind],
          'accept-encoding': 'gzip, deflate, br',
        };
        if (request.etag) headers['if-none-match'] = request.etag;
        if (request.lastModified) headers['if-modified-since'] = request.lastModified;
        const mod = url.protocol === 'https:' ? https : http;
        let wireBytes = 0;
        let settled = false;
        let connectTimer: NodeJS.Timeout | undefined;
        const streams: Readable[] = [];
        const finish = (err: unknown, value?: HopResult): void => {
          if (settled) return;
          settled = true;
          clearTimeout(connectTimer);
          signal.removeEventListener('abort', onAbort);
          if (err) {
            for (const s of streams) s.destroy();
            req.destroy();
            reject(err);
          } else resolvePromise(value!);
        };
        const onAbort = (): void => finish(signal.reason);
        const req = mod.request(url, {
          method: 'GET',
          headers,
          agent: agents[url.protocol as 'http:' | 'https:'],
          lookup: checkedLookup(allowListed) as unknown as typeof dns.lookup,
        });
        signal.addEventListener('abort', onAbort, { once: true });
        req.on('socket', (socket) => {
          if (socket.connecting) {
            connectTimer = setTimeout(
              () =>
                afterPendingIo(() => {
                  if (socket.connecting) {
                    finish(new FetchError('timeout', `Could not connect to ${url.host} within ${network.connectTimeoutMs} ms`));
                  }
                }),
              network.connectTimeoutMs,
            );
            socket.once('connect', () => clearTimeout(connectTimer));
          }
        });
        let responded = false;
        req.on('error', (err) => {
          const code = (err as NodeJS.ErrnoException).code;
          if (!settled && !retried && !responded && req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) {
            // The server closed a kept-alive socket just as we reused it: one fresh try (Node's documented remedy).
            settled = true;
            clearTimeout(connectTimer);
            signal.removeEventListener('abort', onAbort);
            exchange(true).then(resolvePromise, reject);
            return;
          }
          finish(err instanceof FetchError ? err : new FetchError('network', `${url.host}: ${code ?? err.message}`));
        });
        req.on('response', (res) => {
          responded = true;
          streams.push(res);
          const status = res.statusCode ?? 0;
          const flat: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
          if (status === 304 || REDIRECT_STATUSES.has(status) || status >= 400 || status < 200) {
            // These bodies are never read: drop the connection rather than drain a possibly endless
            // body (a 304 has none, so its connection stays open for the next request).
            if (status === 304) res.resume();
            else res.destroy();
            return finish(null, { status, headers: flat, wireBytes, location: flat['location'] });
          }
          const type = (flat['content-type'] ?? '').toLowerCase();
          if (request.kind === 'page' && type && !/html|xml/.test(type)) {
            // A PDF, image or podcast episode behind an item link: not worth downloading.
            return finish(new FetchError('not-html', `Not an HTML page (${type.split(';')[0].trim()})`, status));
          }
          const declared = Number(flat['content-length']);
          if (Number.isFinite(declared) && declared > network.maxBytes) {
            return finish(
              new FetchError('too-large', `Body of ${declared} bytes is over the ${network.maxBytes}-byte limit`, status),
            );
          }
          let body: Readable = res;
          try {
            for (const coding of (flat['content-encoding'] ?? '')
              .toLowerCase()
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
              .reverse()) {
              const next = decoderFor(coding, body);
              if (next !== body) streams.push(next);
              body = next;
            }
          } catch (err) {
            return finish(err);
          }
          res.on('data', (chunk: Buffer) => {
            wireBytes += chunk.length;
            if (wireBytes > network.maxBytes)
              finish(new FetchError('too-large', `Body over the ${network.maxBytes}-byte limit`, status));
          });
          const chunks: Buffer[] = [];
          let size = 0;
          body.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > network.maxBytes) {
              finish(new FetchError('too-large', `Body over the ${network.maxBytes}-byte limit after decompression`, status));
              return;
            }
            chunks.push(chunk);
          });
          body.on('error', (err) =>
            finish(new FetchError('network', `Could not decode the body from ${url.host}: ${err.message}`, status)),
          );
          res.on('aborted', () => finish(new FetchError('network', `Connection to ${url.host} closed mid-body`, status)));
          body.on('end', () => finish(null, { status, headers: flat, body: Buffer.concat(chunks, size), wireBytes }));
        });
        req.end();
      });
    }
  }

  return {
    async fetch(rawUrl, request) {
      const started = Date.now();
      let { url, allowListed } = screen(rawUrl);
      const controller = new AbortController();
      // The deadline starts once the first request holds a connection slot: time spent queued
      // behind our own concurrency limits is not the server's fault.
      let deadline: NodeJS.Timeout | undefined;
      const startDeadline = (): void => {
        deadline ??= setTimeout(
          () =>
            afterPendingIo(() =>
              controller.abort(new FetchError('timeout', `No complete response within ${network.timeoutMs} ms`)),
            ),
          network.timeoutMs,
        );
      };
      let wireBytes = 0;
      try {
        for (let redirects = 0; ; redirects++) {
          const res = await fetchOnce(url, allowListed, request, controller.signal, startDeadline);
          wireBytes += res.wireBytes;
          const base = { url: url.toString(), status: res.status, headers: res.headers, wireBytes, redirects };
          if (REDIRECT_STATUSES.has(res.status)) {
            if (!res.location) throw new FetchError('http-4xx', `Redirect (${res.status}) without a Location`, res.status);
            if (redirects >= network.maxRedirects)
              throw new FetchError('redirects', `More than ${network.maxRedirects} redirects`, res.status);
            let next: string;
            try {
              next = new URL(res.location, url).toString();
            } catch {
              throw new FetchError('invalid-url', `Bad redirect Location: ${res.location.slice(0, 200)}`, res.status);
            }
            ({ url, allowListed } = screen(next));
            continue;
          }
          if (res.status === 304) {
            return { ...base, notModified: true, body: Buffer.alloc(0), text: '', durationMs: Date.now() - started };
          }
          if (res.status >= 400) {
            throw new FetchError(
              res.status >= 500 ? 'http-5xx' : 'http-4xx',
              `HTTP ${res.status}`,
              res.status,
              res.headers['retry-after'],
            );
          }
          if (res.status < 200 || res.status >= 300 || !res.body)
            throw new FetchError('network', `Unexpected HTTP ${res.status}`, res.status);
          const decoded = decodeBody(res.body, res.headers['content-type'], request.kind);
          return {
            ...base,
            notModified: false,
            body: res.body,
            text: decoded.text,
            charset: decoded.charset,
            durationMs: Date.now() - started,
          };
        }
      } finally {
        clearTimeout(deadline);
      }
    },
  };
}

/**
 * Runs `fn` after the I/O that is already waiting. When the event loop was busy (a big feed being
 * parsed), timers run before the I/O callbacks of the same turn: without this, a connection that
 * completed in time, or a body that has fully arrived, would be reported as a timeout.
 */
const afterPendingIo = (fn: () => void): void => {
  setImmediate(fn);
};

/** A decompressing stream for one Content-Encoding token; tolerant of truncated streams. */
function decoderFor(coding: string, input: Readable): Readable {
  const tolerant = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (coding) {
    case 'identity':
      return input;
    case 'gzip':
    case 'x-gzip':
      return input.pipe(zlib.createGunzip(tolerant));
    case 'br':
      return input.pipe(zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }));
    case 'deflate': {
      // "deflate" is zlib-wrapped by the spec but raw deflate from some servers: look at the header.
      const out = new PassThrough();
      let inflater: zlib.Inflate | zlib.InflateRaw | undefined;
      input.on('data', (chunk: Buffer) => {
        if (!inflater) {
          const zlibHeader = chunk.length >= 2 && (chunk[0] & 0x0f) === 8 && ((chunk[0] << 8) | chunk[1]) % 31 === 0;
          inflater = zlibHeader ? zlib.createInflate(tolerant) : zlib.createInflateRaw(tolerant);
          inflater.on('error', (err) => out.destroy(err));
          inflater.pipe(out);
        }
        inflater.write(chunk);
      });
      input.on('end', () => (inflater ? inflater.end() : out.end()));
      out.on('close', () => inflater?.destroy());
      return out;
    }
    default:
      throw new FetchError('network', `Unsupported Content-Encoding "${coding}"`);
  }
}
