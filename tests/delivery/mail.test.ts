/** Mailing a digest to confirmed subscribers through a real SMTP server. */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { parseConfig } from '../../src/config';
import { createDigestDeliverer } from '../../src/delivery';
import { FsStore } from '../../src/store';
import { subscriberIdFor, valueSecretLoader, verifyToken, writeSubscriber, type SubscriberRecord } from '../../src/subscriptions';
import type { Digest } from '../../src/types';
import { tempDir } from '../helpers/tmp';
import { startLocalSmtp, type LocalSmtp } from '../email/local-smtp';

const SECRET = 'deliver-secret-'.repeat(3);
const digest = JSON.parse(
  readFileSync(path.join(__dirname, '..', 'email', 'fixtures', 'digest', 'digest.json'), 'utf8'),
) as Digest;

const record = (address: string, status: SubscriberRecord['status']): SubscriberRecord => ({
  version: 1,
  id: subscriberIdFor(Buffer.from(SECRET), address),
  address: status === 'unsubscribed' ? undefined : address,
  status,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  confirmationsSent: 1,
});

describe('createDigestDeliverer', () => {
  let dir: string;
  let smtp: LocalSmtp;
  let store: FsStore;
  beforeEach(async () => {
    dir = await tempDir('deliver-');
    store = new FsStore(dir);
    smtp = await startLocalSmtp({ rejectRecipient: (a) => a.startsWith('bounce@') });
    for (const r of [
      record('ann@example.org', 'confirmed'),
      record('bob@example.org', 'confirmed'),
      record('bounce@example.org', 'confirmed'),
      record('pending@example.org', 'pending'),
      record('gone@example.org', 'unsubscribed'),
    ]) {
      await writeSubscriber(store, r);
    }
  });
  afterEach(async () => {
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  });

  const deliverer = () =>
    createDigestDeliverer({
      config: parseConfig({
        site: { url: 'https://digest.example.org/' },
        email: { from: 'Morning Digest <digest@example.org>', transport: 'smtp', smtp: { host: smtp.host, port: smtp.port } },
      }),
      store,
      secret: valueSecretLoader(SECRET),
      now: () => new Date('2026-11-29T07:05:00Z'),
    })!;

  it('mails each confirmed subscriber once, counts a failure without stopping, and skips on a re-run', async () => {
    const report = await deliverer()(digest);
    expect(report).toMatchObject({ attempted: 3, sent: 2, failed: 1, skipped: 0 });
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0].target).toBe(record('bounce@example.org', 'confirmed').id);
    expect(report.errors[0].message).toMatch(/550/);
    expect(report.errors[0].message).not.toContain('bounce@example.org');

    const mails = await smtp.waitFor(2);
    expect(mails.map((m) => m.to[0]).sort()).toEqual(['ann@example.org', 'bob@example.org']);
    for (const received of mails) {
      const mail = await simpleParser(received.raw);
      expect(mail.subject).toBe('Morning Digest — Nov 29, 2026: Harbor Bridge reopens to traffic after 18-month rebuild');
      const lines = mail.headerLines.map((h) => h.line);
      expect(lines).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      const listUnsubscribe = (mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '').replace(/\r?\n\s+/g, ' ');
      const match = listUnsubscribe.match(
        /^List-Unsubscribe: <mailto:digest@example\.org\?subject=unsubscribe&body=([^>]+)>, <(https:\/\/digest\.example\.org\/api\/unsubscribe\?token=([^>]+))>$/,
      );
      expect(match).not.toBeNull();
      const token = match![3];
      expect(match![1]).toBe(token);
      // Each subscriber's link unsubscribes that subscriber.
      const check = verifyToken(Buffer.from(SECRET), token, 'unsubscribe', new Date('2026-11-29T08:00:00Z'));
      expect(check.ok && check.payload.s).toBe(record(received.to[0], 'confirmed').id);
      expect(mail.text).toContain(match![2]);
      expect(mail.html).toContain(match![2].replace(/&/g, '&amp;'));
      expect(mail.text).toContain('https://digest.example.org/2026/11/29/');
    }

    const again = await deliverer()(digest);
    expect(again).toMatchObject({ attempted: 1, sent: 0, failed: 1, skipped: 2 });
    expect(smtp.messages).toHaveLength(2);
  });

  it('sends nothing for an empty digest', async () => {
    const report = await deliverer()({ ...digest, stories: [] });
    expect(report).toEqual({ attempted: 0, sent: 0, failed: 0, skipped: 0, errors: [] });
    expect(smtp.messages).toHaveLength(0);
  });

  it('reports, rather than throws, when the subscribers cannot be read', async () => {
    const broken = createDigestDeliverer({
      config: parseConfig({}),
      store,
      secret: async () => {
        throw new Error('AccessDenied');
      },
    })!;
    const report = await broken(digest);
    expect(report).toMatchObject({
      sent: 0,
      failed: 1,
      errors: [{ target: '*', message: expect.stringContaining('AccessDenied') }],
    });
  });
});
