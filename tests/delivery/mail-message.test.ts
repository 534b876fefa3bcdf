/**
 * Each reader's mail as it leaves (the outbox's .eml files, the real SMTP server): its list
 * headers, its unsubscribe links (to the Reply-To when there is one, never a mailto: without an
 * address), its outbox name, lead images only when the config asks, and the done claim that
 * records it; no subscribers means no secret is needed.
 */
import { readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { parseConfig } from '../../src/config';
import { createDigestDeliverer, deliverDigest, deliveryKey, type DeliverDigestDeps } from '../../src/delivery';
import { createOutboxMailer, type Mailer } from '../../src/email/mailers';
import { FsStore, getJson } from '../../src/store';
import { subscriberIdFor, valueSecretLoader, type Preferences } from '../../src/subscriptions';
import type { Digest, WeeklyEdition } from '../../src/types';
import { writeConfirmedSubscriber } from '../helpers/subscribers';
import { tempDir } from '../helpers/tmp';

const SECRET = 'mail-message-secret-'.repeat(3);
const NOW = new Date('2026-11-29T07:05:00.000Z');
const FIXTURE = readFileSync(path.join(__dirname, '..', 'email', 'fixtures', 'digest', 'digest.json'), 'utf8');
const fixture = (): Digest => JSON.parse(FIXTURE) as Digest;

const idOf = (address: string): string => subscriberIdFor(Buffer.from(SECRET), address);

describe("each reader's mail", () => {
  let dir: string;
  let out: string;
  let store: FsStore;
  beforeEach(async () => {
    dir = await tempDir('mail-message-');
    out = await tempDir('mail-message-out-');
    store = new FsStore(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(out, { recursive: true, force: true });
  });

  const subscribe = (address: string, preferences?: Preferences): Promise<void> =>
    writeConfirmedSubscriber(store, idOf(address), address, preferences);

  const outboxDir = () => path.join(out, 'outbox', 'digests');
  const outbox = async (): Promise<Record<string, ParsedMail>> => {
    const files = (await readdir(outboxDir())).sort();
    const mails: Record<string, ParsedMail> = {};
    for (const file of files) mails[file] = await simpleParser(await readFile(path.join(outboxDir(), file)));
    return mails;
  };
  const header = (mail: ParsedMail, name: string): string =>
    (mail.headerLines.find((h) => h.key === name)?.line ?? '').replace(/\r?\n\s+/g, ' ');

  it('goes to the outbox as <date>-<subscriber id>.eml with its list headers, and its claim records the transport', async () => {
    await subscribe('ann@example.org');
    await subscribe('bob@example.org');
    const deliver = createDigestDeliverer({
      config: parseConfig({
        site: { url: 'https://digest.example.org/' },
        email: { from: 'Morning Digest <digest@example.org>', replyTo: 'Letters <letters@example.org>' },
      }),
      store,
      outDir: out,
      secret: valueSecretLoader(SECRET),
      now: () => NOW,
    })!;
    const report = await deliver(fixture());
    expect(report).toEqual({ attempted: 2, sent: 2, failed: 0, skipped: 0, errors: [] });

    const mails = await outbox();
    expect(Object.keys(mails)).toEqual(
      [`2026-11-29-${idOf('ann@example.org')}.eml`, `2026-11-29-${idOf('bob@example.org')}.eml`].sort(),
    );
    const ann = mails[`2026-11-29-${idOf('ann@example.org')}.eml`];
    expect(header(ann, 'from')).toBe('From: Morning Digest <digest@example.org>');
    expect(header(ann, 'reply-to')).toBe('Reply-To: Letters <letters@example.org>');
    expect(header(ann, 'to')).toBe('To: ann@example.org');
    expect(header(ann, 'list-id')).toBe('List-ID: <digest.digest.example.org>');
    expect(header(ann, 'auto-submitted')).toBe('Auto-Submitted: auto-generated');
    expect(header(ann, 'precedence')).toBe('Precedence: bulk');
    expect(header(ann, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    // The mailto: link goes to the Reply-To address, where replies are read.
    expect(header(ann, 'list-unsubscribe')).toMatch(
      /^List-Unsubscribe: <mailto:letters@example\.org\?subject=unsubscribe&body=[\w.-]+>, <https:\/\/digest\.example\.org\/api\/unsubscribe\?token=[\w.-]+>$/,
    );
    expect(ann.text).toMatch(/https:\/\/digest\.example\.org\/api\/preferences\?token=[\w.-]+/);

    const claim = await getJson<Record<string, unknown>>(store, deliveryKey('2026-11-29', idOf('ann@example.org')));
    expect(claim).toMatchObject({
      state: 'done',
      // Who delivered: this process, at this time.
      owner: `deliver-${process.pid}-2026-11-29T07:05:00.000Z`,
      claimedAt: '2026-11-29T07:05:00.000Z',
      completedAt: '2026-11-29T07:05:00.000Z',
      // The outbox gives no message id.
      result: { transport: 'outbox' },
    });
  });

  it('shows lead images in the mail only when site.images.mail is on', async () => {
    await subscribe('ann@example.org');
    const digest = fixture();
    digest.stories[0] = { ...digest.stories[0], leadImage: 'https://gazette.example/bridge.jpg' };
    for (const mail of [false, true]) {
      const deliver = createDigestDeliverer({
        config: parseConfig({ site: { url: 'https://digest.example.org/', images: { mail } } }),
        store,
        outDir: out,
        secret: valueSecretLoader(SECRET),
        now: () => NOW,
      })!;
      await rm(path.join(dir, 'state', 'runs'), { recursive: true, force: true });
      expect(await deliver(digest)).toMatchObject({ sent: 1 });
      const [only] = Object.values(await outbox());
      if (mail) expect(only.html).toContain('<img src="https://gazette.example/bridge.jpg"');
      else expect(only.html).not.toContain('<img');
    }
  });

  it('mails weekly readers their week on a day without stories (as <date>-weekly-<id>.eml, under its own claim), and daily readers nothing', async () => {
    await subscribe('ann@example.org');
    await subscribe('wendy@example.org', { frequency: 'weekly', weekday: 'sunday' });
    const digest = fixture();
    const weekly: WeeklyEdition = {
      version: 1,
      title: 'Morning Digest',
      week: '2026-W48',
      from: '2026-11-23',
      to: '2026-11-29',
      dates: ['2026-11-27'],
      timezone: 'UTC',
      generatedAt: '2026-11-29T07:00:00.000Z',
      stories: digest.stories.map((s) => ({ ...s, days: ['2026-11-27'], articles: 1 })),
    };
    const deliver = createDigestDeliverer({
      config: parseConfig({ site: { url: 'https://digest.example.org/' } }),
      store,
      outDir: out,
      secret: valueSecretLoader(SECRET),
      now: () => NOW,
    })!;
    // 29 November 2026 is a Sunday.
    const report = await deliver({ ...digest, stories: [] }, { weekly });
    expect(report).toEqual({
      attempted: 1,
      sent: 1,
      failed: 0,
      skipped: 1,
      skippedBy: { 'no-stories-for-reader': 1 },
      errors: [],
    });
    const mails = await outbox();
    expect(Object.keys(mails)).toEqual([`2026-11-29-weekly-${idOf('wendy@example.org')}.eml`]);
    expect(Object.values(mails)[0].subject).toMatch(/^Morning Digest — the week — /);
    expect(await store.list('state/runs/2026-11-29/deliveries/')).toEqual([
      `state/runs/2026-11-29/deliveries/${idOf('wendy@example.org')}.weekly.json`,
    ]);
  });

  it('leaves an injected mailer open for its owner', async () => {
    await subscribe('ann@example.org');
    const outboxMailer = createOutboxMailer({ dir: outboxDir() });
    let closed = 0;
    const injected: Mailer = {
      kind: outboxMailer.kind,
      send: (message) => outboxMailer.send(message),
      close: async () => {
        closed++;
      },
    };
    const deliver = createDigestDeliverer({
      config: parseConfig({ site: { url: 'https://digest.example.org/' } }),
      store,
      mailer: injected,
      secret: valueSecretLoader(SECRET),
      now: () => NOW,
    })!;
    expect(await deliver(fixture())).toMatchObject({ sent: 1, failed: 0 });
    expect(Object.keys(await outbox())).toEqual([`2026-11-29-${idOf('ann@example.org')}.eml`]);
    expect(closed).toBe(0);
  });

  describe('deliverDigest', () => {
    const deps = (overrides: Partial<DeliverDigestDeps> = {}): DeliverDigestDeps => ({
      store,
      mailer: createOutboxMailer({ dir: outboxDir() }),
      secret: valueSecretLoader(SECRET),
      siteUrl: 'https://digest.example.org',
      endpointUrl: 'https://digest.example.org/api',
      from: 'Morning Digest <digest@example.org>',
      lang: 'en',
      now: () => NOW,
      ...overrides,
    });

    it('links to the endpoint without its trailing slashes', async () => {
      await subscribe('ann@example.org');
      await deliverDigest(fixture(), deps({ endpointUrl: 'https://api.example.org/digest//' }));
      const [mail] = Object.values(await outbox());
      expect(header(mail, 'list-unsubscribe')).toMatch(/, <https:\/\/api\.example\.org\/digest\/unsubscribe\?token=[\w.-]+>$/);
      expect(mail.text).toMatch(/https:\/\/api\.example\.org\/digest\/preferences\?token=/);
    });

    it.each([
      ['a sender without an address', 'Morning Digest', undefined],
      ['an empty group as Reply-To', 'Morning Digest <digest@example.org>', 'Undisclosed:;'],
    ])('offers only the web unsubscribe link for %s', async (_case, from, replyTo) => {
      await subscribe('ann@example.org');
      const report = await deliverDigest(fixture(), deps({ from, replyTo }));
      expect(report).toMatchObject({ sent: 1, failed: 0 });
      const [mail] = Object.values(await outbox());
      expect(header(mail, 'list-unsubscribe')).toMatch(
        /^List-Unsubscribe: <https:\/\/digest\.example\.org\/api\/unsubscribe\?token=[\w.-]+>$/,
      );
    });

    it('sends the mailto: unsubscribe to the first member of a Reply-To group', async () => {
      await subscribe('ann@example.org');
      await deliverDigest(fixture(), deps({ replyTo: 'Letters: letters@example.org, desk@example.org;' }));
      const [mail] = Object.values(await outbox());
      expect(header(mail, 'list-unsubscribe')).toMatch(
        /^List-Unsubscribe: <mailto:letters@example\.org\?subject=unsubscribe&body=[\w.-]+>, <https:\/\/digest\.example\.org\/api\/unsubscribe\?token=[\w.-]+>$/,
      );
    });

    it('mails nobody and needs no token secret when there are no confirmed subscribers', async () => {
      const report = await deliverDigest(
        fixture(),
        deps({
          secret: async () => {
            throw new Error('the secret must not be read');
          },
        }),
      );
      expect(report).toEqual({ attempted: 0, sent: 0, failed: 0, skipped: 0, errors: [] });
    });

    it('reports a secret that cannot be read as one failure of the whole delivery', async () => {
      await subscribe('ann@example.org');
      const report = await deliverDigest(
        fixture(),
        deps({
          secret: async () => {
            throw new Error('AccessDenied: secretsmanager:GetSecretValue');
          },
        }),
      );
      expect(report).toEqual({
        attempted: 0,
        sent: 0,
        failed: 1,
        skipped: 0,
        errors: [
          { target: '*', message: 'cannot read subscribers or the token secret: AccessDenied: secretsmanager:GetSecretValue' },
        ],
      });
    });
  });
});
