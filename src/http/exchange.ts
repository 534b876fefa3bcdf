/**
 * Step two: one request/response exchange, one hop of a redirect chain. Connect within
 * `connectTimeoutMs`, send the request, then sort the response by status: bodies that are never
 * read (304, redirects, errors) are dropped, a page that is not HTML or a declared length over the
 * cap is refused before reading, and anything else goes through the capped body reader.
 */
import type dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { readCappedBody } from './body';
import { afterPendingIo } from './deadline';
import { FetchError } from './fetch-error';
import type { LookupFunction } from './screen';

export interface Hop {
  url: URL;
  kind: 'feed' | 'page';
  headers: Record<string, string>;
  agent: http.Agent;
  /** Resolves the host and refuses private addresses (see `checkedLookup`). */
  lookup: LookupFunction;
  /** The fetch's deadline: aborting it ends the hop and destroys its socket. */
  signal: AbortSignal;
}

export interface HopLimits {
  connectTimeoutMs: number;
  maxBytes: number;
}

export interface HopResult {
  status: number;
  headers: Record<string, string>;
  /** Only for 2xx responses. */
  body?: Buffer;
  wireBytes: number;
  location?: string;
}

export const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export async function exchange(hop: Hop, limits: HopLimits): Promise<HopResult> {
  try {
    return await attempt(hop, limits);
  } catch (err) {
    if (!(err instanceof StaleSocketError)) throw err;
    // The server closed a kept-alive socket just as we reused it: one fresh try (Node's documented remedy).
    return attempt(hop, limits).catch((again: unknown) => {
      throw again instanceof StaleSocketError ? again.failure : again;
    });
  }
}

/** A reused keep-alive socket that the server had already closed; worth exactly one retry. */
class StaleSocketError extends Error {
  constructor(readonly failure: FetchError) {
    super(failure.message);
  }
}

async function attempt(hop: Hop, limits: HopLimits): Promise<HopResult> {
  if (hop.signal.aborted) throw hop.signal.reason;
  // Aborted by the fetch's deadline or by this attempt's connect timeout; its reason is the error.
  const cancel = new AbortController();
  const forwardDeadline = (): void => cancel.abort(hop.signal.reason);
  hop.signal.addEventListener('abort', forwardDeadline);
  const req = send(hop);
  const stopConnectTimer = limitConnectTime(req, hop.url, limits.connectTimeoutMs, cancel);
  let res: http.IncomingMessage | undefined;
  try {
    res = await responseTo(req, hop.url, cancel.signal);
    return await handleResponse(res, hop, limits, cancel.signal);
  } catch (err) {
    res?.destroy();
    req.destroy();
    throw cancel.signal.aborted ? cancel.signal.reason : err;
  } finally {
    stopConnectTimer();
    hop.signal.removeEventListener('abort', forwardDeadline);
  }
}

/** A GET (the default method) through the hop's agent. */
function send(hop: Hop): http.ClientRequest {
  // The agent makes the connection (an https.Agent for https: URLs, TLS included), so either module's
  // request() would do: https.request only changes the default agent.
  // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: see above
  const transport = hop.url.protocol === 'https:' ? https : http;
  const req = transport.request(hop.url, {
    headers: hop.headers,
    agent: hop.agent,
    lookup: hop.lookup as unknown as typeof dns.lookup,
  });
  req.end();
  return req;
}

/**
 * Aborts the attempt if its socket is still connecting `timeoutMs` after it was assigned: a
 * connected socket (a reused one from the start) is left alone however slow the answer.
 */
function limitConnectTime(req: http.ClientRequest, url: URL, timeoutMs: number, cancel: AbortController): () => void {
  let timer: NodeJS.Timeout | undefined;
  req.once('socket', (socket) => {
    const giveUp = (): void => {
      if (socket.connecting) cancel.abort(new FetchError('timeout', `Could not connect to ${url.host} within ${timeoutMs} ms`));
    };
    timer = setTimeout(() => afterPendingIo(giveUp), timeoutMs);
  });
  // Clearing only frees the timer sooner: when it fires after the attempt, the socket is not connecting.
  // Stryker disable next-line ArrowFunction: see above
  return () => clearTimeout(timer);
}

function responseTo(req: http.ClientRequest, url: URL, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    // Both stay attached after the response: a request error must never go unhandled, and the
    // abort listener goes with the attempt's signal (a late abort finds the promise settled).
    signal.addEventListener('abort', () => reject(signal.reason));
    req.on('error', (err) => reject(requestError(err, req, url)));
    req.once('response', resolve);
  });
}

function requestError(err: NodeJS.ErrnoException, req: http.ClientRequest, url: URL): Error {
  if (err instanceof FetchError) return err; // refused by the lookup
  const failure = new FetchError('network', `${url.host}: ${err.code ?? err.message}`);
  const stale = req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
  return stale ? new StaleSocketError(failure) : failure;
}

async function handleResponse(res: http.IncomingMessage, hop: Hop, limits: HopLimits, signal: AbortSignal): Promise<HopResult> {
  const status = res.statusCode ?? 0;
  const headers = flattenHeaders(res.headers);
  // No 1xx: Node handles informational responses itself and never reports them as the response.
  if (status === 304 || REDIRECT_STATUSES.has(status) || status >= 400) {
    return dropBody(res, status, headers);
  }
  refuseBeforeReading(status, headers, hop.kind, limits.maxBytes);
  const { body, wireBytes } = await readCappedBody(res, { maxBytes: limits.maxBytes, signal, host: hop.url.host, status });
  return { status, headers, body, wireBytes };
}

/** Repeated headers joined with ", " (Node leaves no header undefined in a response). */
function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) flat[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return flat;
}

/**
 * These bodies are never read: drop the connection rather than drain a possibly endless body
 * (a 304 has none, so its connection stays open for the next request).
 */
function dropBody(res: http.IncomingMessage, status: number, headers: Record<string, string>): HopResult {
  if (status === 304) res.resume();
  else res.destroy();
  return { status, headers, wireBytes: 0, location: headers['location'] };
}

function refuseBeforeReading(status: number, headers: Record<string, string>, kind: Hop['kind'], maxBytes: number): void {
  const type = (headers['content-type'] ?? '').toLowerCase();
  if (kind === 'page' && type && !/html|xml/.test(type)) {
    // A PDF, image or podcast episode behind an item link: not worth downloading.
    throw new FetchError('not-html', `Not an HTML page (${type.split(';')[0].trim()})`, status);
  }
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new FetchError('too-large', `Body of ${declared} bytes is over the ${maxBytes}-byte limit`, status);
  }
}
