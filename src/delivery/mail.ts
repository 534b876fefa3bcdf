/**
 * Mailing one published digest to every confirmed subscriber, as each chose (`readerMail`: the
 * day, or on a weekly reader's weekday the week; only their topics, at most their number of
 * stories; nothing when no story is left for them). One message per subscriber (each carries its
 * own unsubscribe and preferences links), sent exactly once through `deliverOnce` (claims under
 * state/runs/<date>/deliveries/<subscriber id>.json, a weekly mail under <id>.weekly.json); one
 * failure never stops the others.
 */
import addressparser from 'nodemailer/lib/addressparser';
import type { Config } from '../config/schema';
import { renderDigestEmail } from '../email/digest-email';
import { createMailerFromConfig, type MailMessage, type Mailer, type SesLike } from '../email/mailers';
import type { Store } from '../store';
import { maskAddress } from '../subscriptions/address';
import { resolvePublicUrls } from '../subscriptions/links';
import { secretLoaderFromEnv, type SecretLoader } from '../subscriptions/secret';
import { isMailable, listSubscribers, type SubscriberRecord } from '../subscriptions/subscribers';
import { preferencesToken, unsubscribeToken } from '../subscriptions/tokens';
import { preferenceChoicesOf } from '../subscriptions/preference-choices';
import { NO_PREFERENCE_CHOICES, type PreferenceChoices } from '../subscriptions/preferences';
import { readerMail, type ReaderMail } from '../subscriptions/reader-edition';
import type { Digest } from '../types';
import { deliverOnce } from './deliver-once';
import { countSkip, emptyDeliveryReport, type DeliveryEditions, type DeliveryReport } from './report';

export interface DeliverDigestDeps {
  store: Store;
  mailer: Mailer;
  secret: SecretLoader;
  siteUrl: string;
  endpointUrl: string;
  from: string;
  replyTo?: string;
  /** Language of the chrome (config digest.lang). */
  lang: string;
  /** Lead images in the mail (config site.images.mail). */
  images?: boolean;
  now?: () => Date;
  /** Messages in flight at once (SES and most SMTP servers throttle beyond a few). */
  concurrency?: number;
  /** Who is delivering (the run's id): a retry of the same run may take its own claims again. */
  owner?: string;
  /** The topics readers may pick and the digest's size (config); default: no topics, 100 stories. */
  choices?: PreferenceChoices;
}

/** A confirmed subscriber with an address to mail. */
type MailableSubscriber = SubscriberRecord & { address: string };

/** A subscriber with the mail they get today. */
type Reader = { subscriber: MailableSubscriber; edition: Extract<ReaderMail, { send: true }> };

/** What every subscriber's mail of one digest shares. */
interface MailContext {
  deps: DeliverDigestDeps;
  secret: Buffer;
  endpoint: string;
  /** The bare address of the sender, for the mailto: unsubscribe link. */
  unsubscribeMailbox?: string;
  at: Date;
}

/** The bare address of a "Name <addr>" header value, for the mailto: unsubscribe link. */
function mailboxOf(value: string): string | undefined {
  // Flattened, every entry is an address; a bare name has an empty one, an empty group ("Undisclosed:;") none.
  return addressparser(value, { flatten: true })[0]?.address || undefined;
}

