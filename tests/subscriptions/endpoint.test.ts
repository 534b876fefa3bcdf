/**
 * The endpoint core over a real filesystem store and the real outbox mailer (every mail is an
 * .eml file we can count and parse).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { createOutboxMailer, createSmtpMailer } from '../../src/email';
import { FsStore } from '../../src/store';
import {
  createSubscriptionEndpoint,
  listSubscribers,
  MAX_BODY_BYTES,
  subscriberIdFor,
  SUBSCRIBERS_PREFIX,
  unsubscribeToken,
  valueSecretLoader,
  type EndpointRequest,
  type SubscriptionEndpoint,
  type SubscriptionEndpointDeps,
} from '../../src/subscriptions';
import { tempDir } from '../helpers/tmp';
import { startLocalSmtp } from '../email/local-smtp';

const SECRET = 'test-secret-'.repeat(4);
const secretBytes = Buffer.from(SECRET);

interface Harness {
  dir: string;
  store: FsStore;
  outbox: string;
  clock: { now: Date };
  endpoint: SubscriptionEndpoint;
  mails(): Promise<string[]>;
  snapshot(): Promise<Record<string, string>>;
}

async function harness(overrides: Partial<SubscriptionEndpointDeps> = {}): Promise<Harness> {
  const dir = await tempDir('endpoint-');
  const store = new FsStore(path.join(dir, 'out'));
  const outbox = path.join(dir, 'outbox');
  const clock = { now: new Date('2026-11-29T08:00:00Z') };
  const endpoint = createSubscriptionEndpoint({
    store,
    mailer: createOutboxMailer({ dir: outbox }),
    secret: valueSecretLoader(SECRET),
    siteUrl: 'https://digest.example.org',
    endpointUrl: 'https://digest.example.org/api',
    title: 'Morning Digest',
    lang: 'en',
    from: 'Morning Digest <digest@example.org>',
    limits: { signupsPerClientPerHour: 5, confirmationsPerHour: 200 },
    now: () => clock.now,
    ...overrides,
  });
  const mails = async (): Promise<string[]> => {
    try {
      return (await readdir(outbox)).filter((f) => f.endsWith('.eml')).sort();
    } catch {
      return [];
    }
  };
  const snapshot = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const key of await store.list(SUBSCRIBERS_PREFIX)) out[key] = (await store.get(key))!.toString();
    return out;
  };
  return { dir, store, outbox, clock, endpoint, mails, snapshot };
}

const form = (body: string, headers: Record<string, string> = {}): EndpointRequest => ({
  method: 'POST',
  path: '/api/subscribe',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body,
});

const json = (body: string): EndpointRequest => ({
  method: 'POST',
  path: '/api/subscribe',
  headers: { 'content-type': 'application/json' },
  body,
});

const linkIn = async (file: string, word: 'confirm' | 'unsubscribe'): Promise<URL> => {
  const mail = await simpleParser(await readFile(file));
  const match = (mail.text ?? '').match(new RegExp(`https://digest\\.example\\.org/api/${word}\\?token=[A-Za-z0-9._-]+`));
  if (!match) throw new Error(`no ${word} link in ${mail.text}`);
  return new URL(match[0]);
};

describe('subscription endpoint', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await rm(h.dir, { recursive: true, force: true });
  });

  it('subscribe → confirmation mail → confirm → one-click unsubscribe', async () => {
    const res = await h.endpoint(form('email=Reader%40Example.ORG'));
    expect(res.status).toBe(202);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('Check your inbox');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'; style-src 'sha256-/);
    expect(res.headers['referrer-policy']).toBe('no-referrer');

    const [file] = await h.mails();
    const mail = await simpleParser(await readFile(path.join(h.outbox, file)));
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('Reader@example.org');
    expect(mail.subject).toBe('Confirm your subscription to Morning Digest');
    expect(mail.html).toContain('Confirm my subscription');

    const [pending] = await listSubscribers(h.store);
    expect(pending).toMatchObject({
      status: 'pending',
      address: 'Reader@example.org',
      id: subscriberIdFor(secretBytes, 'reader@example.org'),
    });
    // The address is in the record (it must be mailed) but not in the key.
    expect((await h.store.list(SUBSCRIBERS_PREFIX)).join()).not.toMatch(/reader|example/i);

    const confirm = await linkIn(path.join(h.outbox, file), 'confirm');
    // Following the link (what a mail gateway's link scanner does too) only shows a button.
    const prompt = await h.endpoint({ method: 'GET', path: confirm.pathname, query: confirm.search });
    expect(prompt.status).toBe(200);
    expect(prompt.body).toContain(`<form method="post" action="?token=${confirm.searchParams.get('token')}">`);
    expect(prompt.body).toContain('Confirm subscription');
    expect((await listSubscribers(h.store))[0].status).toBe('pending');
    const confirmed = await h.endpoint({ method: 'POST', path: confirm.pathname, query: confirm.search });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toContain('You are subscribed');
    expect((await listSubscribers(h.store))[0]).toMatchObject({ status: 'confirmed' });
    expect((await listSubscribers(h.store))[0].confirmNonce).toBeUndefined();
    // Following the link again is harmless.
    expect((await h.endpoint({ method: 'GET', path: confirm.pathname, query: confirm.search })).status).toBe(200);

    const token = unsubscribeToken(secretBytes, pending.id, h.clock.now);
    const page = await h.endpoint({ method: 'GET', path: '/api/unsubscribe', query: `token=${token}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<form method="post" action="?token=${token}">`);
    expect((await listSubscribers(h.store))[0].status).toBe('confirmed');

    const oneClick = await h.endpoint({
      method: 'POST',
      path: '/api/unsubscribe',
      query: `token=${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    const after = (await listSubscribers(h.store))[0];
    expect(after).toMatchObject({ status: 'unsubscribed', unsubscribeReason: 'one-click' });
    expect(after.address).toBeUndefined();

    // The old confirmation link cannot resubscribe the address.
    const again = await h.endpoint({ method: 'GET', path: confirm.pathname, query: confirm.search });
    expect(again.status).toBe(400);
    expect((await listSubscribers(h.store))[0].status).toBe('unsubscribed');
  });

  it('answers JSON when asked', async () => {
    const res = await h.endpoint({
      method: 'POST',
      path: '/subscribe',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email: 'json@example.org' }),
    });
    expect(res.status).toBe(202);
    expect(JSON.parse(res.body)).toEqual({ ok: true, code: 'confirmation-sent', message: expect.any(String) });
    const bad = await h.endpoint({
      method: 'POST',
      path: '/subscribe',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{"email": "nope"}',
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, code: 'invalid-address' });
    const twice = await h.endpoint({
      ...json('{"email": "json@example.org", "email": "other@example.org"}'),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    });
    expect([twice.status, JSON.parse(twice.body)]).toEqual([
      400,
      { ok: false, code: 'bad-json', message: 'Each key may appear only once in the JSON object.' },
    ]);
    // Tabs and escaped slashes are JSON; a key repeated in sibling objects is not a duplicate.
    const pretty = await h.endpoint(json('{\n\t"email": "pretty@example.org",\n\t"tags": [{"a": "\\/"}, {"a": 1}]\n}'));
    expect(pretty.status).toBe(202);
    expect(await h.mails()).toHaveLength(2);
  });

  it('answers the same whether the address was unknown, pending or confirmed', async () => {
    const first = await h.endpoint(form('email=known%40example.org'));
    const confirm = await linkIn(path.join(h.outbox, (await h.mails())[0]), 'confirm');
    await h.endpoint({ method: 'POST', path: confirm.pathname, query: confirm.search });
    h.clock.now = new Date(h.clock.now.getTime() + 11 * 60_000);
    const known = await h.endpoint(form('email=known%40example.org'));
    const unknown = await h.endpoint(form('email=unknown%40example.org'));
    expect(known.status).toBe(unknown.status);
    expect(known.body).toBe(unknown.body);
    expect(known.body).toBe(first.body);
    // The confirmed address is told it is already subscribed, and stays confirmed.
    const mails = await h.mails();
    expect(mails).toHaveLength(3);
    const notices = await Promise.all(
      mails.map(async (f) => (await simpleParser(await readFile(path.join(h.outbox, f)))).subject),
    );
    expect(notices.sort()).toEqual([
      'Confirm your subscription to Morning Digest',
      'Confirm your subscription to Morning Digest',
      'You are already subscribed to Morning Digest',
    ]);
    const records = await listSubscribers(h.store);
    expect(records.map((r) => r.status).sort()).toEqual(['confirmed', 'pending']);
  });

  it('refuses invalid, oversized, header-injecting and repeated requests with 4xx, no mail and no record change', async () => {
    await h.endpoint(form('email=first%40example.org'));
    expect(await h.mails()).toHaveLength(1);
    const before = await h.snapshot();

    const cases: [EndpointRequest, number, string][] = [
      [form('email=not-an-address'), 400, 'invalid-address'],
      [form(''), 400, 'invalid-address'],
      [form('email=a%40example.org&email=b%40example.org'), 400, 'invalid-address'],
      [form('email=victim%40example.org%0D%0ABcc%3A%20all%40example.org'), 400, 'invalid-address'],
      [form('email=victim%40example.org%0ASubject%3A%20spam'), 400, 'invalid-address'],
      [form(`email=${'a'.repeat(300)}%40example.org`), 400, 'invalid-address'],
      [form(`email=x%40example.org&pad=${'x'.repeat(MAX_BODY_BYTES)}`), 413, 'body-too-large'],
      [
        { method: 'POST', path: '/api/subscribe', headers: { 'content-type': 'text/plain' }, body: 'first@example.org' },
        415,
        'unsupported-media-type',
      ],
      [
        { method: 'POST', path: '/api/subscribe', headers: { 'content-type': 'application/json' }, body: '["x"]' },
        400,
        'bad-json',
      ],
      // Duplicate keys: JSON.parse would silently take the last one.
      [json('{"email": "first@example.org", "email": "other@example.org"}'), 400, 'bad-json'],
      [json('{"email": "other@example.org", "\\u0065mail": "first@example.org"}'), 400, 'bad-json'],
      [json('{"email": "other@example.org", "extra": {"a": 1, "a": 2}}'), 400, 'bad-json'],
      [json("{'email': 'other@example.org'}"), 400, 'bad-json'],
      [form('email=first%40example.org'), 429, 'rate-limited'],
      [form('email=FIRST%40Example.org'), 429, 'rate-limited'],
      [{ method: 'GET', path: '/api/subscribe' }, 405, 'method-not-allowed'],
      [{ method: 'POST', path: '/api/confirm', query: 'token=abc.def' }, 400, 'invalid-link'],
      [{ method: 'PUT', path: '/api/confirm' }, 405, 'method-not-allowed'],
      [{ method: 'GET', path: '/api/nothing' }, 404, 'not-found'],
      [{ method: 'GET', path: '/api/confirm', query: 'token=abc.def' }, 400, 'invalid-link'],
      [{ method: 'POST', path: '/api/unsubscribe', query: 'token=forged.token' }, 400, 'invalid-link'],
    ];
    for (const [request, status, code] of cases) {
      const res = await h.endpoint({ ...request, headers: { ...request.headers, accept: 'application/json' } });
      expect({
        path: request.path,
        body: String(request.body).slice(0, 60),
        status: res.status,
        code: JSON.parse(res.body).code,
      }).toEqual({
        path: request.path,
        body: String(request.body).slice(0, 60),
        status,
        code,
      });
    }
    const limited = await h.endpoint(form('email=first%40example.org'));
    expect(limited.headers['retry-after']).toBe('600');
    expect(limited.body).toContain('Already on its way');
    expect(await h.mails()).toHaveLength(1);
    expect(await h.snapshot()).toEqual(before);
  });

  it('rate-limits each address across processes (the window is in the store), and allows a new mail after 10 minutes', async () => {
    await h.endpoint(form('email=later%40example.org'));
    // A second process (new endpoint instance) over the same store.
    const second = createSubscriptionEndpoint({
      store: h.store,
      mailer: createOutboxMailer({ dir: h.outbox }),
      secret: valueSecretLoader(SECRET),
      siteUrl: 'https://digest.example.org',
      endpointUrl: 'https://digest.example.org/api',
      title: 'Morning Digest',
      lang: 'en',
      from: 'digest@example.org',
      limits: { signupsPerClientPerHour: 5, confirmationsPerHour: 200 },
      now: () => h.clock.now,
    });
    expect((await second(form('email=later%40example.org'))).status).toBe(429);
    h.clock.now = new Date(h.clock.now.getTime() + 10 * 60_000 + 1000);
    expect((await second(form('email=later%40example.org'))).status).toBe(202);
    expect(await h.mails()).toHaveLength(2);
    // Only the newest confirmation link confirms.
    const files = await h.mails();
    const links = await Promise.all(files.map((f) => linkIn(path.join(h.outbox, f), 'confirm')));
    const tokens = links.map((l) => l.searchParams.get('token'));
    expect(tokens[0]).not.toBe(tokens[1]);
    const results = await Promise.all(links.map((l) => h.endpoint({ method: 'POST', path: l.pathname, query: l.search })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it('never logs the address, not even inside a server reply', async () => {
    const smtp = await startLocalSmtp({ rejectRecipient: () => true });
    const events: unknown[] = [];
    const logged = await harness({
      mailer: createSmtpMailer({ host: smtp.host, port: smtp.port, secure: false }),
      log: (e) => events.push(e),
    });
    try {
      expect((await logged.endpoint(form('email=Private.Person%40Example.org'))).status).toBe(503);
      expect(events).toEqual([
        expect.objectContaining({ event: 'confirmation-failed', message: expect.stringContaining('<subscriber>') }),
      ]);
      expect(JSON.stringify(events)).not.toMatch(/private\.person/i);
    } finally {
      await smtp.close();
      await rm(logged.dir, { recursive: true, force: true });
    }
  });

  it('leaves no record behind when the confirmation mail cannot be sent, so a retry works at once', async () => {
    // A real SMTP client against a port where nothing listens.
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const failing = await harness({ mailer: createSmtpMailer({ host: '127.0.0.1', port, secure: false }) });
    try {
      const res = await failing.endpoint(form('email=retry%40example.org'));
      expect(res.status).toBe(503);
      expect(await failing.snapshot()).toEqual({});
      const res2 = await failing.endpoint(form('email=retry%40example.org'));
      expect(res2.status).toBe(503);
    } finally {
      await rm(failing.dir, { recursive: true, force: true });
    }
  });
});
