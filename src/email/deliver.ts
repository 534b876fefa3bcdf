/**
 * Mailing one published digest to every confirmed subscriber. One message per subscriber
 * (each carries its own unsubscribe link); one failure never stops the others.
 *
 * Exactly once: the mail of a subscriber for a date is claimed (a create-if-absent write under
 * state/runs/<date>/deliveries/) before it is sent and marked done after, so two runs of the same
 * day at once, or a retry overlapping the first attempt, mail nobody twice. A claim left behind by
 * a crash is tried again once its lease has run out; a failed send gives the claim back so the
 * next run tries again. A claim that cannot be read is a failure, never "not sent yet".
 */
import addressparser from 'nodemailer/lib/addressparser';
import type { DeliveryReport } from '../pipeline/publish-stage';
import { mapLimit } from '../pipeline/limit';
import type { Store } from '../store';
import { claim, completeClaim, releaseClaim } from '../store/claims';
import type { SecretLoader } from '../subscriptions/secret';
import { maskAddress } from '../subscriptions/address';
import { isMailable, listSubscribers } from '../subscriptions/subscribers';
import { unsubscribeToken } from '../subscriptions/tokens';
import { dayPageUrl } from '../subscriptions/links';
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
  /** Language of the chrome (config digest.lang). */
  lang: string;
  /** Lead images in the mail (config site.images.mail). */
  images?: boolean;
  now?: () => Date;
  /** Messages in flight at once (SES and most SMTP servers throttle beyond a few). */
  concurrency?: number;
  /** Who is delivering (the run's id): a retry of the same run may take its own claims again. */
  owner?: string;
}

/**
 * How long a claimed mail may stay unsent before another run may send it: far longer than one
 * SMTP or SES exchange, short enough that a crashed run's subscribers get the digest the same day.
 */
export const DELIVERY_LEASE_MS = 15 * 60_000;

/** Beside the day's run reports (state/runs/), which the publishing function may already write. */
export const deliveryKey = (date: string, subscriberId: string): string => `state/runs/${date}/deliveries/${subscriberId}.json`;

/** The bare address of a "Name <addr>" header value, for the mailto: unsubscribe link. */
function mailboxOf(value: string): string | undefined {
  const first = addressparser(value, { flatten: true })[0];
  return first && 'address' in first && first.address ? first.address : undefined;
}

export async function deliverDigest(digest: Digest, deps: DeliverDigestDeps): Promise<DeliveryReport> {
  const now = deps.now ?? (() => new Date());
  const report: DeliveryReport = { attempted: 0, sent: 0, failed: 0, skipped: 0, errors: [] };
  // An empty day is not worth a mail; the site still shows it.
  if (digest.stories.length === 0) return report;
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
  const webUrl = dayPageUrl(deps.siteUrl, digest.date);
  const unsubscribeMailbox = mailboxOf(deps.replyTo ?? deps.from);

  const owner = deps.owner ?? `deliver-${process.pid}-${now().toISOString()}`;

  await mapLimit(subscribers, deps.concurrency ?? 4, async (subscriber) => {
    const key = deliveryKey(digest.date, subscriber.id);
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
      report.skipped++;
      return;
    }
    report.attempted++;
    let messageId: string | undefined;
    try {
      const at = now();
      const token = unsubscribeToken(secret, subscriber.id, at);
      const unsubscribeUrl = `${endpoint}/unsubscribe?token=${token}`;
      const mail = renderDigestEmail(
        digest,
        { webUrl, unsubscribeUrl, siteUrl: deps.siteUrl },
        { lang: deps.lang, images: deps.images },
      );
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
        label: `${digest.date}-${subscriber.id}`,
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
