import type { WeeklyEdition } from '../types';

/** What one delivery (the day's mail, the day's chat posts) did, as the run report and the CLI show it. */
export interface DeliveryReport {
  /** Targets this run claimed and tried. */
  attempted: number;
  sent: number;
  failed: number;
  /** Sent already (by an earlier run of the day), or being sent by another run right now. */
  skipped: number;
  /** One entry per failure: `target` is a subscriber id, a channel's claim name, or `*` for the whole delivery. */
  errors: { target: string; message: string }[];
  /** Targets not delivered to today, by reason (a weekly reader on another weekday, no story in their topics, sent already). */
  skippedBy?: Record<string, number>;
}

/** Editions beside the day's digest that a deliverer may mail (a weekly reader's week). */
export interface DeliveryEditions {
  /** The 7 days ending on the digest's date; absent when it could not be built (weekly readers then fail, and are retried). */
  weekly?: WeeklyEdition;
}

/** Counts one target skipped for `reason`. */
export function countSkip(report: DeliveryReport, reason: string): void {
  report.skipped++;
  report.skippedBy = { ...report.skippedBy, [reason]: (report.skippedBy?.[reason] ?? 0) + 1 };
}

export const emptyDeliveryReport = (): DeliveryReport => ({ attempted: 0, sent: 0, failed: 0, skipped: 0, errors: [] });
