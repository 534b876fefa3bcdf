/**
 * Mailing one published digest to every confirmed subscriber: one message per subscriber (each
 * carries its own unsubscribe link), sent exactly once per day through `deliverOnce` (claims
 * under state/runs/<date>/deliveries/<subscriber id>.json); one failure never stops the others.
 */
import addressparser from 'nodemailer/lib/addressparser';
import type { Config } from '../config/schema';
import { renderDigestEmail } from '../email/digest-email';
import { LABELS_LANG } from '../email/layout';
import { createMailerFromConfig, type MailMessage, type Mailer, type SesLike } from '../email/mailers';
import type { Store } from '../store';
import { maskAddress } from '../subscriptions/address';
import { dayPageUrl, resolvePublicUrls } from '../subscriptions/links';
import { secretLoaderFromEnv, type SecretLoader } from '../subscriptions/secret';
import { isMailable, listSubscribers, type SubscriberRecord } from '../subscriptions/subscribers';
import { unsubscribeToken } from '../subscriptions/tokens';
import type { Digest } from '../types';
import { deliverOnce } from './deliver-once';
import { emptyDeliveryReport, type DeliveryReport } from './report';

export interface DeliverDigestDeps {
  store: Store;
  mailer: Mailer;
  secret: SecretLoader;
  siteUrl: string;
  endpointUrl: string;
  from: string;
  replyTo?: string;
  /** Language of the labels (LABELS_LANG). */
  lang: string;
  now?: () => Date;
  /** Messages in flight at once (SES and most SMTP servers throttle beyond a few). */
  concurrency?: number;
  /** Who is delivering (the run's id): a retry of the same run may take its own claims again. */
  owner?: string;
}

/** A confirmed subscriber with an address to mail. */
type MailableSubscriber = SubscriberRecord & { address: string };

/** What every subscriber's mail of one digest shares. */
interface MailContext {
  digest: Digest;
  deps: DeliverDigestDeps;
  secret: Buffer;
  endpoint: string;
  webUrl: string;
  /** The bare address of the sender, for the mailto: unsubscribe link. */
  unsubscribeMailbox?: string;
  at: Date;
}

/** The bare address of a "Name <addr>" header value, for the mailto: unsubscribe link. */
function mailboxOf(value: string): string | undefined {
  const first = addressparser(value, { flatten: true })[0];
  return first && 'address' in first && first.address ? first.address : undefined;
}

export async function deliverDigest(digest: Digest, deps: DeliverDigestDeps): Promise<DeliveryReport> {
  const now = deps.now ?? (() => new Date());
  // An empty day is not worth a mail; the site still shows it.
  if (digest.stories.length === 0) return emptyDeliveryReport();
  let subscribers: MailableSubscriber[];
  let secret: Buffer;
  try {
    subscribers = (await listSubscribers(deps.store)).filter(isMailable);
    if (subscribers.length === 0) return emptyDeliveryReport();
    secret = await deps.secret();
  } catch (err) {
    // Mail is the last step of a published run: report the failure, never fail the run over it.
    const report = emptyDeliveryReport();
    report.failed++;
    report.errors.push({ target: '*', message: `cannot read subscribers or the token secret: ${(err as Error).message}` });
    return report;
  }
  const context: MailContext = {
    digest,
    deps,
    secret,
    endpoint: deps.endpointUrl.replace(/\/+$/, ''),
    webUrl: dayPageUrl(deps.siteUrl, digest.date),
    unsubscribeMailbox: mailboxOf(deps.replyTo ?? deps.from),
    at: now(),
  };
  return deliverOnce({
    store: deps.store,
    date: digest.date,
    owner: deps.owner ?? `deliver-${process.pid}-${now().toISOString()}`,
    targets: subscribers,
    nameOf: (subscriber) => subscriber.id,
    send: async (subscriber) => {
      const result = await deps.mailer.send(digestMailFor(subscriber, { ...context, at: now() }));
      return { transport: deps.mailer.kind, messageId: result.messageId };
    },
    concurrency: deps.concurrency ?? 4,
    now,
    // Server replies often quote the recipient; the report is stored, so the address is masked.
    describeError: (subscriber, err) => maskAddress(err.message, subscriber.address),
  });
}

/** One subscriber's mail of the digest: what it holds, its unsubscribe link and its list headers. */
export function digestMailFor(subscriber: MailableSubscriber, context: MailContext): MailMessage {
  const { digest, deps } = context;
  const token = unsubscribeToken(context.secret, subscriber.id, context.at);
  const unsubscribeUrl = `${context.endpoint}/unsubscribe?token=${token}`;
  const mail = renderDigestEmail(digest, { webUrl: context.webUrl, unsubscribeUrl, siteUrl: deps.siteUrl }, { lang: deps.lang });
  const listUnsubscribe = [
    context.unsubscribeMailbox ? `<mailto:${context.unsubscribeMailbox}?subject=unsubscribe&body=${token}>` : undefined,
    `<${unsubscribeUrl}>`,
  ].filter(Boolean);
  return {
    from: deps.from,
    replyTo: deps.replyTo,
    to: subscriber.address,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    headers: {
      'List-Unsubscribe': listUnsubscribe.join(', '),
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': `<digest.${new URL(deps.siteUrl).hostname}>`,
      'Auto-Submitted': 'auto-generated',
      Precedence: 'bulk',
    },
    label: `${digest.date}-${subscriber.id}`,
  };
}

export interface DelivererOptions {
  config: Config;
  store: Store;
  /** Local runs: the output folder (the outbox lives beside the site, in `<outDir>/outbox/`). */
  outDir?: string;
  /** Injected adapters (tests, Lambdas); defaults follow the config and the environment. */
  mailer?: Mailer;
  secret?: SecretLoader;
  sesClient?: SesLike;
  now?: () => Date;
}

/** A function that mails a published digest to every confirmed subscriber, or undefined when nobody can be mailed. */
export function createDigestDeliverer(options: DelivererOptions): ((digest: Digest) => Promise<DeliveryReport>) | undefined {
  const { config, store } = options;
  const { siteUrl, endpointUrl } = resolvePublicUrls(config);
  const secret = options.secret ?? secretLoaderFromEnv(store);
  return async (digest) => {
    const mailer =
      options.mailer ??
      createMailerFromConfig(config, { store, outDir: options.outDir, sesClient: options.sesClient, outboxFolder: 'digests' });
    try {
      return await deliverDigest(digest, {
        store,
        mailer,
        secret,
        siteUrl,
        endpointUrl,
        from: config.email.from,
        replyTo: config.email.replyTo,
        lang: LABELS_LANG,
        now: options.now,
      });
    } finally {
      if (!options.mailer) await mailer.close?.();
    }
  };
}