export async function deliverDigest(
  digest: Digest,
  deps: DeliverDigestDeps,
  editions: DeliveryEditions = {},
): Promise<DeliveryReport> {
  const now = deps.now ?? (() => new Date());
  // An empty day is not worth a mail (the site still shows it), unless weekly readers have a week to read.
  if (digest.stories.length === 0 && !editions.weekly?.stories.length) return emptyDeliveryReport();
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
  // What each reader gets today: their frequency, topics and number of stories.
  const choices = deps.choices ?? NO_PREFERENCE_CHOICES;
  const notMailed = emptyDeliveryReport();
  const readers: Reader[] = [];
  for (const subscriber of subscribers) {
    const edition = readerMail(subscriber, digest, editions, { choices, siteUrl: deps.siteUrl, lang: deps.lang });
    if (edition.send) readers.push({ subscriber, edition });
    else if (!edition.failed) countSkip(notMailed, edition.reason);
    else {
      // The reader should have had a mail and could not (the week could not be read): the next run tries again.
      notMailed.failed++;
      notMailed.errors.push({ target: subscriber.id, message: `not sent: ${edition.reason}` });
    }
  }
  const context: MailContext = {
    deps,
    secret,
    endpoint: deps.endpointUrl.replace(/\/+$/, ''),
    unsubscribeMailbox: mailboxOf(deps.replyTo ?? deps.from),
    at: now(),
  };
  const report = await deliverOnce({
    store: deps.store,
    date: digest.date,
    owner: deps.owner ?? `deliver-${process.pid}-${now().toISOString()}`,
    targets: readers,
    // A weekly mail has its own claim, so a daily and a weekly mail for one person and day never collide.
    nameOf: ({ subscriber, edition }) => (edition.kind === 'weekly' ? `${subscriber.id}.weekly` : subscriber.id),
    send: async (reader) => {
      const result = await deps.mailer.send(digestMailFor(reader, { ...context, at: now() }));
      return { transport: deps.mailer.kind, messageId: result.messageId };
    },
    concurrency: deps.concurrency ?? 4,
    now,
    // Server replies often quote the recipient; the report is stored, so the address is masked.
    describeError: ({ subscriber }, err) => maskAddress(err.message, subscriber.address),
  });
  return mergeReports(report, notMailed);
}

/** Deliveries tried, and readers not mailed today (never tried, so never sent), in one report. */
function mergeReports(tried: DeliveryReport, notMailed: DeliveryReport): DeliveryReport {
  const skippedBy = { ...tried.skippedBy };
  for (const [reason, n] of Object.entries(notMailed.skippedBy ?? {})) skippedBy[reason] = (skippedBy[reason] ?? 0) + n;
  return {
    attempted: tried.attempted,
    sent: tried.sent,
    failed: tried.failed + notMailed.failed,
    skipped: tried.skipped + notMailed.skipped,
    errors: [...tried.errors, ...notMailed.errors],
    ...(Object.keys(skippedBy).length ? { skippedBy } : {}),
  };
}

/** One reader's mail: their edition, their unsubscribe and preferences links, and the list headers. */
export function digestMailFor({ subscriber, edition }: Reader, context: MailContext): MailMessage {
  const { deps } = context;
  const token = unsubscribeToken(context.secret, subscriber.id, context.at);
  const unsubscribeUrl = `${context.endpoint}/unsubscribe?token=${token}`;
  const preferencesUrl = `${context.endpoint}/preferences?token=${preferencesToken(context.secret, subscriber.id, context.at)}`;
  const links = { webUrl: edition.webUrl, unsubscribeUrl, preferencesUrl, siteUrl: deps.siteUrl };
  const mail = renderDigestEmail(edition.digest, links, { lang: deps.lang, images: deps.images });
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
    label: `${edition.digest.date}-${edition.kind === 'weekly' ? 'weekly-' : ''}${subscriber.id}`,
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
export function createDigestDeliverer(
  options: DelivererOptions,
): ((digest: Digest, editions?: DeliveryEditions) => Promise<DeliveryReport>) | undefined {
  const { config, store } = options;
  const { siteUrl, endpointUrl } = resolvePublicUrls(config);
  const secret = options.secret ?? secretLoaderFromEnv(store);
  return async (digest, editions) => {
    const mailer =
      options.mailer ??
      createMailerFromConfig(config, { store, outDir: options.outDir, sesClient: options.sesClient, outboxFolder: 'digests' });
    try {
      return await deliverDigest(
        digest,
        {
          store,
          mailer,
          secret,
          siteUrl,
          endpointUrl,
          from: config.email.from,
          replyTo: config.email.replyTo,
          lang: config.digest.lang,
          images: config.site.images.mail,
          now: options.now,
          choices: preferenceChoicesOf(config),
        },
        editions,
      );
    } finally {
      if (!options.mailer) await mailer.close?.();
    }
  };
}
