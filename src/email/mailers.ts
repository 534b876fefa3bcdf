/**
 * The mailer port and its three adapters: an outbox folder of .eml files (the embedded
 * default: a local run shows exactly what would be sent), SMTP (any server) and SES v2
 * (deployed). Every adapter sends the same bytes: the MIME is built once by nodemailer's
 * composer from a `MailMessage`.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTransport } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Config } from '../config/schema';
import type { Store } from '../store';

export interface MailMessage {
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers (List-Unsubscribe…); values must be single-line. */
  headers?: Record<string, string>;
  /** A file-name-safe label for the outbox ("2026-11-29-<subscriber id>"). */
  label: string;
}

export interface SendResult {
  messageId?: string;
  /** Where the message went: an .eml path, "smtp://host:port", "ses". */
  location: string;
}

export interface Mailer {
  readonly kind: 'outbox' | 'smtp' | 'ses';
  send(message: MailMessage): Promise<SendResult>;
  close?(): Promise<void>;
}

/** A mail that could not be handed over; the message never contains the recipient address. */
export class MailError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MailError';
  }
}

const SINGLE_LINE = /^[^\r\n\0]*$/;

function composerOptions(message: MailMessage) {
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!SINGLE_LINE.test(value) || !/^[A-Za-z0-9-]+$/.test(name))
      throw new MailError(`Refusing header ${name}: not a single line`);
  }
  if (!SINGLE_LINE.test(message.subject) || !SINGLE_LINE.test(message.to))
    throw new MailError('Refusing a subject or recipient with a line break');
  return {
    from: message.from,
    to: message.to,
    replyTo: message.replyTo,
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: message.headers,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** The RFC 5322 bytes of a message (CRLF line ends). */
export async function buildMime(message: MailMessage): Promise<Buffer> {
  const node = new MailComposer({ ...composerOptions(message), newline: '\r\n' } as ConstructorParameters<
    typeof MailComposer
  >[0]).compile();
  return node.build();
}

const safeLabel = (label: string): string =>
  label
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120) || 'message';

/** Outbox: every message becomes an .eml file in a folder (local runs) or under a store prefix. */
export function createOutboxMailer(target: { dir: string } | { store: Store; prefix: string }): Mailer {
  return {
    kind: 'outbox',
    async send(message) {
      const bytes = await buildMime(message);
      const name = `${safeLabel(message.label)}.eml`;
      if ('dir' in target) {
        await mkdir(target.dir, { recursive: true });
        const file = path.join(target.dir, name);
        const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
        await writeFile(tmp, bytes);
        await rename(tmp, file);
        return { location: file };
      }
      const key = `${target.prefix.replace(/\/+$/, '')}/${name}`;
      await target.store.put(key, bytes, { contentType: 'message/rfc822' });
      return { location: target.store.locate(key) };
    },
  };
}

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
}

/** SMTP through nodemailer, one connection per message (a daily digest does not need a pool). */
export function createSmtpMailer(settings: SmtpSettings): Mailer {
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: settings.auth,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    kind: 'smtp',
    async send(message) {
      try {
        const info = await transport.sendMail(composerOptions(message));
        return { messageId: info.messageId, location: `smtp://${settings.host}:${settings.port}` };
      } catch (err) {
        throw new MailError(`SMTP ${settings.host}:${settings.port}: ${(err as Error).message}`, { cause: err });
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** The slice of SESv2Client used here. */
export interface SesLike {
  send(command: SendEmailCommand): Promise<{ MessageId?: string }>;
}

/** SES v2 with the raw MIME, so SES sends exactly what the outbox would show. */
export function createSesMailer(client: SesLike, options: { configurationSet?: string } = {}): Mailer {
  return {
    kind: 'ses',
    async send(message) {
      const { SendEmailCommand } = await import('@aws-sdk/client-sesv2');
      const data = await buildMime(message);
      try {
        const out = await client.send(
          new SendEmailCommand({
            Destination: { ToAddresses: [message.to] },
            Content: { Raw: { Data: data } },
            ConfigurationSetName: options.configurationSet,
          }),
        );
        return { messageId: out.MessageId, location: 'ses' };
      } catch (err) {
        throw new MailError(`SES: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}

export interface MailerFromConfigOptions {
  store: Store;
  /** Local runs: the outbox is `<outDir>/outbox/`; without it, `state/outbox/` in the store. */
  outDir?: string;
  /** Injected SES client (default: a new SESv2Client from the environment). */
  sesClient?: SesLike;
  /** Outbox sub-folder ("digests", "confirmations"). */
  outboxFolder?: string;
}

export function createMailerFromConfig(config: Config, options: MailerFromConfigOptions): Mailer {
  const email = config.email;
  if (email.transport === 'smtp') {
    if (!email.smtp) throw new MailError('email.smtp is required when email.transport is "smtp"');
    return createSmtpMailer(email.smtp);
  }
  if (email.transport === 'ses') {
    let client = options.sesClient;
    const lazy: SesLike = {
      async send(command) {
        if (!client) {
          const { SESv2Client } = await import('@aws-sdk/client-sesv2');
          client = new SESv2Client({});
        }
        return client.send(command);
      },
    };
    return createSesMailer(lazy, { configurationSet: email.sesConfigurationSet });
  }
  const folder = options.outboxFolder ?? '';
  if (options.outDir) return createOutboxMailer({ dir: path.join(options.outDir, 'outbox', folder) });
  return createOutboxMailer({ store: options.store, prefix: ['state/outbox', folder].filter(Boolean).join('/') });
}
