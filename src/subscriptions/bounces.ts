/**
 * SES bounce and complaint events (configuration-set event destination → SNS → the subscribe
 * function): a permanent bounce or a complaint ends the subscription, so the digest stops
 * mailing an address that cannot or does not want to receive it. SES's own suppression list
 * already stops delivery; this keeps the subscriber records honest and drops the address.
 */
import type { Store } from '../store';
import { normalizeAddress } from './address';
import { readSubscriber, unsubscribedRecord, writeSubscriber } from './subscribers';
import { subscriberIdFor } from './tokens';

interface SesRecipient {
  emailAddress?: string;
}

/** The fields read from an SES event ("eventType") or notification ("notificationType"). */
export interface SesMailEvent {
  eventType?: string;
  notificationType?: string;
  bounce?: { bounceType?: string; bouncedRecipients?: SesRecipient[] };
  complaint?: { complainedRecipients?: SesRecipient[] };
}

export interface BounceOutcome {
  /** Subscriber ids whose subscription ended. */
  removed: string[];
  /** Recipients ignored (transient bounce, unknown or already unsubscribed). */
  ignored: number;
}

export async function applySesEvent(
  store: Store,
  secret: Buffer,
  event: SesMailEvent,
  now: Date,
  log: (event: { event: string; [key: string]: unknown }) => void = () => undefined,
): Promise<BounceOutcome> {
  const type = event.eventType ?? event.notificationType;
  let reason: 'bounce' | 'complaint' | undefined;
  let recipients: SesRecipient[] = [];
  if (type === 'Bounce' && event.bounce?.bounceType === 'Permanent') {
    reason = 'bounce';
    recipients = event.bounce.bouncedRecipients ?? [];
  } else if (type === 'Complaint') {
    reason = 'complaint';
    recipients = event.complaint?.complainedRecipients ?? [];
  }
  const outcome: BounceOutcome = { removed: [], ignored: 0 };
  if (!reason) {
    outcome.ignored = (event.bounce?.bouncedRecipients ?? []).length;
    return outcome;
  }
  for (const recipient of recipients) {
    // SES may report "Name <addr>"; keep the address part. A recipient without one is refused below as missing.
    const raw = recipient.emailAddress?.replace(/^.*<([^>]+)>\s*$/, '$1');
    const checked = normalizeAddress(raw);
    if (!checked.ok) {
      outcome.ignored++;
      continue;
    }
    const id = subscriberIdFor(secret, checked.address);
    const record = await readSubscriber(store, id);
    if (!record || record.status === 'unsubscribed') {
      outcome.ignored++;
      continue;
    }
    await writeSubscriber(store, unsubscribedRecord(record, now, reason));
    outcome.removed.push(id);
    log({ event: `unsubscribed-by-${reason}`, subscriber: id });
  }
  return outcome;
}
