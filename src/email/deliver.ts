/**
 * Mailing one published digest to every confirmed subscriber. One message per subscriber
 * (each carries its own unsubscribe link); one failure never stops the others; a marker per
 * subscriber and date under state/runs/<date>/deliveries/ makes a re-run of the same day mail nobody twice.
 */
import addressparser from 'nodemailer/lib/addressparser';
import type { DeliveryReport } from '../pipeline/publish-stage';
import { mapLimit } from '../pipeline/limit';
import { getJson, putJson, type Store } from '../store';
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
  /** Language of the labels (LABELS_LANG). */
  lang: string;
  now?: () => Date;
  /** Messages in flight at once (SES and most SMTP servers throttle beyond a few). */
  concurrency?: number;
}

export interface DeliveryMarker {
  sentAt: string;
  transport: string;
  messageId?: string;
}

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

  await mapLimit(subscribers, deps.concurrency ?? 4, async (subscriber) => {
    const key = deliveryKey(digest.date, subscriber.id);
    if (await getJson<DeliveryMarker>(deps.store, key).catch(() => undefined)) {
      report.skipped++;
      return;
    }
    report.attempted++;
    try {
      const at = now();
      const token = unsubscribeToken(secret, subscriber.id, at);
      const unsubscribeUrl = `${endpoint}/unsubscribe?token=${token}`;
      const mail = renderDigestEmail(digest, { webUrl, unsubscribeUrl, siteUrl: deps.siteUrl }, { lang: deps.lang });
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
      const marker: DeliveryMarker = { sentAt: at.toISOString(), transport: deps.mailer.kind, messageId: result.messageId };
      await putJson(deps.store, key, marker);
      report.sent++;
    } catch (err) {
      report.failed++;
      // Server replies often quote the recipient; the report is stored, so the address is masked.
      const message = maskAddress((err as Error).message, subscriber.address);
      report.errors.push({ subscriber: subscriber.id, message });
    }
  });
  return report;
}
