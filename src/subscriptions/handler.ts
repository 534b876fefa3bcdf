/**
 * The subscription endpoint core, shared by the Lambda (API Gateway HTTP API) and
 * `rss-digest serve`: POST /subscribe, GET and POST /confirm, GET and POST /unsubscribe (RFC 8058
 * one-click), GET and POST /preferences (what a reader receives). It takes a plain request and returns a plain response; the store, the mailer,
 * the secret and the clock are injected.
 *
 * Privacy: every subscribe answer that is not an input error is the same page whether the
 * address was unknown, pending or confirmed; a confirmed address gets an "already subscribed"
 * mail instead of a confirmation, so even the mail traffic looks alike. Addresses are never logged.
 */
import { randomBytes } from 'node:crypto';
import { chromeFor, type Chrome } from '../i18n';
import { renderAlreadySubscribedEmail, renderConfirmationEmail } from '../email/notice-email';
import type { Mailer } from '../email/mailers';
import type { Store } from '../store';
import { maskAddress, normalizeAddress, type AddressProblem } from './address';
import { renderResponse, type EndpointResponse, type PageContent } from './pages';
import {
  effectivePreferences,
  NO_PREFERENCE_CHOICES,
  parsePreferences,
  type PreferenceChoices,
  type Preferences,
} from './preferences';
import { describePreferences, preferenceFields, preferencesProblem } from './preferences-page';
import { parseJsonBody } from './json-body';
import { createSignupLimiter, signupLimits, type Refusal } from './limits';
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
  /**
   * The connection's source address (the socket's, or API Gateway's `requestContext.http.sourceIp`)
   * for the per-client sign-up limit; never `X-Forwarded-For`, which the client writes itself.
   * Absent (a library call): the sign-up is limited per address and globally only.
   */
  clientIp?: string;
}

/** Bodies are one address (or the one-click marker): anything larger is not a real request. */
export const MAX_BODY_BYTES = 4096;
export { CONFIRMATION_INTERVAL_SECONDS } from './limits';

