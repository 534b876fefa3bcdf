/**
 * The whole run: fetch stage then publish stage, over any Store. The CLI calls `runDigest`;
 * the two Lambdas call the stages separately.
 */
import type { Config } from '../config/schema';
import { createFetcher, type Fetcher } from '../http';
import { createSummarizer, type Summarizer } from '../summarize';
import type { Store } from '../store';
import { dateInZone } from './dates';
import { runFetchStage, type FetchReport } from './fetch-stage';
import { runPublishStage, type DeliveryReport, type PublishReport } from './publish-stage';
import type { PipelineEvent } from './events';

export * from './dates';
export * from './events';
export * from './fetch-stage';
export * from './publish-stage';
export { rankStories } from './rank';
export { canonicalizeUrl, storyIdFor } from './urls';
export { mapLimit } from './limit';

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
}

export interface RunSummary {
  date: string;
  fetch: FetchReport;
  publish: PublishReport;
  durationMs: number;
  /** Where to open the result. */
  indexLocation: string;
  failures: { kind: 'feed' | 'page'; url: string; errorClass?: string; message?: string }[];
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
  const fetch = await runFetchStage({
    config: options.config,
    store: options.store,
    fetcher,
    date,
    now,
    onEvent: options.onEvent,
  });
  const publish = await runPublishStage({
    config: options.config,
    store: options.store,
    summarizer,
    date,
    now,
    onEvent: options.onEvent,
    deliver: options.deliver,
  });
  const failures: RunSummary['failures'] = [
    ...fetch.feeds
      .filter((f) => f.status === 'error')
      .map((f) => ({ kind: 'feed' as const, url: f.url, errorClass: f.errorClass, message: f.error })),
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
    failures,
    warnings: fetch.feeds
      .filter((f) => f.warning)
      .map((f) => ({ kind: 'feed' as const, url: f.url, errorClass: f.errorClass, message: f.warning! })),
  };
}
