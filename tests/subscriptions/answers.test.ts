/**
 * The endpoint's exact answers (status, code, message, headers) and exact effects (the record it
 * writes, the mail it sends, the events it logs) for every route, over a real filesystem store,
 * the real outbox mailer and, for failures, a real SMTP client against a closed port.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createOutboxMailer, createSmtpMailer } from '../../src/email';
import { FsStore, type Store } from '../../src/store';
import {
  confirmToken,
  createSubscriptionEndpoint,
  createToken,
  MAX_BODY_BYTES,
  preferencesToken,
  readSubscriber,
  subscriberIdFor,
  subscriberKey,
  unsubscribeToken,
  valueSecretLoader,
  verifyToken,
  writeSubscriber,
  type EndpointRequest,
  type SubscriberRecord,
  type SubscriptionEndpoint,
  type SubscriptionEndpointDeps,
} from '../../src/subscriptions';
import { StoreWrapper } from '../helpers/store-wrapper';
import { tempDir } from '../helpers/tmp';

const SECRET = 'answers-secret-'.repeat(3);
const secret = Buffer.from(SECRET);
const START = new Date('2026-11-29T08:00:00.000Z');
const ADDRESS = 'reader@example.org';
const ID = subscriberIdFor(secret, ADDRESS);

type LogEvent = { event: string; [key: string]: unknown };

let dir: string;
let store: FsStore;
let outbox: string;
let clock: { now: Date };
let events: LogEvent[];

const deps = (overrides: Partial<SubscriptionEndpointDeps> = {}): SubscriptionEndpointDeps => ({
  store,
  mailer: createOutboxMailer({ dir: outbox }),
  secret: valueSecretLoader(SECRET),
  siteUrl: 'https://digest.example.org',
  endpointUrl: 'https://digest.example.org/api/',
  title: 'Morning Digest',
  lang: 'en',
  from: 'Morning Digest <digest@example.org>',
  replyTo: 'editor@example.org',
  limits: { signupsPerClientPerHour: 5, confirmationsPerHour: 200 },
  choices: { categories: ['City', 'Science'], defaultMaxStories: 20 },
  now: () => clock.now,
  log: (e) => events.push(e),
  ...overrides,
});
let endpoint: SubscriptionEndpoint;

beforeEach(async () => {
  dir = await tempDir('answers-');
  store = new FsStore(path.join(dir, 'out'));
  outbox = path.join(dir, 'outbox');
  clock = { now: START };
  events = [];
  endpoint = createSubscriptionEndpoint(deps());
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const mails = async (): Promise<string[]> => {
  try {
    return (await readdir(outbox)).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
};
const mail = async (file: string): Promise<ParsedMail> => simpleParser(await readFile(path.join(outbox, file)));
const linkIn = (parsed: ParsedMail, word: string): URL =>
  new URL((parsed.text ?? '').match(new RegExp(`https://digest\\.example\\.org/api/${word}\\?token=[A-Za-z0-9._-]+`))![0]);

const subscribe = (body: string, extra: Partial<EndpointRequest> = {}): EndpointRequest => ({
  method: 'POST',
  path: '/api/subscribe',
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  body,
  ...extra,
});
/** The answer as JSON clients see it. */
const answer = async (request: EndpointRequest): Promise<[number, unknown]> => {
  const res = await endpoint({ ...request, headers: { accept: 'application/json', ...request.headers } });
  return [res.status, JSON.parse(res.body)];
};

const confirmed = (extra: Partial<SubscriberRecord> = {}): SubscriberRecord => ({
  version: 1,
  id: ID,
  address: ADDRESS,
  status: 'confirmed',
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  confirmedAt: '2026-11-01T00:00:00.000Z',
  lastConfirmationAt: '2026-11-01T00:00:00.000Z',
  confirmationsSent: 1,
  ...extra,
});

/** A port on 127.0.0.1 where nothing listens: the SMTP client fails to connect. */
const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

