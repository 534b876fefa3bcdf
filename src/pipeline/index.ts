/**
 * The whole run: fetch stage then publish stage, over any Store, holding the date's run lease
 * (one run of a date at a time). The CLI calls `runDigest`; the two Lambdas call the stages separately.
 */
import type { Config } from '../config/schema';
import { createFetcher, type Fetcher } from '../http';
import { createSummarizer, type Summarizer } from '../summarize';
import type { Store } from '../store';
import { dateInZone } from './dates';
import { runFetchStage, type FetchReport } from './fetch-stage';
import { runPublishStage, type DeliveryReport, type Outage, type PublishReport } from './publish-stage';
import type { PipelineEvent } from './events';
import { withRunLease } from './run-lease';

export * from './dates';
export * from './events';
export * from './fetch-stage';
export * from './publish-stage';
export { rankStories } from './rank';
export { canonicalizeUrl, storyIdFor } from './urls';
export { mapLimit } from './limit';
export { withRunLease, runLeaseKey, RunInProgressError, RUN_LEASE_MS, defaultRunOwner } from './run-lease';

export interface RunDigestOptions {
  config: Config;
  store: Store;
  /** YYYY-MM-DD; default: today in `digest.timezone`. */
  date?: string;
  fetcher?: Fetcher;
  summarizer?: Summarizer;
  now?: () => Date;
  onEvent?: (event: PipelineEvent) => void;
  deliver?: (digest: import('../types').Digest) => Promise<DeliveryReport>;
  /** Posts the digest to the chat channels, after mail. */
  deliverChannels?: (digest: import('../types').Digest) => Promise<DeliveryReport>;
  /** Who runs, shown to a second run of the same date (default: host, pid, start time). */
  owner?: string;
}

export interface RunSummary {
  date: string;
  fetch: FetchReport;
  publish: PublishReport;
  durationMs: number;
  /** Where to open the result. */
  indexLocation: string;
  /** Every feed failed: nothing of the day was published (the CLI exits 3). */
  outage?: Outage;
  /** Failed feeds (by their configured or own name and redacted URL) and pages. */
  failures: { kind: 'feed' | 'page'; name?: string; url: string; errorClass?: string; message?: string }[];
  /** Feeds read in spite of a problem (a truncated document): their complete items were taken. */
  warnings: { kind: 'feed'; url: string; errorClass?: string; message: string }[];
}

/** The digest date for an instant in the configured zone. */
export const digestDate = (config: Config, now: Date): string => dateInZone(now, config.digest.timezone);

export async function runDigest(options: RunDigestOptions): Promise<RunSummary> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const date = options.date ?? digestDate(options.config, started);
  const fetcher = options.fetcher ?? createFetcher(options.config.network);
  const summarizer = options.summarizer ?? createSummarizer(options.config.summarizer, { network: options.config.network });
  const { fetch, publish } = await withRunLease(options.store, date, { owner: options.owner, now }, async () => {
    const fetchReport = await runFetchStage({
      config: options.config,
      store: options.store,
      fetcher,
      date,
      now,
      onEvent: options.onEvent,
    });
    const publishReport = await runPublishStage({
      config: options.config,
      store: options.store,
      summarizer,
      date,
      now,
      onEvent: options.onEvent,
      deliver: options.deliver,
      deliverChannels: options.deliverChannels,
    });
    return { fetch: fetchReport, publish: publishReport };
  });
  const failures: RunSummary['failures'] = [
    ...fetch.feeds
      .filter((f) => f.status === 'error')
      .map((f) => ({ kind: 'feed' as const, name: f.name, url: f.url, errorClass: f.errorClass, message: f.error })),
    ...fetch.pages
      .filter((p) => p.status === 'error')
      .map((p) => ({ kind: 'page' as const, url: p.url, errorClass: p.errorClass, message: p.error })),
  ];
  return {
    date,
    fetch,
    publish,
    durationMs: now().getTime() - started.getTime(),
    indexLocation: options.store.locate('site/index.html'),
    outage: publish.outage,
    failures,
    warnings: fetch.feeds
      .filter((f) => f.warning)
      .map((f) => ({ kind: 'feed' as const, url: f.url, errorClass: f.errorClass, message: f.warning! })),
  };
}
