/**
 * The three mailer adapters send the same MIME: to an outbox folder (or store prefix), to a real
 * SMTP server, and to SES v2 through the real SDK client pointed at a local HTTP endpoint.
 */
import http from 'node:http';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { simpleParser } from 'mailparser';
import { parseConfig } from '../../src/config';
import {
  createMailerFromConfig,
  createOutboxMailer,
  createSesMailer,
  createSmtpMailer,
  MailError,
  type MailMessage,
} from '../../src/email';
import { FsStore } from '../../src/store';
import { tempDir } from '../helpers/tmp';
import { startLocalSmtp } from './local-smtp';

const message: MailMessage = {
  from: 'Morning Digest <digest@example.org>',
  to: 'reader@xn--bcher-kva.example',
  replyTo: 'editor@example.org',
  subject: 'Morning Digest — عقد صفقة دفاع',
  text: 'Plain text part',
  html: '<p dir="rtl" lang="ar">عقد صفقة دفاع</p>',
  headers: {
    'List-Unsubscribe': '<https://digest.example.org/api/unsubscribe?token=a.b>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
  label: '2026-11-29-abc',
};

const expectSameMail = async (raw: Buffer): Promise<void> => {
  const mail = await simpleParser(raw);
  expect(mail.subject).toBe(message.subject);
  expect(mail.text?.trim()).toBe('Plain text part');
  expect(mail.html).toContain('dir="rtl"');
  const lines = mail.headerLines.map((h) => h.line);
  expect(lines).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  expect(lines).toContain('List-Unsubscribe: <https://digest.example.org/api/unsubscribe?token=a.b>');
  expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
};

describe('mailers', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('mailers-');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('outbox: one .eml file per message, in a folder or in the store', async () => {
    const folder = createOutboxMailer({ dir: path.join(dir, 'outbox') });
    const sent = await folder.send(message);
    expect(sent.location).toBe(path.join(dir, 'outbox', '2026-11-29-abc.eml'));
    await expectSameMail(await readFile(sent.location));

    const store = new FsStore(path.join(dir, 'store'));
    const inStore = createOutboxMailer({ store, prefix: 'state/outbox' });
    await inStore.send({ ...message, label: '../../escape me' });
    expect(await store.list('state/outbox')).toEqual(['state/outbox/escape-me.eml']);
  });

  it('refuses line breaks in headers before anything is sent', async () => {
    const folder = createOutboxMailer({ dir: path.join(dir, 'outbox') });
    await expect(folder.send({ ...message, subject: 'Hi\r\nBcc: x@example.org' })).rejects.toBeInstanceOf(MailError);
    await expect(folder.send({ ...message, headers: { 'X-Test': 'a\nb' } })).rejects.toBeInstanceOf(MailError);
    await expect(readdir(path.join(dir, 'outbox'))).rejects.toThrow();
  });

  it('smtp: delivers to a real SMTP server', async () => {
    const smtp = await startLocalSmtp();
    try {
      const mailer = createSmtpMailer({ host: smtp.host, port: smtp.port, secure: false });
      const sent = await mailer.send(message);
      expect(sent.messageId).toMatch(/@/);
      const [received] = await smtp.waitFor(1);
      // nodemailer may send the IDN envelope in Unicode to a server that announces SMTPUTF8.
      expect(received.to).toEqual([expect.stringMatching(/^reader@(xn--bcher-kva|bücher)\.example$/)]);
      expect(received.from).toBe('digest@example.org');
      await expectSameMail(received.raw);
      await mailer.close?.();
    } finally {
      await smtp.close();
    }
  });

  it('smtp: a refused recipient becomes a MailError', async () => {
    const smtp = await startLocalSmtp({ rejectRecipient: () => true });
    try {
      const mailer = createSmtpMailer({ host: smtp.host, port: smtp.port, secure: false });
      await expect(mailer.send(message)).rejects.toThrow(/SMTP 127\.0\.0\.1:\d+: .*550/);
    } finally {
      await smtp.close();
    }
  });

  it('ses: sends the raw MIME with the configuration set through SESv2 SendEmail', async () => {
    const requests: { method?: string; url?: string; body: Record<string, unknown> }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({ method: req.method, url: req.url, body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ MessageId: 'ses-message-1' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new SESv2Client({
      endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const mailer = createSesMailer(client, { configurationSet: 'digest-mail' });
      expect(await mailer.send(message)).toEqual({ messageId: 'ses-message-1', location: 'ses' });
      expect(requests).toHaveLength(1);
      expect(requests[0]).toMatchObject({ method: 'POST', url: '/v2/email/outbound-emails' });
      const body = requests[0].body as {
        ConfigurationSetName: string;
        Destination: { ToAddresses: string[] };
        Content: { Raw: { Data: string } };
      };
      expect(body.ConfigurationSetName).toBe('digest-mail');
      expect(body.Destination.ToAddresses).toEqual(['reader@xn--bcher-kva.example']);
      await expectSameMail(Buffer.from(body.Content.Raw.Data, 'base64'));
    } finally {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('chooses the adapter from config: outbox beside the site locally, state/outbox/ otherwise', async () => {
    const store = new FsStore(path.join(dir, 'store'));
    expect(createMailerFromConfig(parseConfig({}), { store }).kind).toBe('outbox');
    const local = createMailerFromConfig(parseConfig({}), { store, outDir: path.join(dir, 'out'), outboxFolder: 'digests' });
    expect((await local.send(message)).location).toBe(path.join(dir, 'out', 'outbox', 'digests', '2026-11-29-abc.eml'));
    expect(
      createMailerFromConfig(parseConfig({ email: { transport: 'smtp', smtp: { host: '127.0.0.1', port: 2525 } } }), { store })
        .kind,
    ).toBe('smtp');
    expect(createMailerFromConfig(parseConfig({ email: { transport: 'ses' } }), { store }).kind).toBe('ses');
  });
});
