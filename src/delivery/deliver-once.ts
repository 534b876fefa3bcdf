/**
 * Exactly-once delivery of one day's digest to many targets (mail subscribers, chat channels).
 *
 * Each target's delivery for a date is claimed (a create-if-absent write under
 * state/runs/<date>/deliveries/) before it is sent and marked done after, so two runs of the same
 * day at once, or a retry overlapping the first attempt, deliver nothing twice. A claim left
 * behind by a crash is tried again once its lease has run out; a failed send gives the claim back
 * so the next run tries again. A claim that cannot be read is a failure, never "not sent yet".
 * One failure never stops the others: each is counted and reported.
 */
import { mapLimit } from '../concurrency';
import type { Store } from '../store';
import { claim, completeClaim, releaseClaim } from '../store/claims';
import { countSkip, emptyDeliveryReport, type DeliveryReport } from './report';

/**
 * How long a claimed delivery may stay unsent before another run may send it: far longer than one
 * SMTP, SES or webhook exchange, short enough that a crashed run's readers get the digest the same day.
 */
export const DELIVERY_LEASE_MS = 15 * 60_000;

/**
 * Beside the day's run reports (state/runs/), which the publishing function may already write.
 * `name` is a subscriber id (the key running deployments already hold) or `channel-<id>`.
 */
export const deliveryKey = (date: string, name: string): string => `state/runs/${date}/deliveries/${name}.json`;

export interface DeliverOnceOptions<T> {
  store: Store;
  /** The digest's date: one delivery per target per date. */
  date: string;
  /** Who is delivering (the run's id): a retry of the same run may take its own claims again. */
  owner: string;
  targets: readonly T[];
  /** The target's claim name under state/runs/<date>/deliveries/, also its name in the report. */
  nameOf: (target: T) => string;
  /** Delivers to one target; throws when it did not. What it returns is kept in the done claim. */
  send: (target: T) => Promise<Record<string, unknown> | undefined>;
  /** Deliveries in flight at once. */
  concurrency: number;
  now: () => Date;
  /** The report keeps failures: this says one without anything private (an address, a secret). */
  describeError?: (target: T, err: Error) => string;
}

export async function deliverOnce<T>(options: DeliverOnceOptions<T>): Promise<DeliveryReport> {
  const { store, owner, now } = options;
  const report = emptyDeliveryReport();
  const describe = options.describeError ?? ((_target: T, err: Error) => err.message);

  await mapLimit(options.targets, options.concurrency, async (target) => {
    const name = options.nameOf(target);
    const key = deliveryKey(options.date, name);
    let claimed;
    try {
      claimed = await claim(store, key, { owner, now: now(), leaseMs: DELIVERY_LEASE_MS });
    } catch (err) {
      report.failed++;
      report.errors.push({ target: name, message: `not sent: cannot claim the delivery: ${describe(target, err as Error)}` });
      return;
    }
    if (!claimed.won) {
      // Sent already, or being sent by another run right now.
      countSkip(report, 'sent-already');
      return;
    }
    report.attempted++;
    let result: Record<string, unknown> | undefined;
    try {
      result = await options.send(target);
    } catch (err) {
      report.failed++;
      report.errors.push({ target: name, message: describe(target, err as Error) });
      // Not sent: the next run may try again (or, if the claim cannot be given back, once its lease ends).
      await releaseClaim(store, key, owner, now()).catch((releaseErr: Error) =>
        report.errors.push({ target: name, message: `claim kept until its lease ends: ${releaseErr.message}` }),
      );
      return;
    }
    report.sent++;
    const marked = await completeClaim(store, key, claimed, now(), result).catch((err: Error) => err);
    if (marked !== true) {
      // Sent, but the claim could not be marked done: it stays held, so no run sends again before its lease ends.
      report.errors.push({
        target: name,
        message: `sent, but the delivery could not be recorded: ${marked === false ? 'claim taken over' : marked.message}`,
      });
    }
  });
  return report;
}
