/**
 * The one HTTP fetcher for feeds and article pages (modelled on Miniflux's): http(s) only; every
 * address DNS returns is checked before connecting, on every redirect (at most
 * `network.maxRedirects`); a connect timeout and a total deadline that destroys the socket (a
 * server dripping one byte at a time is cut off); gzip/deflate/br with the byte cap counted after
 * decompression; conditional GET; HTTP Basic credentials for one origin; a global and a per-host
 * concurrency limit.
 *
 * A fetch reads top to bottom as: screen the URL (./screen) → one request hop (./exchange) → the
 * capped body read (./body) → the redirect loop below, which screens every Location again.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import type { NetworkConfig } from '../config/schema';
import { decodeBody } from './charset';
import { SlotDeadline } from './deadline';
import { exchange, REDIRECT_STATUSES, type Hop, type HopLimits, type HopResult } from './exchange';
import { FetchError } from './fetch-error';
import { HostLimiter, RedirectChainSlot } from './limiter';
import { checkedLookup, hostAndPort, quoteUrl, screenUrl, type Resolve, type ScreenedUrl } from './screen';

export { FetchError } from './fetch-error';

export interface FetchRequest {
  kind: 'feed' | 'page';
  etag?: string;
  lastModified?: string;
  /** HTTP Basic credentials, sent to the origin (scheme, host, port) of the URL asked for and to no other. */
  auth?: { username: string; password: string };
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

export interface Fetcher {
  fetch(url: string, request: FetchRequest): Promise<FetchResult>;
}

export const USER_AGENT = 'rss-digest/0.1 (+https://github.com/rss-digest/rss-digest)';

const ACCEPT: Record<FetchRequest['kind'], string> = {
  feed: 'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5',
  page: 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5',
};

/** Pieces the fetcher needs that tests may replace (a resolver that maps names to 127.0.0.1). */
export interface FetcherOptions {
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** What every fetch of one fetcher shares: configuration, the limiter and the keep-alive agents. */
interface FetchContext {
  network: NetworkConfig;
  allowHosts: ReadonlySet<string>;
  resolve: Resolve;
  limiter: HostLimiter;
  agents: Record<'http:' | 'https:', http.Agent>;
  userAgent: string;
  limits: HopLimits;
}

/** The last hop of a redirect chain and what the chain added up to. */
interface ChainEnd {
  url: URL;
  response: HopResult;
  wireBytes: number;
  redirects: number;
}

export function createFetcher(network: NetworkConfig, options: FetcherOptions = {}): Fetcher {
  const context: FetchContext = {
    network,
    allowHosts: new Set(network.allowHosts.map((h) => h.toLowerCase())),
    resolve: options.resolve ?? systemResolve,
    limiter: new HostLimiter(network.concurrency, network.perHostConcurrency),
    agents: {
      'http:': new http.Agent({ keepAlive: true, maxSockets: network.perHostConcurrency, scheduling: 'lifo' }),
      'https:': new https.Agent({ keepAlive: true, maxSockets: network.perHostConcurrency, scheduling: 'lifo' }),
    },
    userAgent: network.userAgent ?? USER_AGENT,
    limits: { connectTimeoutMs: network.connectTimeoutMs, maxBytes: network.maxBytes },
  };
  return {
    async fetch(rawUrl, request) {
      const started = Date.now();
      const end = await followRedirects(context, screenUrl(rawUrl, context.allowHosts), request);
      return toFetchResult(end, request, started);
    },
  };
}

/**
 * Hops until a response that is not a redirect. The chain holds one connection slot at a time,
 * and the deadline runs only while it holds one (see SlotDeadline and RedirectChainSlot).
 */
async function followRedirects(context: FetchContext, first: ScreenedUrl, request: FetchRequest): Promise<ChainEnd> {
  const { network } = context;
  const slot = new RedirectChainSlot(context.limiter);
  const deadline = new SlotDeadline(
    network.timeoutMs,
    () => new FetchError('timeout', `No complete response within ${network.timeoutMs} ms`),
  );
  let target = first;
  let wireBytes = 0;
  try {
    for (let redirects = 0; ; redirects++) {
      await holdSlot(slot, deadline, hostAndPort(target.url));
      const response = await exchange(hopTo(context, target, request, first.url.origin, deadline.signal), context.limits);
      wireBytes += response.wireBytes;
      if (!REDIRECT_STATUSES.has(response.status)) return { url: target.url, response, wireBytes, redirects };
      target = screenUrl(redirectTarget(response, target.url, redirects, network.maxRedirects), context.allowHosts);
    }
  } finally {
    slot.release();
    deadline.pause();
  }
}

/** Holds the slot for `host` (keeping it when already held); the deadline counts only while one is held. */
async function holdSlot(slot: RedirectChainSlot, deadline: SlotDeadline, host: string): Promise<void> {
  deadline.pause();
  await slot.moveTo(host);
  deadline.resume();
}

function hopTo(
  context: FetchContext,
  target: ScreenedUrl,
  request: FetchRequest,
  credentialsOrigin: string,
  signal: AbortSignal,
): Hop {
  const { url, allowListed } = target;
  return {
    url,
    kind: request.kind,
    headers: requestHeaders(context.userAgent, request, url.origin === credentialsOrigin),
    agent: context.agents[url.protocol as 'http:' | 'https:'],
    lookup: checkedLookup(context.resolve, allowListed),
    signal,
  };
}

/**
 * Credentials go only to the origin they were given for: a redirect elsewhere, including another
 * port or plain http, does not get them (as browsers and curl do).
 */
function requestHeaders(userAgent: string, request: FetchRequest, sendCredentials: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': userAgent,
    accept: ACCEPT[request.kind],
    'accept-encoding': 'gzip, deflate, br',
  };
  if (request.etag) headers['if-none-match'] = request.etag;
  if (request.lastModified) headers['if-modified-since'] = request.lastModified;
  if (request.auth && sendCredentials) headers['authorization'] = basicAuthorization(request.auth);
  return headers;
}