describe('routes and methods', () => {
  it.each([['/subscribe'], ['/api/subscribe'], ['/api/subscribe/'], ['/subscribe//']])('serves %s', async (route) => {
    expect((await endpoint(subscribe(`email=${ADDRESS}`, { path: route }))).status).toBe(202);
  });

  it.each([['/'], ['/api'], ['/api/'], ['/apiary/subscribe'], ['/api/api/subscribe'], ['/subscribe/more']])(
    'answers %s with 404',
    async (route) => {
      expect(await answer({ method: 'GET', path: route })).toEqual([
        404,
        { ok: false, code: 'not-found', message: 'There is nothing at this address.' },
      ]);
    },
  );

  it('takes the method in any case', async () => {
    expect((await endpoint(subscribe(`email=${ADDRESS}`, { method: 'post' }))).status).toBe(202);
  });

  it('answers a method the route does not take with 405, naming the ones it does', async () => {
    const res = await endpoint({ method: 'GET', path: '/api/subscribe', headers: { accept: 'application/json' } });
    expect([res.status, res.headers.allow, JSON.parse(res.body)]).toEqual([
      405,
      'POST',
      { ok: false, code: 'method-not-allowed', message: 'Use POST here.' },
    ]);
    for (const route of ['/api/confirm', '/api/unsubscribe', '/api/preferences']) {
      const put = await endpoint({ method: 'PUT', path: route, headers: { accept: 'application/json' } });
      expect([put.status, put.headers.allow, JSON.parse(put.body).message]).toEqual([405, 'GET, POST', 'Use GET / POST here.']);
    }
    const head = await endpoint({ method: 'HEAD', path: '/api/subscribe' });
    expect([head.status, head.headers.allow]).toEqual([405, 'POST']);
  });

  it('answers HEAD like GET, without a body', async () => {
    const token = unsubscribeToken(secret, ID, START);
    const get = await endpoint({ method: 'GET', path: '/api/unsubscribe', query: { token } });
    const head = await endpoint({ method: 'HEAD', path: '/api/unsubscribe', query: { token } });
    expect([head.status, head.headers, head.body]).toEqual([200, get.headers, '']);
    expect(get.body).toContain('Unsubscribe?');
  });

  it('answers 500 without details when the store fails, and logs what failed', async () => {
    const broken = new (class extends StoreWrapper {
      override get = async (): Promise<Buffer | undefined> => {
        throw Object.assign(new Error('disk on fire'), { name: 'StoreError' });
      };
    })(store);
    endpoint = createSubscriptionEndpoint(deps({ store: broken as Store }));
    const token = unsubscribeToken(secret, ID, START);
    expect(await answer({ method: 'POST', path: '/api/unsubscribe/', query: `token=${token}` })).toEqual([
      500,
      { ok: false, code: 'internal-error', message: 'Please try again later.' },
    ]);
    expect(events).toEqual([{ event: 'endpoint-error', route: '/unsubscribe', error: 'StoreError', message: 'disk on fire' }]);
  });
});

