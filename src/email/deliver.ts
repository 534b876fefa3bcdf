/**
 * Mailing one published digest to every confirmed subscriber, as each chose (`readerMail`: the
 * day, or on a weekly reader's weekday the week; only their topics, at most their number of
 * stories; nothing when no story is left for them). One message per subscriber (each carries its
 * own unsubscribe and preferences links); one failure never stops the others.
 *
 * Exactly once: the mail of a subscriber for a date is claimed (a create-if-absent write under
 * state/runs/<date>/deliveries/; a weekly mail under its own key) before it is sent and marked done after, so two runs of the same
 * day at once, or a retry overlapping the first attempt, mail nobody twice. A claim left behind by
 * a crash is tried again once its lease has run out; a failed send gives the claim back so the
 * next run tries again. A claim that cannot be read is a failure, never "not sent yet".
 */
import addressparser from 'nodemailer/lib/addressparser';
import type { DeliveryEditions, DeliveryReport } from '../pipeline/publish-stage';
import { mapLimit } from '../pipeline/limit';
import type { Store } from '../store';
import { claim, completeClaim, releaseClaim } from '../store/claims';
import type { SecretLoader } from '../subscriptions/secret';
import { maskAddress } from '../subscriptions/address';
import { isMailable, listSubscribers } from '../subscriptions/subscribers';
import { preferencesToken, unsubscribeToken } from '../subscriptions/tokens';
import { NO_PREFERENCE_CHOICES, type EditionKind, type PreferenceChoices } from '../subscriptions/preferences';
import { readerMail } from '../subscriptions/reader-edition';
import type { Digest } from '../types';
import { renderDigestEmail } from './digest-email';
import type { Mailer } from './mailers';

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
  /** The topics readers may pick and the digest's size (config); default: no topics, 100 stories. */
  choices?: PreferenceChoices;
}

/**
 * How long a claimed mail may stay unsent before another run may send it: far longer than one
 * SMTP or SES exchange, short enough that a crashed run's subscribers get the digest the same day.
 */
export const DELIVERY_LEASE_MS = 15 * 60_000;

/**
 * Beside the day's run reports (state/runs/), which the publishing function may already write. A
 * weekly mail has its own claim (`<id>.weekly.json`), so it never collides with a daily one.
 */
export const deliveryKey = (date: string, subscriberId: string, kind: EditionKind = 'daily'): string =>
  `state/runs/${date}/deliveries/${subscriberId}${kind === 'weekly' ? '.weekly' : ''}.json`;

/** The bare address of a "Name <addr>" header value, for the mailto: unsubscribe link. */
function mailboxOf(value: string): string | undefined {
  const first = addressparser(value, { flatten: true })[0];
  return first && 'address' in first && first.address ? first.address : undefined;
}

export async function deliverDigest(
  digest: Digest,
  deps: DeliverDigestDeps,
  editions: DeliveryEditions = {},
): Promise<DeliveryReport> {
  const now = deps.now ?? (() => new Date());
  const report: DeliveryReport = { attempted: 0, sent: 0, failed: 0, skipped: 0, errors: [] };
  const skip = (reason: string): void => {
    report.skipped++;
    report.skippedBy = { ...report.skippedBy, [reason]: (report.skippedBy?.[reason] ?? 0) + 1 };
  };
  // An empty day is not worth a mail (the site still shows it), unless weekly readers have a week to read.
  if (digest.stories.length === 0 && !editions.weekly?.stories.length) return report;
  let subscribers;
  let secret: Buffer;
  try {
    subscribers = (await listSubscribers(deps.store)).filter(isMailable);
    if (subscribers.length === 0) return report;
    secret = await deps.secret();
  } catch (err) {
    // Mail is the last step of a published run: report the failure, never fail the run over it.
    report.failed++;
    report.errors.push({ subscriber: '*', message: `cannot read subscribers or the token secret: ${(err as Error).message}` });
    return report;
  }
  const endpoint = deps.endpointUrl.replace(/\/+$/, '');
  const choices = deps.choices ?? NO_PREFERENCE_CHOICES;
  const unsubscribeMailbox = mailboxOf(deps.replyTo ?? deps.from);

  const owner = deps.owner ?? `deliver-${process.pid}-${now().toISOString()}`;

  await mapLimit(subscribers, deps.concurrency ?? 4, async (subscriber) => {
    // What this reader gets today: their frequency, topics and number of stories.
    const edition = readerMail(subscriber, digest, editions, { choices, siteUrl: deps.siteUrl });
    if (!edition.send) {
      if (!edition.failed) return skip(edition.reason);
      report.failed++;
      report.errors.push({ subscriber: subscriber.id, message: `not sent: ${edition.reason}` });
      return;
    }
    const key = deliveryKey(digest.date, subscriber.id, edition.kind);
    let claimed;
    try {
      claimed = await claim(deps.store, key, { owner, now: now(), leaseMs: DELIVERY_LEASE_MS });
    } catch (err) {
      report.failed++;
      report.errors.push({
        subscriber: subscriber.id,
        message: `not sent: cannot claim the delivery: ${(err as Error).message}`,
      });
      return;
    }
    if (!claimed.won) {
      // Sent already, or being sent by another run right now.
      return skip('sent-already');
    }
    report.attempted++;
    let messageId: string | undefined;
    try {
      const at = now();
      const token = unsubscribeToken(secret, subscriber.id, at);
      const unsubscribeUrl = `${endpoint}/unsubscribe?token=${token}`;
      const preferencesUrl = `${endpoint}/preferences?token=${preferencesToken(secret, subscriber.id, at)}`;
      const links = { webUrl: edition.webUrl, unsubscribeUrl, preferencesUrl, siteUrl: deps.siteUrl };
      const mail = renderDigestEmail(edition.digest, links, { lang: deps.lang });
      const listUnsubscribe = [
        unsubscribeMailbox ? `<mailto:${unsubscribeMailbox}?subject=unsubscribe&body=${token}>` : undefined,
        `<${unsubscribeUrl}>`,
      ].filter(Boolean);
      const result = await deps.mailer.send({
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
        label: `${digest.date}-${edition.kind === 'weekly' ? 'weekly-' : ''}${subscriber.id}`,
      });
      messageId = result.messageId;
    } catch (err) {
      report.failed++;
      // Server replies often quote the recipient; the report is stored, so the address is masked.
      const message = maskAddress((err as Error).message, subscriber.address);
      report.errors.push({ subscriber: subscriber.id, message });
      // Not sent: the next run may try again (or, if the claim cannot be given back, once its lease ends).
      await releaseClaim(deps.store, key, owner, now()).catch((releaseErr: Error) =>
        report.errors.push({ subscriber: subscriber.id, message: `claim kept until its lease ends: ${releaseErr.message}` }),
      );
      return;
    }
    report.sent++;
    const marked = await completeClaim(deps.store, key, claimed, now(), { transport: deps.mailer.kind, messageId }).catch(
      (err: Error) => err,
    );
    if (marked !== true) {
      // Sent, but the claim could not be marked done: it stays held, so no run sends again before its lease ends.
      report.errors.push({
        subscriber: subscriber.id,
        message: `sent, but the delivery could not be recorded: ${marked === false ? 'claim taken over' : marked.message}`,
      });
    }
  });
  return report;
}