/** RFC 7617, in UTF-8. */
const basicAuthorization = ({ username, password }: { username: string; password: string }): string =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** The absolute URL a redirect points to, or why it is not followed. */
function redirectTarget(response: HopResult, from: URL, redirects: number, maxRedirects: number): string {
  const { status, location } = response;
  if (!location) throw new FetchError('http-4xx', `Redirect (${status}) without a Location`, status);
  if (redirects >= maxRedirects) throw new FetchError('redirects', `More than ${maxRedirects} redirects`, status);
  try {
    return new URL(location, from).toString();
  } catch {
    throw new FetchError('invalid-url', `Bad redirect Location: ${quoteUrl(location)}`, status);
  }
}

/** The final response as a result (decoded text) or as a named error. */
function toFetchResult(end: ChainEnd, request: FetchRequest, started: number): FetchResult {
  const { response } = end;
  const { status, headers } = response;
  const base = { url: end.url.toString(), status, headers, wireBytes: end.wireBytes, redirects: end.redirects };
  if (status === 304) return { ...base, notModified: true, body: Buffer.alloc(0), text: '', durationMs: Date.now() - started };
  if (status >= 400) {
    throw new FetchError(status >= 500 ? 'http-5xx' : 'http-4xx', `HTTP ${status}`, status, headers['retry-after']);
  }
  // Node reports no 1xx as a response, and every 2xx but a 304 has its body read.
  if (status >= 300) throw new FetchError('network', `Unexpected HTTP ${status}`, status);
  // Stryker disable next-line ConditionalExpression: only narrows the type (a 2xx always has its body, see above).
  if (!response.body) throw new FetchError('network', `Unexpected HTTP ${status}`, status);
  const decoded = decodeBody(response.body, headers['content-type'], request.kind);
  return {
    ...base,
    notModified: false,
    body: response.body,
    text: decoded.text,
    charset: decoded.charset,
    durationMs: Date.now() - started,
  };
}
