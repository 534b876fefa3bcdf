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
}

export const emptyDeliveryReport = (): DeliveryReport => ({ attempted: 0, sent: 0, failed: 0, skipped: 0, errors: [] });
