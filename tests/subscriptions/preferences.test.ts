/**
 * "Change what you receive": the signed preferences link over a real filesystem store and the real
 * outbox mailer. A GET changes nothing; only the form's POST with a valid preferences token saves.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as cheerio from 'cheerio';
import { simpleParser } from 'mailparser';
import { createOutboxMailer } from '../../src/email';
import { FsStore } from '../../src/store';
import {
  createSubscriptionEndpoint,
  effectivePreferences,
  editionFor,
  parsePreferences,
  preferencesToken,
  readSubscriber,
  subscriberIdFor,
  SUBSCRIBERS_PREFIX,
  unsubscribeToken,
  valueSecretLoader,
  writeSubscriber,
  type EndpointRequest,
  type SubscriberRecord,
  type SubscriptionEndpoint,
} from '../../src/subscriptions';
import { renderDailyPage, siteAssets } from '../../src/render';
import { subscribeChoicesOf } from '../../src/subscriptions';
import { parseConfig } from '../../src/config';
import { digest, story } from '../render/digests';
import { tempDir } from '../helpers/tmp';

const SECRET = 'prefs-secret-'.repeat(4);
const secretBytes = Buffer.from(SECRET);
const choices = { categories: ['City', 'Science', 'World'], defaultMaxStories: 30 };
const ADDRESS = 'reader@example.org';
const id = subscriberIdFor(secretBytes, ADDRESS);

const confirmed = (extra: Partial<SubscriberRecord> = {}): SubscriberRecord => ({
  version: 1,
  id,
  address: ADDRESS,
  status: 'confirmed',
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  confirmedAt: '2026-11-01T00:00:00.000Z',
  confirmationsSent: 1,
  ...extra,
});

const post = (pathname: string, token: string, body: string): EndpointRequest => ({
  method: 'POST',
  path: pathname,
  query: `token=${token}`,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body,
});
const get = (pathname: string, token: string): EndpointRequest => ({ method: 'GET', path: pathname, query: `token=${token}` });

describe('the preferences endpoint', () => {
  let dir: string;
  let store: FsStore;
  let outbox: string;
  let clock: { now: Date };
  let endpoint: SubscriptionEndpoint;
  const snapshot = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const key of await store.list(SUBSCRIBERS_PREFIX)) out[key] = (await store.get(key))!.toString();
    return out;
  };

  beforeEach(async () => {
    dir = await tempDir('prefs-');
    store = new FsStore(path.join(dir, 'out'));
    outbox = path.join(dir, 'outbox');
    clock = { now: new Date('2026-12-01T08:00:00Z') };
    endpoint = createSubscriptionEndpoint({
      store,
      mailer: createOutboxMailer({ dir: outbox }),
      secret: valueSecretLoader(SECRET),
      siteUrl: 'https://digest.example.org',
      endpointUrl: 'https://digest.example.org/api',
      title: 'Morning Digest',
      lang: 'en',
      from: 'Morning Digest <digest@example.org>',
      limits: { signupsPerClientPerHour: 5, confirmationsPerHour: 200 },
      choices,
      now: () => clock.now,
    });
    await writeSubscriber(store, confirmed());
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('GET shows the current choices and changes nothing; POST saves them', async () => {
    const token = preferencesToken(secretBytes, id, clock.now);
    const before = await snapshot();
    const page = await endpoint(get('/api/preferences', token));
    expect(page.status).toBe(200);
    expect(await snapshot()).toEqual(before);
    const $ = cheerio.load(page.body);
    expect($('form').attr('method')).toBe('post');
    expect($('form').attr('action')).toBe(`?token=${token}`);
    // Defaults: every topic, daily, the digest's size.
    expect(
      $('input[name=categories]')
        .map((_, e) => [[$(e).val(), $(e).is(':checked')]])
        .get(),
    ).toEqual([
      ['City', true],
      ['Science', true],
      ['World', true],
    ]);
    expect($('input[name=frequency]:checked').val()).toBe('daily');
    expect($('input[name=maxStories]').val()).toBe('30');
    // Every control has a label.
    for (const el of $('input, select').toArray()) expect($(`label[for="${$(el).attr('id')}"]`)).toHaveLength(1);

    const saved = await endpoint(
      post('/api/preferences', token, 'categories=Science&frequency=weekly&weekday=wednesday&maxStories=5'),
    );
    expect(saved.status).toBe(200);
    expect(saved.body).toContain('Science, once a week on Wednesday, at most 5 stories a mail');
    expect((await readSubscriber(store, id))!.preferences).toEqual({
      categories: ['Science'],
      frequency: 'weekly',
      weekday: 'wednesday',
      maxStories: 5,
    });
    // The record is otherwise unchanged: still confirmed, same address.
    expect(await readSubscriber(store, id)).toMatchObject({ status: 'confirmed', address: ADDRESS });

    const again = cheerio.load((await endpoint(get('/api/preferences', token))).body);
    expect(
      again('input[name=categories]:checked')
        .map((_, e) => again(e).val())
        .get(),
    ).toEqual(['Science']);
    expect(again('input[name=frequency]:checked').val()).toBe('weekly');
    expect(again('select[name=weekday] option[selected]').val()).toBe('wednesday');
    expect(again('input[name=maxStories]').val()).toBe('5');

    // Back to everything: all boxes ticked is "every topic", and the defaults are not stored.
    await endpoint(
      post('/api/preferences', token, 'categories=City&categories=Science&categories=World&frequency=daily&maxStories=30'),
    );
    expect((await readSubscriber(store, id))!.preferences).toBeUndefined();
  });

  it('a tampered, expired or re-purposed token changes nothing', async () => {
    const token = preferencesToken(secretBytes, id, clock.now);
    const [body, mac] = token.split('.');
    const otherId = subscriberIdFor(secretBytes, 'someone@example.org');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), s: otherId }),
    ).toString('base64url');
    const bad = [
      `${body}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`, // signature changed
      `${forgedPayload}.${mac}`, // payload changed, old signature
      unsubscribeToken(secretBytes, id, clock.now), // an unsubscribe token is not a preferences token
      preferencesToken(Buffer.from('another-secret-'.repeat(3)), id, clock.now),
    ];
    const before = await snapshot();
    for (const t of bad) {
      for (const request of [get('/api/preferences', t), post('/api/preferences', t, 'frequency=weekly&weekday=friday')]) {
        const res = await endpoint(request);
        expect([t, res.status]).toEqual([t, 400]);
        expect(res.body).toContain('This link does not work');
      }
    }
    // Expired: preferences links live as long as unsubscribe links (400 days).
    clock.now = new Date(clock.now.getTime() + 401 * 86_400_000);
    expect((await endpoint(post('/api/preferences', token, 'frequency=weekly'))).status).toBe(400);
    // And a preferences token never unsubscribes.
    expect((await endpoint(post('/api/unsubscribe', token, ''))).status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses choices out of bounds with a clear page and changes nothing', async () => {
    const token = preferencesToken(secretBytes, id, clock.now);
    const before = await snapshot();
    for (const body of [
      'maxStories=0',
      'maxStories=101',
      'maxStories=ten',
      'frequency=hourly',
      'frequency=weekly&weekday=caturday',
    ]) {
      const res = await endpoint(post('/api/preferences', token, body));
      expect([body, res.status, res.body.includes('role="alert"')]).toEqual([body, 400, true]);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('ignores a category the config no longer offers, in the record and in a posted form', async () => {
    await writeSubscriber(store, confirmed({ preferences: { categories: ['Gone', 'Science'] } }));
    const token = preferencesToken(secretBytes, id, clock.now);
    const page = await endpoint(get('/api/preferences', token));
    expect(page.status).toBe(200);
    const $ = cheerio.load(page.body);
    expect(
      $('input[name=categories]')
        .map((_, e) => $(e).val())
        .get(),
    ).toEqual(['City', 'Science', 'World']);
    expect(
      $('input[name=categories]:checked')
        .map((_, e) => $(e).val())
        .get(),
    ).toEqual(['Science']);
    const saved = await endpoint(post('/api/preferences', token, 'categories=Gone&categories=World'));
    expect(saved.status).toBe(200);
    expect((await readSubscriber(store, id))!.preferences).toEqual({ categories: ['World'] });
  });

  it('tells an unsubscribed reader so, and changes nothing', async () => {
    const { address: _a, ...rest } = confirmed();
    await writeSubscriber(store, { ...rest, status: 'unsubscribed', unsubscribedAt: '2026-11-20T00:00:00.000Z' });
    const before = await snapshot();
    const res = await endpoint(post('/api/preferences', preferencesToken(secretBytes, id, clock.now), 'frequency=weekly'));
    expect(res.status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it("the site's subscribe form offers the config's topics, and its fields are what the endpoint reads", async () => {
    const config = parseConfig({
      feeds: choices.categories.map((category, i) => ({ url: `https://f${i}.example/rss.xml`, category })),
      digest: { maxStories: 30 },
    });
    const assets = siteAssets();
    const html = renderDailyPage(
      digest(),
      {
        root: '',
        assets: { css: assets.css.path, icon: assets.icon.path, searchJs: assets.searchJs.path },
        siteTitle: 'Morning Digest',
        subscribeEndpoint: 'https://digest.example.org/api',
        subscribeChoices: subscribeChoicesOf(config),
        lang: 'en',
      },
      { path: 'index.html' },
    );
    const $ = cheerio.load(html);
    const form = $('aside.sub form');
    expect(form.find('details summary').text()).toBe('Choose topics and how often (optional)');
    expect(
      form
        .find('input[name=categories]')
        .map((_, e) => $(e).val())
        .get(),
    ).toEqual(choices.categories);
    for (const el of form.find('input, select').toArray()) expect($(`label[for="${$(el).attr('id')}"]`)).toHaveLength(1);
    // The form as a browser sends it: every topic ticked, daily, 30 stories, plus a weekly choice.
    const fields = new URLSearchParams({ email: 'form@example.org' });
    form.find('input[name=categories]:checked').each((_, e) => fields.append('categories', String($(e).val())));
    fields.set('frequency', 'weekly');
    fields.set('weekday', String(form.find('select[name=weekday] option').eq(4).val()));
    fields.set('maxStories', String(form.find('input[name=maxStories]').val()));
    const res = await endpoint({
      method: 'POST',
      path: '/api/subscribe',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    });
    expect(res.status).toBe(202);
    // Defaults (every topic, the digest's size) are not stored; the weekly choice is.
    expect((await readSubscriber(store, subscriberIdFor(secretBytes, 'form@example.org')))!.preferences).toEqual({
      frequency: 'weekly',
      weekday: 'friday',
    });
  });

  it('the subscribe form takes the same choices; they apply once confirmed, and never to an address already confirmed', async () => {
    const newcomer = 'new@example.org';
    const res = await endpoint({
      method: 'POST',
      path: '/api/subscribe',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `email=${encodeURIComponent(newcomer)}&categories=City&frequency=weekly&weekday=friday&maxStories=10`,
    });
    expect(res.status).toBe(202);
    const newId = subscriberIdFor(secretBytes, newcomer);
    expect(await readSubscriber(store, newId)).toMatchObject({
      status: 'pending',
      preferences: { categories: ['City'], frequency: 'weekly', weekday: 'friday', maxStories: 10 },
    });
    const [file] = (await readdir(outbox)).filter((f) => f.endsWith('.eml'));
    const mail = await simpleParser(await readFile(path.join(outbox, file)));
    const link = new URL((mail.text ?? '').match(/https:\/\/digest\.example\.org\/api\/confirm\?token=[A-Za-z0-9._-]+/)![0]);
    expect((await endpoint({ method: 'POST', path: link.pathname, query: link.search })).status).toBe(200);
    expect(await readSubscriber(store, newId)).toMatchObject({ status: 'confirmed', preferences: { frequency: 'weekly' } });

    // Anyone can type an address: a sign-up of a confirmed address does not change its choices.
    const again = await endpoint({
      method: 'POST',
      path: '/api/subscribe',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `email=${encodeURIComponent(ADDRESS)}&frequency=weekly&weekday=monday&maxStories=1`,
    });
    expect(again.status).toBe(202);
    expect((await readSubscriber(store, id))!.preferences).toBeUndefined();

    const invalid = await endpoint({
      method: 'POST',
      path: '/api/subscribe',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'third@example.org', maxStories: 1000 }),
    });
    expect(invalid.status).toBe(400);
    expect(await readSubscriber(store, subscriberIdFor(secretBytes, 'third@example.org'))).toBeUndefined();
  });
});

describe('editionFor', () => {
  const stories = [
    story({ id: 'a', category: 'City' }),
    story({ id: 'b', category: 'Science' }),
    story({ id: 'c', category: undefined }),
    story({ id: 'd', category: 'Science' }),
  ];
  const editions = { daily: { stories }, weekly: { stories: [...stories].reverse() } };

  it('gives a daily reader the day, cut to their topics and number', () => {
    expect(editionFor({}, editions, '2026-12-02', choices)).toMatchObject({ send: true, kind: 'daily', stories });
    const science = editionFor({ preferences: { categories: ['Science'], maxStories: 1 } }, editions, '2026-12-02', choices);
    expect(science.send && science.stories.map((s) => s.id)).toEqual(['b']);
    const none = editionFor({ preferences: { categories: ['World'] } }, editions, '2026-12-02', choices);
    expect(none).toEqual({ send: false, kind: 'daily', reason: 'no-stories-for-reader' });
  });

  it('gives a weekly reader the week on their weekday only', () => {
    const reader = { preferences: { frequency: 'weekly' as const, weekday: 'wednesday' as const } };
    expect(editionFor(reader, editions, '2026-12-01', choices)).toEqual({
      send: false,
      kind: 'weekly',
      reason: 'weekly-not-today',
    });
    const wednesday = editionFor(reader, editions, '2026-12-02', choices);
    expect(wednesday.send && wednesday.stories.map((s) => s.id)).toEqual(['d', 'c', 'b', 'a']);
    expect(editionFor(reader, { daily: editions.daily }, '2026-12-02', choices)).toMatchObject({
      send: false,
      reason: 'no-weekly-edition',
    });
  });

  it('reads any stored record without failing: stale categories, odd values, all categories gone', () => {
    expect(effectivePreferences({ categories: ['Gone'] }, choices).categories).toBeUndefined();
    expect(effectivePreferences({ categories: ['Gone', 'City'] }, choices).categories).toEqual(['City']);
    const odd = effectivePreferences({ frequency: 'hourly', weekday: 'caturday', maxStories: 9999 } as never, choices);
    expect(odd).toEqual({ categories: undefined, frequency: 'daily', weekday: 'monday', maxStories: 100 });
    expect(parsePreferences({ categories: 'Science' }, choices)).toEqual({ ok: true, preferences: { categories: ['Science'] } });
  });
});
