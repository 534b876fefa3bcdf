/**
 * The subscription endpoint core, shared by the Lambda (API Gateway HTTP API) and
 * `rss-digest serve`: POST /subscribe, GET and POST /confirm, GET and POST /unsubscribe (RFC 8058
 * one-click). It takes a plain request and returns a plain response; the store, the mailer,
 * the secret and the clock are injected.
 *
 * Privacy: every subscribe answer that is not an input error is the same page whether the
 * address was unknown, pending or confirmed; a confirmed address gets an "already subscribed"
 * mail instead of a confirmation, so even the mail traffic looks alike. Addresses are never logged.
 */
import { randomBytes } from 'node:crypto';
import { renderAlreadySubscribedEmail, renderConfirmationEmail } from '../email/notice-email';
import type { Mailer } from '../email/mailers';
import type { Store } from '../store';
import { maskAddress, normalizeAddress } from './address';
import { renderResponse, type EndpointResponse, type PageContent } from './pages';
import type { SecretLoader } from './secret';
import { readSubscriber, subscriberKey, unsubscribedRecord, writeSubscriber, type SubscriberRecord } from './subscribers';
import { confirmToken, subscriberIdFor, unsubscribeToken, verifyToken } from './tokens';

export type { EndpointResponse } from './pages';

export interface EndpointRequest {
  method: string;
  /** Request path; a leading "/api" is accepted and ignored. */
  path: string;
  /** Raw query string (without "?") or parsed parameters. */
  query?: string | Record<string, string | undefined>;
  /** Header names in any case. */
  headers?: Record<string, string | string[] | undefined>;
  body?: string | Buffer;
}

/** Bodies are one address (or the one-click marker): anything larger is not a real request. */
export const MAX_BODY_BYTES = 4096;
/** At most one confirmation mail per address per this many seconds. */
export const CONFIRMATION_INTERVAL_SECONDS = 600;

export interface SubscriptionEndpointDeps {
  store: Store;
  mailer: Mailer;
  secret: SecretLoader;
  /** Public site base URL (links back to the site). */
  siteUrl: string;
  /** Public endpoint base URL, e.g. "https://example.org/api" (links in mails). */
  endpointUrl: string;
  /** Digest title (config digest.title) and the language of the labels (LABELS_LANG). */
  title: string;
  lang: string;
  from: string;
  replyTo?: string;
  /** Confirmation mails this process may send in its lifetime (config email.maxConfirmationsPerRun). */
  maxConfirmations: number;
  now?: () => Date;
  /** Structured events for logs; carries the keyed subscriber id, never the address. */
  log?: (event: { event: string; subscriber?: string; [key: string]: unknown }) => void;
}

export type SubscriptionEndpoint = (request: EndpointRequest) => Promise<EndpointResponse>;

const header = (headers: EndpointRequest['headers'], name: string): string | undefined => {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === wanted) return Array.isArray(v) ? v.join(', ') : v;
  }
  return undefined;
};

const queryParams = (query: EndpointRequest['query']): URLSearchParams => {
  if (query === undefined) return new URLSearchParams();
  if (typeof query === 'string') return new URLSearchParams(query.replace(/^\?/, ''));
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
  return params;
};

const wantsJson = (request: EndpointRequest, params: URLSearchParams): boolean => {
  if (params.get('format') === 'json') return true;
  const accept = header(request.headers, 'accept') ?? '';
  if (/application\/json/i.test(accept) && !/text\/html/i.test(accept)) return true;
  return !accept && /application\/json/i.test(header(request.headers, 'content-type') ?? '');
};

type ParsedBody = { ok: true; fields: URLSearchParams | Record<string, unknown> } | { ok: false; content: PageContent };

