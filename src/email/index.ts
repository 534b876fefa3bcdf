/**
 * Mailing the digest to confirmed subscribers. (Placeholder; issue 8 builds subscriptions,
 * the digest email and the outbox / SMTP / SES mailers.)
 */
import type { Config } from '../config/schema';
import type { DeliveryReport } from '../pipeline/publish-stage';
import type { Store } from '../store';
import type { Digest } from '../types';

export interface DelivererOptions {
  config: Config;
  store: Store;
  /** Local runs: the output folder (the outbox lives beside the site). */
  outDir?: string;
}

/** A function that mails a published digest to every confirmed subscriber, or undefined when nobody can be mailed. */
export function createDigestDeliverer(_options: DelivererOptions): ((digest: Digest) => Promise<DeliveryReport>) | undefined {
  return undefined;
}
