/**
 * The one HTTP fetcher used for feeds and article pages. (Foundation version: issue 3 hardens it:
 * DNS-checked private-address refusal on every redirect, decompression with a cap, per-host limits.)
 */
import type { NetworkConfig } from '../config/schema';
import type { ErrorClass } from '../types';

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
  body: Buffer;
  /** Decoded text (charset from BOM, Content-Type, XML prolog or <meta>). Empty on 304. */
  text: string;
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

function isPrivateHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return (
    h === 'localhost' ||
    h === '::1' ||
    /^127\./.test(h) ||
    /^10\./.test(h) ||
    /^192\.168\./.test(h) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(h) ||
    /^169\.254\./.test(h) ||
    h === '0.0.0.0'
  );
}

export function createFetcher(network: NetworkConfig): Fetcher {
  const allowed = new Set(network.allowHosts);
  const check = (raw: string): URL => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new FetchError('invalid-url', `Not a URL: ${raw}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new FetchError('invalid-url', `Not http(s): ${raw}`);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    if (isPrivateHost(u.hostname) && !allowed.has(`${u.hostname}:${port}`)) {
      throw new FetchError('blocked-address', `Refusing to fetch private address ${u.host}`);
    }
    return u;
  };
  return {
    async fetch(url, request) {
      const started = Date.now();
      let current = check(url);
      const headers: Record<string, string> = { 'user-agent': network.userAgent ?? USER_AGENT };
      if (request.etag) headers['if-none-match'] = request.etag;
      if (request.lastModified) headers['if-modified-since'] = request.lastModified;
      for (let hop = 0; ; hop++) {
        let res: Response;
        try {
          res = await fetch(current, { headers, redirect: 'manual', signal: AbortSignal.timeout(network.timeoutMs) });
        } catch (err) {
          const e = err as Error;
          if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new FetchError('timeout', `Timed out after ${network.timeoutMs} ms`);
          throw new FetchError('network', e.message);
        }
        if (res.status >= 300 && res.status < 400 && res.status !== 304) {
          const loc = res.headers.get('location');
          if (!loc) throw new FetchError('http-4xx', `Redirect without Location (${res.status})`, res.status);
          if (hop >= network.maxRedirects) throw new FetchError('redirects', `More than ${network.maxRedirects} redirects`);
          current = check(new URL(loc, current).toString());
          continue;
        }
        const hdrs: Record<string, string> = {};
        res.headers.forEach((v, k) => (hdrs[k] = v));
        if (res.status === 304) {
          return { url: current.toString(), status: 304, notModified: true, headers: hdrs, body: Buffer.alloc(0), text: '', durationMs: Date.now() - started };
        }
        if (res.status >= 400) {
          throw new FetchError(res.status >= 500 ? 'http-5xx' : 'http-4xx', `HTTP ${res.status}`, res.status, res.headers.get('retry-after') ?? undefined);
        }
        const body = Buffer.from(await res.arrayBuffer());
        if (body.length > network.maxBytes) throw new FetchError('too-large', `Body over ${network.maxBytes} bytes`);
        return { url: current.toString(), status: res.status, notModified: false, headers: hdrs, body, text: body.toString('utf8'), durationMs: Date.now() - started };
      }
    },
  };
}