function parseBody(request: EndpointRequest, allowEmpty: boolean): ParsedBody {
  const raw =
    request.body === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(request.body)
        ? request.body
        : Buffer.from(request.body, 'utf8');
  if (raw.length > MAX_BODY_BYTES) {
    return {
      ok: false,
      content: problem(413, 'body-too-large', 'Request too large', `A request may carry at most ${MAX_BODY_BYTES} bytes.`),
    };
  }
  const type = (header(request.headers, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0 && allowEmpty) return { ok: true, fields: new URLSearchParams() };
  if (type === 'application/x-www-form-urlencoded' || (type === '' && allowEmpty)) {
    return { ok: true, fields: new URLSearchParams(raw.toString('utf8')) };
  }
  if (type === 'application/json') {
    try {
      const value: unknown = JSON.parse(raw.toString('utf8'));
      if (value && typeof value === 'object' && !Array.isArray(value))
        return { ok: true, fields: value as Record<string, unknown> };
    } catch {
      // fall through
    }
    return {
      ok: false,
      content: problem(
        400,
        'bad-json',
        'Not understood',
        'The request body must be a JSON object such as {"email": "name@example.com"}.',
      ),
    };
  }
  return {
    ok: false,
    content: problem(
      415,
      'unsupported-media-type',
      'Not understood',
      'Send the form as application/x-www-form-urlencoded or JSON.',
    ),
  };
}

const field = (fields: URLSearchParams | Record<string, unknown>, name: string): { value?: unknown; count: number } => {
  if (fields instanceof URLSearchParams) {
    const all = fields.getAll(name);
    return { value: all[0], count: all.length };
  }
  return { value: fields[name], count: name in fields ? 1 : 0 };
};

function problem(status: number, code: string, heading: string, message: string, retryAfterSeconds?: number): PageContent {
  return { status, code, heading, message, ok: false, retryAfterSeconds };
}

/**
 * The token of a confirm or unsubscribe request: from the query (the mailed link, and the form that
 * posts back to it), else from a POST body's `token` field. A POST's body fields come along.
 */
function linkToken(
  request: EndpointRequest,
  params: URLSearchParams,
  method: 'GET' | 'POST',
): { ok: true; token: string | null; fields?: URLSearchParams | Record<string, unknown> } | { ok: false; content: PageContent } {
  const token = params.get('token');
  if (method === 'GET') return { ok: true, token };
  const body = parseBody(request, true);
  if (!body.ok) return body;
  const bodyToken = field(body.fields, 'token').value;
  return { ok: true, token: token || (typeof bodyToken === 'string' ? bodyToken : null), fields: body.fields };
}

const INVALID_LINK = (what: string): PageContent =>
  problem(
    400,
    'invalid-link',
    'This link does not work',
    `This ${what} link is invalid or has expired. You can subscribe again from the digest page.`,
  );

export function createSubscriptionEndpoint(deps: SubscriptionEndpointDeps): SubscriptionEndpoint {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? (() => undefined);
  const endpoint = deps.endpointUrl.replace(/\/+$/, '');
  // Per-process state: recent requests (closes the gap between concurrent requests for one
  // address before the store shows the first) and the mails this process has sent.
  const recent = new Map<string, number>();
  let confirmationsSent = 0;

  const sendNotice = async (
    record: SubscriberRecord,
    address: string,
    secret: Buffer,
    at: Date,
    nonce?: string,
  ): Promise<void> => {
    const common = { title: deps.title, siteUrl: deps.siteUrl, lang: deps.lang };
    const mail = nonce
      ? renderConfirmationEmail({
          ...common,
          confirmUrl: `${endpoint}/confirm?token=${confirmToken(secret, record.id, nonce, at)}`,
        })
      : renderAlreadySubscribedEmail({
          ...common,
          unsubscribeUrl: `${endpoint}/unsubscribe?token=${unsubscribeToken(secret, record.id, at)}`,
        });
    await deps.mailer.send({
      from: deps.from,
      replyTo: deps.replyTo,
      to: address,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: { 'Auto-Submitted': 'auto-generated' },
      label: `${nonce ? 'confirm' : 'notice'}-${at.toISOString().replace(/[:.]/g, '-')}-${record.id.slice(0, 12)}`,
    });
  };

  const subscribe = async (request: EndpointRequest): Promise<PageContent> => {
    const body = parseBody(request, false);
    if (!body.ok) return body.content;
    const email = field(body.fields, 'email');
    if (email.count > 1) return problem(400, 'invalid-address', 'Check the address', 'Send exactly one email address.');
    const checked = normalizeAddress(email.value);
    if (!checked.ok) return problem(400, `invalid-address`, 'Check the address', checked.message);

    const secret = await deps.secret();
    const id = subscriberIdFor(secret, checked.address);
    const at = now();
    const tooSoon = problem(
      429,
      'rate-limited',
      'Already on its way',
      'A confirmation mail for this address was sent a few minutes ago. Check your inbox (and spam folder), or try again in 10 minutes.',
      CONFIRMATION_INTERVAL_SECONDS,
    );
    // A long-running `serve` must not keep every address it ever saw: drop expired entries.
    if (recent.size > 1000) {
      for (const [key, at0] of recent) if (at.getTime() - at0 >= CONFIRMATION_INTERVAL_SECONDS * 1000) recent.delete(key);
    }
    const last = recent.get(id);
    if (last !== undefined && at.getTime() - last < CONFIRMATION_INTERVAL_SECONDS * 1000) {
      log({ event: 'subscribe-rate-limited', subscriber: id });
      return tooSoon;
    }
    if (confirmationsSent >= deps.maxConfirmations) {
      log({ event: 'subscribe-capped', subscriber: id, confirmationsSent });
      return problem(
        429,
        'busy',
        'Please try again later',
        'Too many subscriptions right now. Please try again in a while.',
        CONFIRMATION_INTERVAL_SECONDS,
      );
    }
    recent.set(id, at.getTime());
    confirmationsSent++;

    // Until the mail is out, this request holds the address's slot and one unit of the cap.
    let release = true;
    try {
      const previous = await readSubscriber(deps.store, id);
      const lastSent = previous?.lastConfirmationAt ? Date.parse(previous.lastConfirmationAt) : NaN;
      if (!Number.isNaN(lastSent) && at.getTime() - lastSent < CONFIRMATION_INTERVAL_SECONDS * 1000) {
        release = false;
        recent.set(id, lastSent);
        confirmationsSent--;
        log({ event: 'subscribe-rate-limited', subscriber: id });
        return tooSoon;
      }
      const stamp = at.toISOString();
      const alreadyConfirmed = previous?.status === 'confirmed' && !!previous.address;
      const nonce = alreadyConfirmed ? undefined : randomBytes(12).toString('base64url');
      const record: SubscriberRecord = alreadyConfirmed
        ? { ...previous, updatedAt: stamp, lastConfirmationAt: stamp, confirmationsSent: (previous.confirmationsSent ?? 0) + 1 }
        : {
            version: 1,
            id,
            address: checked.address,
            status: 'pending',
            createdAt: previous?.createdAt ?? stamp,
            updatedAt: stamp,
            confirmNonce: nonce,
            lastConfirmationAt: stamp,
            confirmationsSent: (previous?.confirmationsSent ?? 0) + 1,
          };
      // Store first, so the link works the moment the mail arrives; undo if the mail fails.
      await writeSubscriber(deps.store, record);
      try {
        await sendNotice(record, alreadyConfirmed ? (previous.address as string) : checked.address, secret, at, nonce);
      } catch (err) {
        if (previous) await writeSubscriber(deps.store, previous);
        else await deps.store.delete(subscriberKey(id));
        throw err;
      }
      release = false;
      log({ event: alreadyConfirmed ? 'subscribe-notice-sent' : 'confirmation-sent', subscriber: id });
      return {
        status: 202,
        code: 'confirmation-sent',
        ok: true,
        heading: 'Check your inbox',
        message: `If the address can receive mail, a message is on its way. Follow the link in it to confirm your subscription to ${deps.title}.`,
      };
    } catch (err) {
      // SMTP replies often quote the recipient: mask it before the message reaches a log.
      const message = maskAddress((err as Error).message, checked.address);
      log({ event: 'confirmation-failed', subscriber: id, error: (err as Error).name, message });
      return problem(
        503,
        'mail-failed',
        'Please try again later',
        'The confirmation mail could not be sent just now. Please try again in a few minutes.',
        60,
      );
    } finally {
      if (release) {
        recent.delete(id);
        confirmationsSent--;
      }
    }
  };

  const confirm = async (request: EndpointRequest, params: URLSearchParams, method: 'GET' | 'POST'): Promise<PageContent> => {
    const link = linkToken(request, params, method);
    if (!link.ok) return link.content;
    const { token } = link;
    const secret = await deps.secret();
    const at = now();
    const check = verifyToken(secret, token, 'confirm', at);
    if (!check.ok) return INVALID_LINK('confirmation');
    const record = await readSubscriber(deps.store, check.payload.s);
    const done: PageContent = {
      status: 200,
      code: 'confirmed',
      ok: true,
      heading: 'You are subscribed',
      message: `Thank you! ${deps.title} will arrive in your inbox with the next edition. Every mail has a link to unsubscribe.`,
    };
    if (record?.status === 'confirmed') return done;
    if (!record || record.status !== 'pending' || !record.confirmNonce || record.confirmNonce !== check.payload.n) {
      return INVALID_LINK('confirmation');
    }
    if (method === 'GET') {
      // A GET never changes anything: the link scanners of mail gateways follow every link, and a
      // subscription they confirmed would be one its owner never agreed to.
      return {
        status: 200,
        code: 'confirm-prompt',
        ok: true,
        heading: 'Confirm your subscription',
        message: `Press the button to receive ${deps.title} by email.`,
        form: { action: `?token=${encodeURIComponent(token as string)}`, button: 'Confirm subscription' },
      };
    }
    const stamp = at.toISOString();
    const { confirmNonce: _used, ...rest } = record;
    await writeSubscriber(deps.store, { ...rest, status: 'confirmed', confirmedAt: stamp, updatedAt: stamp });
    log({ event: 'confirmed', subscriber: record.id });
    return done;
  };

  const unsubscribe = async (request: EndpointRequest, params: URLSearchParams, method: 'GET' | 'POST'): Promise<PageContent> => {
    const link = linkToken(request, params, method);
    if (!link.ok) return link.content;
    const { token } = link;
    const oneClick = !!link.fields && field(link.fields, 'List-Unsubscribe').value === 'One-Click';
    const secret = await deps.secret();
    const at = now();
    const check = verifyToken(secret, token, 'unsubscribe', at);
    if (!check.ok) return INVALID_LINK('unsubscribe');
    if (method === 'GET') {
      // A GET never changes anything: link scanners in mail systems follow links.
      return {
        status: 200,
        code: 'unsubscribe-confirm',
        ok: true,
        heading: 'Unsubscribe?',
        message: `Press the button to stop receiving ${deps.title} by email.`,
        form: { action: `?token=${encodeURIComponent(token as string)}`, button: 'Unsubscribe' },
      };
    }
    const record = await readSubscriber(deps.store, check.payload.s);
    if (record && record.status !== 'unsubscribed') {
      await writeSubscriber(deps.store, unsubscribedRecord(record, at, oneClick ? 'one-click' : 'link'));
      log({ event: 'unsubscribed', subscriber: record.id, oneClick });
    }
    return {
      status: 200,
      code: 'unsubscribed',
      ok: true,
      heading: 'You are unsubscribed',
      message: `This address will not receive ${deps.title} any more. You can subscribe again at any time from the digest page.`,
    };
  };

  return async (request) => {
    const params = queryParams(request.query);
    const ctx = { title: deps.title, lang: deps.lang, siteUrl: deps.siteUrl, json: wantsJson(request, params) };
    const method = request.method.toUpperCase();
    const route = request.path.replace(/^\/api(?=\/|$)/, '').replace(/\/+$/, '') || '/';
    const allowed: Record<string, string[]> = {
      '/subscribe': ['POST'],
      '/confirm': ['GET', 'POST'],
      '/unsubscribe': ['GET', 'POST'],
    };
    const methods = allowed[route];
    if (!methods) return renderResponse(problem(404, 'not-found', 'Not found', 'There is nothing at this address.'), ctx);
    const effective = method === 'HEAD' && methods.includes('GET') ? 'GET' : method;
    if (!methods.includes(effective)) {
      const res = renderResponse(problem(405, 'method-not-allowed', 'Not allowed', `Use ${methods.join(' or ')} here.`), ctx);
      res.headers.allow = methods.join(', ');
      return res;
    }
    let content: PageContent;
    try {
      if (route === '/subscribe') content = await subscribe(request);
      else if (route === '/confirm') content = await confirm(request, params, effective as 'GET' | 'POST');
      else content = await unsubscribe(request, params, effective as 'GET' | 'POST');
    } catch (err) {
      log({ event: 'endpoint-error', route, error: (err as Error).name, message: (err as Error).message });
      content = problem(500, 'internal-error', 'Something went wrong', 'Please try again later.');
    }
    const response = renderResponse(content, ctx);
    return method === 'HEAD' ? { ...response, body: '' } : response;
  };
}