export interface SubscriptionEndpointDeps {
  store: Store;
  mailer: Mailer;
  secret: SecretLoader;
  /** Public site base URL (links back to the site). */
  siteUrl: string;
  /** Public endpoint base URL, e.g. "https://example.org/api" (links in mails). */
  endpointUrl: string;
  /** Digest title (config digest.title) and the language of the chrome (config digest.lang). */
  title: string;
  lang: string;
  from: string;
  replyTo?: string;
  /**
   * Sign-ups one client may make per hour and confirmation mails all clients together may get per
   * hour (config email.maxSignupsPerClientPerHour, email.maxConfirmationsPerHour). Counted in the
   * store, so every process shares them.
   */
  limits: { signupsPerClientPerHour: number; confirmationsPerHour: number };
  /** The topics a reader may pick (config feeds[].category) and the digest's size (digest.maxStories). */
  choices?: PreferenceChoices;
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
  // URLSearchParams drops a leading "?" itself.
  if (typeof query === 'string') return new URLSearchParams(query);
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

async function parseBody(request: EndpointRequest, allowEmpty: boolean, t: Chrome): Promise<ParsedBody> {
  const raw =
    request.body === undefined
      ? Buffer.alloc(0)
      : Buffer.isBuffer(request.body)
        ? request.body
        : Buffer.from(request.body, 'utf8');
  if (raw.length > MAX_BODY_BYTES) {
    return {
      ok: false,
      content: problem(
        413,
        'body-too-large',
        t.text('requestTooLarge'),
        t.text('requestTooLargeText', { bytes: MAX_BODY_BYTES }),
      ),
    };
  }
  const type = (header(request.headers, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0 && allowEmpty) return { ok: true, fields: new URLSearchParams() };
  if (type === 'application/x-www-form-urlencoded' || (type === '' && allowEmpty)) {
    return { ok: true, fields: new URLSearchParams(raw.toString('utf8')) };
  }
  if (type === 'application/json') return parseJsonObject(raw.toString('utf8'), t);
  return { ok: false, content: problem(415, 'unsupported-media-type', t.text('notUnderstood'), t.text('sendFormOrJson')) };
}

async function parseJsonObject(text: string, t: Chrome): Promise<ParsedBody> {
  const parsed = await parseJsonBody(text);
  if (parsed.ok && parsed.value && typeof parsed.value === 'object' && !Array.isArray(parsed.value)) {
    return { ok: true, fields: parsed.value as Record<string, unknown> };
  }
  const message = !parsed.ok && parsed.problem === 'duplicate-key' ? t.text('jsonDuplicateKey') : t.text('jsonNotObject');
  return { ok: false, content: problem(400, 'bad-json', t.text('notUnderstood'), message) };
}

/** A body field's (first) value, and whether a form repeated it; a JSON object cannot (parseJsonBody refuses a repeated key). */
const field = (fields: URLSearchParams | Record<string, unknown>, name: string): { value?: unknown; repeated: boolean } => {
  if (fields instanceof URLSearchParams) {
    const all = fields.getAll(name);
    return { value: all[0], repeated: all.length > 1 };
  }
  return { value: fields[name], repeated: false };
};

function problem(status: number, code: string, heading: string, message: string, retryAfterSeconds?: number): PageContent {
  return { status, code, heading, message, ok: false, retryAfterSeconds };
}

type LinkToken =
  { ok: true; token: string | null; fields?: URLSearchParams | Record<string, unknown> } | { ok: false; content: PageContent };

/**
 * The token of a confirm or unsubscribe request: from the query (the mailed link, and the form that
 * posts back to it), else from a POST body's `token` field. A POST's body fields come along.
 */
async function linkToken(
  request: EndpointRequest,
  params: URLSearchParams,
  method: 'GET' | 'POST',
  t: Chrome,
): Promise<LinkToken> {
  const token = params.get('token');
  if (method === 'GET') return { ok: true, token };
  const body = await parseBody(request, true, t);
  if (!body.ok) return body;
  const bodyToken = field(body.fields, 'token').value;
  return { ok: true, token: token || (typeof bodyToken === 'string' ? bodyToken : null), fields: body.fields };
}

const BROKEN_LINK_MESSAGES = {
  confirmation: 'confirmLinkBroken',
  unsubscribe: 'unsubscribeLinkBroken',
  preferences: 'preferencesLinkBroken',
} as const;

const INVALID_LINK = (what: keyof typeof BROKEN_LINK_MESSAGES, t: Chrome): PageContent =>
  problem(400, 'invalid-link', t.text('linkBroken'), t.text(BROKEN_LINK_MESSAGES[what]));

/** What to tell a person about an address that is not one (address.ts names the problem). */
const ADDRESS_MESSAGES = {
  missing: 'addressMissing',
  'too-long': 'addressTooLong',
  'control-characters': 'addressControlCharacters',
  syntax: 'addressSyntax',
  'local-part': 'addressLocalPart',
  domain: 'addressDomain',
} as const satisfies Record<AddressProblem, string>;

/** Step 1 of a sign-up: the one address in the body, and the reader's optional choices. */
async function parseSubscription(
  request: EndpointRequest,
  choices: PreferenceChoices,
  t: Chrome,
): Promise<{ ok: true; address: string; preferences: Preferences } | { ok: false; content: PageContent }> {
  const body = await parseBody(request, false, t);
  if (!body.ok) return body;
  const email = field(body.fields, 'email');
  if (email.repeated) {
    return { ok: false, content: problem(400, 'invalid-address', t.text('checkAddress'), t.text('oneAddressOnly')) };
  }
  const checked = normalizeAddress(email.value);
  if (!checked.ok) {
    return {
      ok: false,
      content: problem(400, 'invalid-address', t.text('checkAddress'), t.text(ADDRESS_MESSAGES[checked.problem])),
    };
  }
  const preferences = parsePreferences(body.fields, choices);
  if (!preferences.ok)
    return {
      ok: false,
      content: problem(400, 'invalid-preferences', t.text('prefCheckChoices'), preferencesProblem(preferences.problem, t)),
    };
  return { ok: true, address: checked.address, preferences: preferences.preferences };
}

/** The answer to a sign-up a limit refused, with the Retry-After its window gives. */
function limitedPage(refusal: Refusal, t: Chrome): PageContent {
  const seconds = refusal.retryAfterSeconds;
  const wait = t.count('minutes', Math.ceil(seconds / 60));
  switch (refusal.limit) {
    case 'address':
      return problem(429, 'rate-limited', t.text('alreadyOnItsWay'), t.text('alreadyOnItsWayText', { wait }), seconds);
    case 'client':
      return problem(429, 'too-many-signups', t.text('tryAgainLater'), t.text('tooManyFromClient', { wait }), seconds);
    case 'global':
      return problem(429, 'busy', t.text('tryAgainLater'), t.text('tooManyOverall', { wait }), seconds);
  }
}

/** What a sign-up writes and mails: a fresh pending record with a new nonce, or, for a confirmed address, a notice. */
function nextRecord(
  previous: SubscriberRecord | undefined,
  id: string,
  address: string,
  at: Date,
  preferences: Preferences,
): { record: SubscriberRecord; to: string; nonce?: string } {
  const stamp = at.toISOString();
  const confirmationsSent = (previous?.confirmationsSent ?? 0) + 1;
  if (previous?.status === 'confirmed' && previous.address) {
    // Already subscribed: mail the stored address (not the spelling just typed) an "already subscribed" notice.
    // The choices sent with the form are not applied: anyone can type an address; only the signed
    // preferences link in a mail changes a subscriber's choices.
    return { record: { ...previous, updatedAt: stamp, lastConfirmationAt: stamp, confirmationsSent }, to: previous.address };
  }
  const nonce = randomBytes(12).toString('base64url');
  const record: SubscriberRecord = {
    version: 1,
    id,
    address,
    status: 'pending',
    createdAt: previous?.createdAt ?? stamp,
    updatedAt: stamp,
    confirmNonce: nonce,
    lastConfirmationAt: stamp,
    confirmationsSent,
    // Take effect once the address is confirmed (confirming keeps the record's other fields).
    ...(Object.keys(preferences).length ? { preferences } : {}),
  };
  return { record, to: address, nonce };
}

const CHECK_INBOX = (title: string, t: Chrome): PageContent => ({
  status: 202,
  code: 'confirmation-sent',
  ok: true,
  heading: t.text('checkInbox'),
  message: t.text('checkInboxText', { title }),
});

const MAIL_FAILED = (t: Chrome): PageContent =>
  problem(503, 'mail-failed', t.text('tryAgainLater'), t.text('mailFailedText'), 60);

export function createSubscriptionEndpoint(deps: SubscriptionEndpointDeps): SubscriptionEndpoint {
  const now = deps.now ?? (() => new Date());
  const choices = deps.choices ?? NO_PREFERENCE_CHOICES;
  const log = deps.log ?? (() => undefined);
  const t = chromeFor(deps.lang);
  const endpoint = deps.endpointUrl.replace(/\/+$/, '');
  const admit = createSignupLimiter(deps.store, signupLimits(deps.limits), (err) =>
    log({ event: 'limit-release-failed', error: (err as Error).name, message: (err as Error).message }),
  );

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

  /**
   * Steps 3 and 4: store the record first, so the link works the moment the mail arrives; then
   * mail. If the mail fails, the record goes back to what it was. Returns which mail went out.
   */
  const writeRecordAndNotify = async (
    id: string,
    address: string,
    secret: Buffer,
    at: Date,
    preferences: Preferences,
  ): Promise<'confirmation' | 'notice'> => {
    const previous = await readSubscriber(deps.store, id);
    const next = nextRecord(previous, id, address, at, preferences);
    await writeSubscriber(deps.store, next.record);
    try {
      await sendNotice(next.record, next.to, secret, at, next.nonce);
    } catch (err) {
      if (previous) await writeSubscriber(deps.store, previous);
      else await deps.store.delete(subscriberKey(id));
      throw err;
    }
    return next.nonce ? 'confirmation' : 'notice';
  };

  /** parse → check limits → write record → send notice (record undone if the mail fails) → answer. */
  const subscribe = async (request: EndpointRequest): Promise<PageContent> => {
    const parsed = await parseSubscription(request, choices, t);
    if (!parsed.ok) return parsed.content;

    const secret = await deps.secret();
    const at = now();
    const id = subscriberIdFor(secret, parsed.address);
    const admission = await admit({ secret, address: parsed.address, clientIp: request.clientIp, at });
    if (!admission.ok) {
      log({ event: 'subscribe-rate-limited', subscriber: id, limit: admission.limit });
      return limitedPage(admission, t);
    }

    try {
      const sent = await writeRecordAndNotify(id, parsed.address, secret, at, parsed.preferences);
      log({ event: sent === 'confirmation' ? 'confirmation-sent' : 'subscribe-notice-sent', subscriber: id });
      return CHECK_INBOX(deps.title, t);
    } catch (err) {
      // No mail went out: give the limit slots back, so a retry works at once.
      await admission.release();
      // SMTP replies often quote the recipient: mask it before the message reaches a log.
      const message = maskAddress((err as Error).message, parsed.address);
      log({ event: 'confirmation-failed', subscriber: id, error: (err as Error).name, message });
      return MAIL_FAILED(t);
    }
  };

  const confirm = async (request: EndpointRequest, params: URLSearchParams, method: 'GET' | 'POST'): Promise<PageContent> => {
    const link = await linkToken(request, params, method, t);
    if (!link.ok) return link.content;
    const { token } = link;
    const secret = await deps.secret();
    const at = now();
    const check = verifyToken(secret, token, 'confirm', at);
    if (!check.ok) return INVALID_LINK('confirmation', t);
    const record = await readSubscriber(deps.store, check.payload.s);
    const done: PageContent = {
      status: 200,
      code: 'confirmed',
      ok: true,
      heading: t.text('subscribed'),
      message: t.text('subscribedText', { title: deps.title }),
    };
    if (record?.status === 'confirmed') return done;
    if (!record || record.status !== 'pending' || !record.confirmNonce || record.confirmNonce !== check.payload.n) {
      return INVALID_LINK('confirmation', t);
    }
    if (method === 'GET') {
      // A GET never changes anything: the link scanners of mail gateways follow every link, and a
      // subscription they confirmed would be one its owner never agreed to.
      return {
        status: 200,
        code: 'confirm-prompt',
        ok: true,
        heading: t.text('confirmPrompt'),
        message: t.text('confirmPromptText', { title: deps.title }),
        form: { action: `?token=${encodeURIComponent(token as string)}`, button: t.text('confirmPromptButton') },
      };
    }
    const stamp = at.toISOString();
    const { confirmNonce: _used, ...rest } = record;
    await writeSubscriber(deps.store, { ...rest, status: 'confirmed', confirmedAt: stamp, updatedAt: stamp });
    log({ event: 'confirmed', subscriber: record.id });
    return done;
  };

  const unsubscribe = async (request: EndpointRequest, params: URLSearchParams, method: 'GET' | 'POST'): Promise<PageContent> => {
    const link = await linkToken(request, params, method, t);
    if (!link.ok) return link.content;
    const { token } = link;
    const oneClick = !!link.fields && field(link.fields, 'List-Unsubscribe').value === 'One-Click';
    const secret = await deps.secret();
    const at = now();
    const check = verifyToken(secret, token, 'unsubscribe', at);
    if (!check.ok) return INVALID_LINK('unsubscribe', t);
    if (method === 'GET') {
      // A GET never changes anything: link scanners in mail systems follow links.
      return {
        status: 200,
        code: 'unsubscribe-confirm',
        ok: true,
        heading: t.text('unsubscribePrompt'),
        message: t.text('unsubscribePromptText', { title: deps.title }),
        form: { action: `?token=${encodeURIComponent(token as string)}`, button: t.text('unsubscribeButton') },
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
      heading: t.text('unsubscribed'),
      message: t.text('unsubscribedText', { title: deps.title }),
    };
  };

  /**
   * GET shows the reader's current choices in a form and changes nothing; the form's POST saves
   * them. The signed token (its own purpose: an unsubscribe token is refused here) is the proof
   * that the request comes from the mail's owner; a tampered or expired one changes nothing.
   */
  const preferences = async (request: EndpointRequest, params: URLSearchParams, method: 'GET' | 'POST'): Promise<PageContent> => {
    const link = await linkToken(request, params, method, t);
    if (!link.ok) return link.content;
    const { token } = link;
    const secret = await deps.secret();
    const at = now();
    const check = verifyToken(secret, token, 'preferences', at);
    if (!check.ok) return INVALID_LINK('preferences', t);
    const record = await readSubscriber(deps.store, check.payload.s);
    if (!record || record.status === 'unsubscribed') {
      return problem(404, 'not-subscribed', t.text('prefNotSubscribed'), t.text('prefNotSubscribedText'));
    }
    const action = `?token=${encodeURIComponent(token as string)}`;
    if (method === 'GET') {
      return {
        status: 200,
        code: 'preferences-form',
        ok: true,
        heading: t.text('mailPreferences'),
        message: t.text('prefIntro', { title: deps.title }),
        form: {
          action,
          button: t.text('prefSave'),
          inputs: preferenceFields(effectivePreferences(record.preferences, choices), choices, t),
        },
      };
    }
    const parsed = parsePreferences(link.fields ?? new URLSearchParams(), choices);
    if (!parsed.ok) return problem(400, 'invalid-preferences', t.text('prefCheckChoices'), preferencesProblem(parsed.problem, t));
    const { preferences: _old, ...rest } = record;
    const stamp = at.toISOString();
    const chosen = parsed.preferences;
    await writeSubscriber(deps.store, {
      ...rest,
      updatedAt: stamp,
      ...(Object.keys(chosen).length ? { preferences: chosen } : {}),
    });
    log({ event: 'preferences-saved', subscriber: record.id });
    return {
      status: 200,
      code: 'preferences-saved',
      ok: true,
      heading: t.text('prefSaved'),
      message: t.text('prefSavedText', { choices: describePreferences(effectivePreferences(chosen, choices), t) }),
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
      '/preferences': ['GET', 'POST'],
    };
    const methods = allowed[route];
    if (!methods) return renderResponse(problem(404, 'not-found', t.text('notFound'), t.text('notFoundEndpointText')), ctx);
    const effective = method === 'HEAD' && methods.includes('GET') ? 'GET' : method;
    if (!methods.includes(effective)) {
      const res = renderResponse(
        problem(405, 'method-not-allowed', t.text('notAllowed'), t.text('notAllowedText', { methods: methods.join(' / ') })),
        ctx,
      );
      res.headers.allow = methods.join(', ');
      return res;
    }
    let content: PageContent;
    try {
      if (route === '/subscribe') content = await subscribe(request);
      else if (route === '/confirm') content = await confirm(request, params, effective as 'GET' | 'POST');
      else if (route === '/preferences') content = await preferences(request, params, effective as 'GET' | 'POST');
      else content = await unsubscribe(request, params, effective as 'GET' | 'POST');
    } catch (err) {
      log({ event: 'endpoint-error', route, error: (err as Error).name, message: (err as Error).message });
      content = problem(500, 'internal-error', t.text('somethingWentWrong'), t.text('somethingWentWrongText'));
    }
    const response = renderResponse(content, ctx);
    return method === 'HEAD' ? { ...response, body: '' } : response;
  };
}