describe('JSON or HTML', () => {
  const unsubscribePage = (headers: Record<string, string | string[]>, query = `token=x.y`): EndpointRequest => ({
    method: 'GET',
    path: '/api/unsubscribe',
    query,
    headers,
  });
  it.each([
    ['format=json in the query', {}, 'token=x.y&format=json', 'json'],
    ['format=html in the query', {}, 'token=x.y&format=html', 'html'],
    ['Accept: application/json', { accept: 'application/json' }, undefined, 'json'],
    ['Accept in another case, as a list', { Accept: ['Application/JSON'] }, undefined, 'json'],
    ['Accept: application/json and text/html', { accept: 'application/json, text/html;q=0.9' }, undefined, 'html'],
    ['Accept: text/html', { accept: 'text/html' }, undefined, 'html'],
    ['no Accept, a JSON body', { 'content-type': 'application/json' }, undefined, 'json'],
    ['any Accept, a JSON body', { accept: '*/*', 'content-type': 'application/json' }, undefined, 'html'],
    ['no Accept, a form body', { 'content-type': 'application/x-www-form-urlencoded' }, undefined, 'html'],
    ['nothing', {}, undefined, 'html'],
  ])('%s → %s', async (_name, headers, query, kind) => {
    const res = await endpoint(unsubscribePage(headers, query));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe(kind === 'json' ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8');
  });
});

describe('reading the request', () => {
  it('reads the token from a query string with or without "?", or from parsed parameters', async () => {
    await writeSubscriber(store, confirmed());
    const token = unsubscribeToken(secret, ID, START);
    for (const query of [`token=${token}`, `?token=${token}`, { token, other: undefined }]) {
      expect(await answer({ method: 'GET', path: '/api/unsubscribe', query })).toEqual([
        200,
        { ok: true, code: 'unsubscribe-confirm', message: 'Press the button to stop receiving Morning Digest by email.' },
      ]);
    }
  });

  it('reads a Buffer body, a content type with parameters and in capitals', async () => {
    const res = await endpoint(
      subscribe('', {
        headers: { 'Content-Type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8', accept: 'application/json' },
        body: Buffer.from(`email=${ADDRESS}`),
      }),
    );
    expect(res.status).toBe(202);
    const json = await endpoint(
      subscribe('', { headers: { 'content-type': 'APPLICATION/JSON' }, body: JSON.stringify({ email: 'j@example.org' }) }),
    );
    expect(json.status).toBe(202);
  });

  it('takes a body of exactly the limit, and refuses one byte more', async () => {
    const pad = (total: number): string => {
      const head = `email=${ADDRESS}&pad=`;
      return head + 'x'.repeat(total - head.length);
    };
    expect((await endpoint(subscribe(pad(MAX_BODY_BYTES)))).status).toBe(202);
    expect(await answer(subscribe(pad(MAX_BODY_BYTES + 1)))).toEqual([
      413,
      { ok: false, code: 'body-too-large', message: 'A request may carry at most 4,096 bytes.' },
    ]);
  });

  it.each([
    ['no body and no type', { method: 'POST', path: '/api/subscribe' }],
    ['a text body', { method: 'POST', path: '/api/subscribe', headers: { 'content-type': 'text/plain' }, body: 'a@b.org' }],
  ])('refuses a sign-up with %s as not understood', async (_name, request) => {
    expect(await answer(request as EndpointRequest)).toEqual([
      415,
      { ok: false, code: 'unsupported-media-type', message: 'Send the form as application/x-www-form-urlencoded or JSON.' },
    ]);
  });

  it.each([
    ['an array', '["a@example.org"]'],
    ['null', 'null'],
    ['a string', '"a@example.org"'],
    ['broken JSON', '{"email": '],
  ])('refuses %s as a JSON body', async (_name, body) => {
    expect(await answer(subscribe(body, { headers: { 'content-type': 'application/json' } }))).toEqual([
      400,
      {
        ok: false,
        code: 'bad-json',
        message: 'The request body must be a JSON object such as {"email": "name@example.com"}.',
      },
    ]);
  });
});

describe('sign-up', () => {
  it.each([
    ['', 'Enter an email address.'],
    ['email=', 'Enter an email address.'],
    [`email=${'a'.repeat(65)}%40example.org`, 'That email address is too long.'],
    ['email=a%40example.org%0A', 'The address contains line breaks or control characters.'],
    ['email=a.example.org', 'That does not look like an email address (name@example.com).'],
    ['email=a..b%40example.org', 'The part before @ contains characters an email address cannot have.'],
    ['email=a%40localhost', 'The part after @ is not a valid domain name.'],
    ['email=a%40example.org&email=b%40example.org', 'Send exactly one email address.'],
  ])('refuses %j, saying why', async (body, message) => {
    expect(await answer(subscribe(body))).toEqual([400, { ok: false, code: 'invalid-address', message }]);
    expect(await mails()).toEqual([]);
  });

  it('refuses choices out of bounds, saying which', async () => {
    expect(await answer(subscribe(`email=${ADDRESS}&maxStories=500`))).toEqual([
      400,
      { ok: false, code: 'invalid-preferences', message: 'Choose between 1 and 100 stories per mail.' },
    ]);
    const page = await endpoint({
      ...subscribe(`email=${ADDRESS}&frequency=hourly`),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(page.body).toContain('<h1>Check your choices</h1>');
    expect(page.body).toContain('Choose how often: daily or weekly.');
    expect(await readSubscriber(store, ID)).toBeUndefined();
  });

  it('writes a pending record and mails a confirmation link from the configured sender', async () => {
    expect(await answer(subscribe(`email=${ADDRESS}&categories=Science`))).toEqual([
      202,
      {
        ok: true,
        code: 'confirmation-sent',
        message:
          'If the address can receive mail, a message is on its way. Follow the link in it to confirm your subscription to Morning Digest.',
      },
    ]);
    const record = (await readSubscriber(store, ID))!;
    expect(record).toEqual({
      version: 1,
      id: ID,
      address: ADDRESS,
      status: 'pending',
      createdAt: '2026-11-29T08:00:00.000Z',
      updatedAt: '2026-11-29T08:00:00.000Z',
      confirmNonce: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
      lastConfirmationAt: '2026-11-29T08:00:00.000Z',
      confirmationsSent: 1,
      preferences: { categories: ['Science'] },
    });
    const files = await mails();
    expect(files).toEqual([`confirm-2026-11-29T08-00-00-000Z-${ID.slice(0, 12)}.eml`]);
    const sent = await mail(files[0]);
    expect(sent.from?.text).toBe('"Morning Digest" <digest@example.org>');
    expect(sent.replyTo?.text).toBe('editor@example.org');
    expect(sent.to && 'text' in sent.to ? sent.to.text : '').toBe(ADDRESS);
    expect(sent.headers.get('auto-submitted')).toBe('auto-generated');
    const token = linkIn(sent, 'confirm').searchParams.get('token');
    expect(verifyToken(secret, token, 'confirm', START)).toEqual({
      ok: true,
      payload: { p: 'confirm', s: ID, e: START.getTime() / 1000 + 7 * 86400, n: record.confirmNonce },
    });
    expect(events).toEqual([{ event: 'confirmation-sent', subscriber: ID }]);
  });

  it('stores no preferences when none were chosen', async () => {
    await endpoint(subscribe(`email=${ADDRESS}`));
    expect(await readSubscriber(store, ID)).not.toHaveProperty('preferences');
  });

  it('signing up again while pending keeps the creation time, counts the mails and makes only the new link work', async () => {
    await endpoint(subscribe(`email=${ADDRESS}`));
    const first = (await readSubscriber(store, ID))!;
    clock.now = new Date(START.getTime() + 11 * 60_000);
    await endpoint(subscribe(`email=${ADDRESS}`));
    const second = (await readSubscriber(store, ID))!;
    expect(second).toMatchObject({
      createdAt: '2026-11-29T08:00:00.000Z',
      updatedAt: '2026-11-29T08:11:00.000Z',
      lastConfirmationAt: '2026-11-29T08:11:00.000Z',
      confirmationsSent: 2,
    });
    expect(second.confirmNonce).not.toBe(first.confirmNonce);
    const stale = confirmToken(secret, ID, first.confirmNonce!, START);
    expect(await answer({ method: 'POST', path: '/api/confirm', query: { token: stale } })).toEqual([
      400,
      {
        ok: false,
        code: 'invalid-link',
        message: 'This confirmation link is invalid or has expired. You can subscribe again from the digest page.',
      },
    ]);
  });

  it('mails a confirmed address an "already subscribed" notice with a working unsubscribe link, at its stored spelling', async () => {
    await writeSubscriber(store, confirmed({ preferences: { maxStories: 3 } }));
    const res = await endpoint(subscribe('email=READER%40Example.org&maxStories=9'));
    expect(res.status).toBe(202);
    expect(await readSubscriber(store, ID)).toEqual(
      confirmed({
        preferences: { maxStories: 3 },
        updatedAt: '2026-11-29T08:00:00.000Z',
        lastConfirmationAt: '2026-11-29T08:00:00.000Z',
        confirmationsSent: 2,
      }),
    );
    const files = await mails();
    expect(files).toEqual([`notice-2026-11-29T08-00-00-000Z-${ID.slice(0, 12)}.eml`]);
    const notice = await mail(files[0]);
    expect(notice.subject).toBe('You are already subscribed to Morning Digest');
    expect(notice.to && 'text' in notice.to ? notice.to.text : '').toBe(ADDRESS);
    const token = linkIn(notice, 'unsubscribe').searchParams.get('token');
    expect(verifyToken(secret, token, 'unsubscribe', START)).toMatchObject({ ok: true, payload: { s: ID } });
    expect(events).toEqual([{ event: 'subscribe-notice-sent', subscriber: ID }]);
  });

  it('confirms afresh a confirmed record that has lost its address, mailing the address just typed', async () => {
    const { address: _a, ...noAddress } = confirmed();
    await writeSubscriber(store, noAddress);
    expect((await endpoint(subscribe(`email=${ADDRESS}`))).status).toBe(202);
    expect(await readSubscriber(store, ID)).toMatchObject({ status: 'pending', address: ADDRESS, confirmationsSent: 2 });
    expect(await mails()).toEqual([`confirm-2026-11-29T08-00-00-000Z-${ID.slice(0, 12)}.eml`]);
  });

  it('says how long to wait when a limit refuses, and logs which limit', async () => {
    await endpoint(subscribe(`email=${ADDRESS}`));
    clock.now = new Date(START.getTime() + 9 * 60_000 + 30_000);
    const res = await endpoint(subscribe(`email=${ADDRESS}`));
    expect([res.status, res.headers['retry-after'], JSON.parse(res.body)]).toEqual([
      429,
      '30',
      {
        ok: false,
        code: 'rate-limited',
        message:
          'A confirmation mail for this address was sent a few minutes ago. Check your inbox (and spam folder), or try again in a minute.',
      },
    ]);
    expect(events.at(-1)).toEqual({ event: 'subscribe-rate-limited', subscriber: ID, limit: 'address' });

    endpoint = createSubscriptionEndpoint(deps({ limits: { signupsPerClientPerHour: 1, confirmationsPerHour: 200 } }));
    await endpoint(subscribe('email=one%40example.org', { clientIp: '198.51.100.7' }));
    expect(await answer(subscribe('email=two%40example.org', { clientIp: '198.51.100.7' }))).toEqual([
      429,
      {
        ok: false,
        code: 'too-many-signups',
        message: 'Too many subscriptions from your network just now. Please try again in 60 minutes.',
      },
    ]);

    // Two mails went out (08:00 and 08:09:30); with two an hour, a slot frees at 09:00.
    endpoint = createSubscriptionEndpoint(deps({ limits: { signupsPerClientPerHour: 5, confirmationsPerHour: 2 } }));
    const global = await endpoint(subscribe('email=three%40example.org'));
    expect([global.status, global.headers['retry-after'], JSON.parse(global.body)]).toEqual([
      429,
      '3030',
      { ok: false, code: 'busy', message: 'Too many subscriptions right now. Please try again in 51 minutes.' },
    ]);
    const page = await endpoint({
      ...subscribe('email=three%40example.org'),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(page.body).toContain('<h1>Please try again later</h1>');
  });

  it('puts the record back as it was when the mail fails, gives the slot back and says to retry in a minute', async () => {
    await endpoint(subscribe(`email=${ADDRESS}`));
    const before = (await store.get(subscriberKey(ID)))!.toString();
    clock.now = new Date(START.getTime() + 11 * 60_000);
    const failing = createSubscriptionEndpoint(
      deps({ mailer: createSmtpMailer({ host: '127.0.0.1', port: await closedPort(), secure: false }) }),
    );
    const res = await failing(subscribe(`email=${ADDRESS}`));
    expect([res.status, res.headers['retry-after'], JSON.parse(res.body)]).toEqual([
      503,
      '60',
      {
        ok: false,
        code: 'mail-failed',
        message: 'The confirmation mail could not be sent just now. Please try again in a few minutes.',
      },
    ]);
    expect((await store.get(subscriberKey(ID)))!.toString()).toBe(before);
    expect(events.at(-1)).toEqual({
      event: 'confirmation-failed',
      subscriber: ID,
      error: expect.any(String),
      message: expect.any(String),
    });
    // The failed attempt's slot was given back: the mail can go out at once.
    expect((await endpoint(subscribe(`email=${ADDRESS}`))).status).toBe(202);
  });

  it('logs a slot that cannot be given back, and still answers that the mail failed', async () => {
    const sticky = new (class extends StoreWrapper {
      override putIfMatch = async (): Promise<boolean> => {
        throw Object.assign(new Error('limits are read-only'), { name: 'ReadOnlyError' });
      };
    })(store);
    const failing = createSubscriptionEndpoint(
      deps({ store: sticky, mailer: createSmtpMailer({ host: '127.0.0.1', port: await closedPort(), secure: false }) }),
    );
    expect((await failing(subscribe(`email=${ADDRESS}`))).status).toBe(503);
    expect(events.filter((e) => e.event === 'limit-release-failed')).toEqual([
      { event: 'limit-release-failed', error: 'ReadOnlyError', message: 'limits are read-only' },
      { event: 'limit-release-failed', error: 'ReadOnlyError', message: 'limits are read-only' },
    ]);
    expect(await readSubscriber(store, ID)).toBeUndefined();
  });
});

describe('confirm', () => {
  const pending = async (): Promise<string> => {
    await endpoint(subscribe(`email=${ADDRESS}`));
    return confirmToken(secret, ID, (await readSubscriber(store, ID))!.confirmNonce!, START);
  };

  it('GET asks to press a button that posts the token back, and changes nothing', async () => {
    const token = await pending();
    const before = (await store.get(subscriberKey(ID)))!.toString();
    expect(await answer({ method: 'GET', path: '/api/confirm', query: { token } })).toEqual([
      200,
      { ok: true, code: 'confirm-prompt', message: 'Press the button to receive Morning Digest by email.' },
    ]);
    const page = await endpoint({ method: 'GET', path: '/api/confirm', query: { token } });
    expect(page.body).toContain(
      `<form method="post" action="?token=${token}"><button type="submit">Confirm subscription</button></form>`,
    );
    expect(page.body).toContain('<h1>Confirm your subscription</h1>');
    expect((await store.get(subscriberKey(ID)))!.toString()).toBe(before);
  });

  it('POST confirms: the nonce is used up, the time recorded, the rest kept', async () => {
    const token = await pending();
    const before = (await readSubscriber(store, ID))!;
    clock.now = new Date(START.getTime() + 5 * 60_000);
    events = [];
    expect(await answer({ method: 'POST', path: '/api/confirm', query: { token } })).toEqual([
      200,
      {
        ok: true,
        code: 'confirmed',
        message:
          'Thank you! Morning Digest will arrive in your inbox with the next edition. Every mail has a link to unsubscribe.',
      },
    ]);
    const { confirmNonce: _n, ...rest } = before;
    expect(await readSubscriber(store, ID)).toEqual({
      ...rest,
      status: 'confirmed',
      confirmedAt: '2026-11-29T08:05:00.000Z',
      updatedAt: '2026-11-29T08:05:00.000Z',
    });
    expect(events).toEqual([{ event: 'confirmed', subscriber: ID }]);
    // Pressing again is harmless and changes nothing.
    const after = (await store.get(subscriberKey(ID)))!.toString();
    expect((await answer({ method: 'POST', path: '/api/confirm', query: { token } }))[0]).toBe(200);
    expect((await store.get(subscriberKey(ID)))!.toString()).toBe(after);
  });

  it('POST takes the token from a form or JSON body when the query has none', async () => {
    const token = await pending();
    const res = await endpoint({
      method: 'POST',
      path: '/api/confirm',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(res.status).toBe(200);
    expect((await readSubscriber(store, ID))!.status).toBe('confirmed');
  });

  it('the query token wins over a body token', async () => {
    const token = await pending();
    const res = await endpoint({
      method: 'POST',
      path: '/api/confirm',
      query: { token },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=junk.junk',
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a token that is not a string', { token: 42 }],
    ['no token', {}],
  ])('refuses a JSON body with %s', async (_name, body) => {
    await pending();
    expect(
      (
        await answer({
          method: 'POST',
          path: '/api/confirm',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      )[0],
    ).toBe(400);
    expect((await readSubscriber(store, ID))!.status).toBe('pending');
  });

  it('refuses a body it cannot read', async () => {
    const token = await pending();
    expect(
      (
        await answer({
          method: 'POST',
          path: '/api/confirm',
          query: { token },
          headers: { 'content-type': 'text/plain' },
          body: 'yes',
        })
      )[0],
    ).toBe(415);
    expect((await readSubscriber(store, ID))!.status).toBe('pending');
  });

  it.each([
    ['there is no record', async () => undefined],
    [
      'the record is unsubscribed',
      async () => {
        const { address: _a, ...rest } = confirmed();
        await writeSubscriber(store, { ...rest, status: 'unsubscribed', confirmNonce: 'nonce-1' });
      },
    ],
    ['the record has no nonce', async () => writeSubscriber(store, confirmed({ status: 'pending' }))],
    ['the nonce differs', async () => writeSubscriber(store, confirmed({ status: 'pending', confirmNonce: 'nonce-2' }))],
  ])('refuses a link when %s, GET or POST', async (_name, setup) => {
    await setup();
    const before = await store.get(subscriberKey(ID));
    const token = confirmToken(secret, ID, 'nonce-1', START);
    for (const method of ['GET', 'POST']) {
      expect(await answer({ method, path: '/api/confirm', query: { token } })).toEqual([
        400,
        {
          ok: false,
          code: 'invalid-link',
          message: 'This confirmation link is invalid or has expired. You can subscribe again from the digest page.',
        },
      ]);
    }
    expect(await store.get(subscriberKey(ID))).toEqual(before);
  });

  it('refuses a confirm token without a nonce, even for a pending record without one', async () => {
    await writeSubscriber(store, confirmed({ status: 'pending' }));
    const token = createToken(secret, { p: 'confirm', s: ID, e: START.getTime() / 1000 + 3600 });
    expect((await answer({ method: 'POST', path: '/api/confirm', query: { token } }))[0]).toBe(400);
    expect((await readSubscriber(store, ID))!.status).toBe('pending');
  });

  it('POST reads a body without a content type as a form', async () => {
    const token = await pending();
    expect((await endpoint({ method: 'POST', path: '/api/confirm', body: `token=${token}` })).status).toBe(200);
    expect((await readSubscriber(store, ID))!.status).toBe('confirmed');
  });

  it('a confirmed record answers "subscribed" to its link without a prompt', async () => {
    await writeSubscriber(store, confirmed());
    const token = confirmToken(secret, ID, 'old-nonce', START);
    expect((await answer({ method: 'GET', path: '/api/confirm', query: { token } }))[1]).toMatchObject({ code: 'confirmed' });
  });
});

describe('unsubscribe', () => {
  const token = (): string => unsubscribeToken(secret, ID, START);
  const unsubscribedText =
    'This address will not receive Morning Digest any more. You can subscribe again at any time from the digest page.';

  it('GET shows a button posting the token back', async () => {
    await writeSubscriber(store, confirmed());
    const page = await endpoint({ method: 'GET', path: '/api/unsubscribe', query: { token: token() } });
    expect(page.status).toBe(200);
    expect(page.body).toContain(
      `<form method="post" action="?token=${token()}"><button type="submit">Unsubscribe</button></form>`,
    );
    expect(page.body).toContain('<h1>Unsubscribe?</h1>');
    expect(await readSubscriber(store, ID)).toEqual(confirmed());
  });

  it('POST by the link ends the subscription, dropping the address', async () => {
    await writeSubscriber(store, confirmed());
    clock.now = new Date(START.getTime() + 60_000);
    expect(await answer({ method: 'POST', path: '/api/unsubscribe', query: { token: token() } })).toEqual([
      200,
      { ok: true, code: 'unsubscribed', message: unsubscribedText },
    ]);
    const { address: _a, ...rest } = confirmed();
    expect(await readSubscriber(store, ID)).toEqual({
      ...rest,
      status: 'unsubscribed',
      unsubscribedAt: '2026-11-29T08:01:00.000Z',
      updatedAt: '2026-11-29T08:01:00.000Z',
      unsubscribeReason: 'link',
    });
    expect(events).toEqual([{ event: 'unsubscribed', subscriber: ID, oneClick: false }]);
  });

  it('POST with the RFC 8058 one-click field (form or JSON) records a one-click unsubscribe', async () => {
    await writeSubscriber(store, confirmed());
    const res = await endpoint({
      method: 'POST',
      path: '/api/unsubscribe',
      query: { token: token() },
      headers: { 'content-type': 'application/json' },
      body: '{"List-Unsubscribe": "One-Click"}',
    });
    expect(res.status).toBe(200);
    expect(await readSubscriber(store, ID)).toMatchObject({ status: 'unsubscribed', unsubscribeReason: 'one-click' });
    expect(events).toEqual([{ event: 'unsubscribed', subscriber: ID, oneClick: true }]);
  });

  it('answers the same for an address already unsubscribed or unknown, and writes nothing', async () => {
    const { address: _a, ...rest } = confirmed();
    const gone: SubscriberRecord = {
      ...rest,
      status: 'unsubscribed',
      unsubscribedAt: '2026-11-20T00:00:00.000Z',
      unsubscribeReason: 'bounce',
    };
    await writeSubscriber(store, gone);
    expect(await answer({ method: 'POST', path: '/api/unsubscribe', query: { token: token() } })).toEqual([
      200,
      { ok: true, code: 'unsubscribed', message: unsubscribedText },
    ]);
    expect(await readSubscriber(store, ID)).toEqual(gone);
    const stranger = subscriberIdFor(secret, 'stranger@example.org');
    expect(
      (
        await answer({ method: 'POST', path: '/api/unsubscribe', query: { token: unsubscribeToken(secret, stranger, START) } })
      )[0],
    ).toBe(200);
    expect(await readSubscriber(store, stranger)).toBeUndefined();
    expect(events).toEqual([]);
  });

  it('refuses a link that is not an unsubscribe link', async () => {
    await writeSubscriber(store, confirmed());
    expect(
      await answer({ method: 'GET', path: '/api/unsubscribe', query: { token: preferencesToken(secret, ID, START) } }),
    ).toEqual([
      400,
      {
        ok: false,
        code: 'invalid-link',
        message: 'This unsubscribe link is invalid or has expired. You can subscribe again from the digest page.',
      },
    ]);
  });
});

describe('preferences', () => {
  const token = (): string => preferencesToken(secret, ID, START);
  const post = (body: string): EndpointRequest => ({
    method: 'POST',
    path: '/api/preferences',
    query: { token: token() },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });

  it('GET shows the form for a pending or confirmed reader', async () => {
    for (const status of ['pending', 'confirmed'] as const) {
      await writeSubscriber(store, confirmed({ status }));
      expect(await answer({ method: 'GET', path: '/api/preferences', query: { token: token() } })).toEqual([
        200,
        {
          ok: true,
          code: 'preferences-form',
          message: 'Choose what Morning Digest brings you. Nothing changes until you press Save.',
        },
      ]);
    }
    const page = await endpoint({ method: 'GET', path: '/api/preferences', query: { token: token() } });
    expect(page.body).toContain('<h1>Change what you receive</h1>');
    expect(page.body).toContain(`<form method="post" action="?token=${token()}">`);
    expect(page.body).toContain('<button type="submit">Save my choices</button></form>');
    expect(page.body).toContain('value="20"');
  });

  it('POST saves, keeps the rest of the record, and sums up the choices', async () => {
    await writeSubscriber(store, confirmed({ preferences: { maxStories: 3 } }));
    clock.now = new Date(START.getTime() + 60_000);
    expect(await answer(post('categories=City&maxStories=7'))).toEqual([
      200,
      {
        ok: true,
        code: 'preferences-saved',
        message: 'From the next mail on you receive City, every day, at most 7 stories a mail.',
      },
    ]);
    expect(await readSubscriber(store, ID)).toEqual(
      confirmed({ updatedAt: '2026-11-29T08:01:00.000Z', preferences: { categories: ['City'], maxStories: 7 } }),
    );
    expect(events).toEqual([{ event: 'preferences-saved', subscriber: ID }]);
  });

  it('POST with only defaults removes the stored choices', async () => {
    await writeSubscriber(store, confirmed({ preferences: { maxStories: 3 } }));
    expect((await answer(post('')))[1]).toEqual({
      ok: true,
      code: 'preferences-saved',
      message: 'From the next mail on you receive every topic, every day, at most 20 stories a mail.',
    });
    expect(await readSubscriber(store, ID)).toEqual(confirmed({ updatedAt: '2026-11-29T08:00:00.000Z' }));
  });

  it('POST refuses choices out of bounds, saying which, and changes nothing', async () => {
    await writeSubscriber(store, confirmed());
    expect(await answer(post('frequency=weekly&weekday=someday'))).toEqual([
      400,
      { ok: false, code: 'invalid-preferences', message: 'Choose a day of the week, Monday to Sunday.' },
    ]);
    expect(await readSubscriber(store, ID)).toEqual(confirmed());
  });

  it('tells a reader without a subscription so', async () => {
    for (const method of ['GET', 'POST']) {
      expect(await answer({ ...post('maxStories=5'), method })).toEqual([
        404,
        {
          ok: false,
          code: 'not-subscribed',
          message: 'This address does not receive the digest any more. You can subscribe again from the digest page.',
        },
      ]);
    }
    expect(await readSubscriber(store, ID)).toBeUndefined();
  });

  it('refuses a link that is not a preferences link', async () => {
    await writeSubscriber(store, confirmed());
    expect(await answer({ ...post('maxStories=5'), query: { token: unsubscribeToken(secret, ID, START) } })).toEqual([
      400,
      {
        ok: false,
        code: 'invalid-link',
        message: 'This link to your choices is invalid or has expired. Use the link in your latest digest mail.',
      },
    ]);
  });

  it('POST refuses a body it cannot read', async () => {
    await writeSubscriber(store, confirmed());
    expect((await answer({ ...post('x'), headers: { 'content-type': 'text/csv' } }))[0]).toBe(415);
  });
});
