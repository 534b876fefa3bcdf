/**
 * Stage 2 (the summarize Lambda, or the second half of `rss-digest run`): summarize the day's
 * article records, rank them into the digest, publish the site, then (when a deliverer is given)
 * mail subscribers. Re-running a day rebuilds the same digest from the same records.
 *
 * An outage is not a quiet day: when every feed failed, nothing of the day is published (no empty
 * edition in the archive or the Atom/JSON feeds, no mail); the front page keeps the last good
 * edition with a notice, and the report says `outage` so the CLI exits non-zero and the deployed
 * run fails. A record or report that cannot be read fails the stage rather than being skipped.
 */
import type { Config } from '../config/schema';
import { meteredSummarizer, type Summarizer, type SummaryUsage } from '../summarize';
import { redactText, redactUrl } from '../http/redact';
import { publishDigest, publishOutageNotice } from '../render';
import { resolvePublicUrls } from '../subscriptions/links';
import { subscribeChoicesOf } from '../subscriptions/preference-choices';
import { getJson, putJson, type Store } from '../store';
import type { ArticleRecord, Digest, DigestFeedStatus, DigestStory } from '../types';
import type { FetchReport } from './fetch-stage';
import { articlesPrefix, fetchReportKey } from './keys';
import { mapLimit } from './limit';
import { rankStories } from './rank';
import { buildStories, rememberStories, type StoriesReport } from './stories';
import type { PipelineEvent } from './events';
import { publishWeekly } from './weekly-stage';
import type { DeliveryEditions, DeliveryReport } from '../delivery/report';

export type { StoredSummary } from './stories';

export type { DeliveryEditions, DeliveryReport } from '../delivery/report';

export interface PublishStageDeps {
  config: Config;
  store: Store;
  summarizer: Summarizer;
  /** Name of the summarizer configuration, so a config change re-summarizes. */
  summarizerId?: string;
  date: string;
  now?: () => Date;
  onEvent?: (event: PipelineEvent) => void;
  /** Called after the site is published (issue 8: mail the digest to subscribers). */
  deliver?: (digest: Digest, editions?: DeliveryEditions) => Promise<DeliveryReport>;
  /** Called after mail: post the digest to the chat channels (src/delivery/channels.ts). */
  deliverChannels?: (digest: Digest) => Promise<DeliveryReport>;
}

/** Every feed failed: the day was not published. */
export interface Outage {
  /** When the feeds were tried (the fetch report's start). */
  at: string;
  feedsFailed: number;
  /** Date of the edition the front page keeps showing, if there is one. */
  showing?: string;
}

export interface PublishReport {
  date: string;
  /** The day's digest; when `outage` is set it was not published (and has no stories). */
  digest: Digest;
  outage?: Outage;
  keys: string[];
  summaries: { extractive: number; bedrock: number; openai: number; feed: number; failed: number };
  tokens: { input: number; output: number };
  /** LLM requests, tokens, cache hits, fallbacks by reason and cost (absent for the extractive summarizer). */
  usage?: SummaryUsage;
  /** Clustering: articles, stories, updates of earlier stories, clusters folded into one, memory read errors. */
  stories: Omit<StoriesReport, 'summaries' | 'tokens'>;
  delivery?: DeliveryReport;
  /** The ISO week's edition: its week and stories, or why it was not published. */
  weekly?: { week?: string; stories?: number; error?: string };
  /** Chat channels: posted, failed (retried by the next run of the day), already posted. */
  channels?: DeliveryReport;
  durationMs: number;
}

export { summaryKey } from './stories';

export async function runPublishStage(deps: PublishStageDeps): Promise<PublishReport> {
  const { config, store, date } = deps;
  const now = deps.now ?? (() => new Date());
  const emit = deps.onEvent ?? (() => undefined);
  const t0 = now();
  const summarizerId = deps.summarizerId ?? JSON.stringify(config.summarizer);

  const keys = (await store.list(articlesPrefix(date))).filter((k) => k.endsWith('.json') && !k.endsWith('.summary.json'));
  const fetchReport = await getJson<FetchReport>(store, fetchReportKey(date));
  const feeds = feedStatuses(fetchReport);
  if (isOutage(feeds)) return publishOutage(deps, { t0, feeds, fetchReport: fetchReport!, emit });

  const records = (await mapLimit(keys, 16, (k) => getJson<ArticleRecord>(store, k))).filter((r): r is ArticleRecord => !!r);

  // The cache, the per-run budgets and the accounting wrap whatever summarizer was given.
  const { summarizer, account } = meteredSummarizer(deps.summarizer, config.summarizer, store);
  const {
    stories,
    memory,
    report: storiesReport,
  } = await buildStories({
    records,
    config,
    store,
    summarizer,
    summarizerId,
    date,
    emit,
    onSummary: (result, id) => account?.record(result, id),
    // Rank first, summarize only what the digest shows.
    limit: config.digest.maxStories,
    now: t0,
  });
  const counts = storiesReport.summaries;

  const priorities = new Map(config.feeds.map((f) => [f.url, f.priority]));
  const ranked = rankStories(stories, { now: t0, priorities, maxStories: config.digest.maxStories }).map(publicStory);

  // Fetch reports name feeds by their redacted URLs, as the stories now do.
  const inDigest = new Map<string, number>();
  for (const s of ranked) for (const src of s.sources) inDigest.set(src.feedUrl, (inDigest.get(src.feedUrl) ?? 0) + 1);
  for (const f of feeds) f.itemsInDigest = inDigest.get(f.url) ?? 0;

  const digest = buildDigest(config, date, t0, ranked, feeds);

  emit({ type: 'stage', stage: 'publish', total: 1 });
  // Without site.url the site is local: links and the subscribe form point at `rss-digest serve`.
  const urls = resolvePublicUrls(config);
  const site = {
    siteUrl: urls.siteUrl,
    subscribeEndpoint: urls.endpointUrl,
    subscribeChoices: subscribeChoicesOf(config),
    lang: config.digest.lang,
    images: config.site.images.page,
  };
  // The week first, so that the archive published next links it.
  const weekly = await publishWeekly(store, digest, { ...site, maxStories: config.digest.maxStories });
  const published = [...weekly.keys, ...(await publishDigest(store, digest, site))];
  await rememberStories(store, memory, ranked);
  emit({ type: 'published', keys: published });

  let delivery: DeliveryReport | undefined;
  if (deps.deliver) {
    emit({ type: 'stage', stage: 'mail', total: 1 });
    delivery = await deps.deliver(digest, { weekly: weekly.mail });
  }
  let channels: DeliveryReport | undefined;
  if (deps.deliverChannels) {
    emit({ type: 'stage', stage: 'channels', total: 1 });
    channels = await deps.deliverChannels(digest);
  }

  const finished = now();
  const report: PublishReport = {
    date,
    digest,
    keys: published,
    summaries: counts,
    tokens: account ? { input: account.inputTokens, output: account.outputTokens } : storiesReport.tokens,
    ...(account ? { usage: account.usage() } : {}),
    stories: (({ summaries: _s, tokens: _t, ...rest }) => rest)(storiesReport),
    delivery,
    weekly: weekly.error ? { error: weekly.error } : { week: weekly.site?.week, stories: weekly.site?.stories.length },
    ...(channels ? { channels } : {}),
    durationMs: finished.getTime() - t0.getTime(),
  };
  await savePublishReport(store, report, t0);
  return report;
}

async function savePublishReport(store: Store, report: PublishReport, t0: Date): Promise<void> {
  const { digest: _omit, ...persisted } = report;
  await putJson(store, `state/runs/${report.date}/publish-${t0.toISOString().replace(/[:.]/g, '-')}.json`, persisted);
}

function buildDigest(config: Config, date: string, t0: Date, stories: DigestStory[], feeds: DigestFeedStatus[]): Digest {
  return {
    version: 1,
    title: config.digest.title,
    date,
    timezone: config.digest.timezone,
    generatedAt: t0.toISOString(),
    stories,
    feeds,
    stats: {
      feedsOk: feeds.filter((f) => f.status === 'ok').length,
      feedsFailed: feeds.filter((f) => f.status === 'error').length,
      feedsNotModified: feeds.filter((f) => f.status === 'not-modified').length,
      ...(feeds.some((f) => f.status === 'deferred')
        ? { feedsDeferred: feeds.filter((f) => f.status === 'deferred').length }
        : {}),
      articlesExtracted: stories.filter((s) => s.contentSource === 'page').length,
      articlesFromFeed: stories.filter((s) => s.contentSource === 'feed').length,
      stories: stories.length,
    },
  };
}

/** The story as the public sees it: its link and its sources' feed URLs redacted. */
function publicStory(story: DigestStory): DigestStory {
  return {
    ...story,
    url: redactUrl(story.url),
    ...(story.leadImage ? { leadImage: redactUrl(story.leadImage) } : {}),
    sources: story.sources.map((s) => ({ ...s, feedUrl: redactUrl(s.feedUrl), ...(s.url ? { url: redactUrl(s.url) } : {}) })),
  };
}

/** The day's feed statuses from its fetch report (already redacted there; redacted again for reports of older versions). */
function feedStatuses(fetchReport: FetchReport | undefined): DigestFeedStatus[] {
  return (fetchReport?.feeds ?? []).map((f) => ({
    url: redactUrl(f.url),
    name: f.name,
    status: f.status,
    httpStatus: f.httpStatus,
    error: f.status === 'error' && f.error ? redactText(f.error) : undefined,
    errorClass: f.errorClass,
    ...(f.warning ? { warning: f.warning } : {}),
    itemsTotal: f.itemsTotal,
    itemsNew: f.itemsNew,
    itemsInDigest: 0,
    ...(f.itemsFiltered ? { itemsFiltered: f.itemsFiltered } : {}),
    ...(f.itemsWithoutLink ? { itemsWithoutLink: f.itemsWithoutLink } : {}),
  }));
}

/** Every feed of the day failed (feeds that answered 304 were reached: a quiet day is not an outage). */
const isOutage = (feeds: DigestFeedStatus[]): boolean => feeds.length > 0 && feeds.every((f) => f.status === 'error');

/**
 * Nothing of the day is published: the front page keeps the last good edition under a notice, the
 * archive and the Atom/JSON feeds are left as they are, and nobody is mailed.
 */
async function publishOutage(
  deps: PublishStageDeps,
  run: { t0: Date; feeds: DigestFeedStatus[]; fetchReport: FetchReport; emit: (event: PipelineEvent) => void },
): Promise<PublishReport> {
  const { config, store, date } = deps;
  const now = deps.now ?? (() => new Date());
  run.emit({ type: 'stage', stage: 'publish', total: 1 });
  const urls = resolvePublicUrls(config);
  const notice = await publishOutageNotice(store, {
    date,
    at: run.fetchReport.startedAt,
    timezone: config.digest.timezone,
    title: config.digest.title,
    siteUrl: urls.siteUrl,
    subscribeEndpoint: urls.endpointUrl,
    lang: config.digest.lang,
    images: config.site.images.page,
  });
  run.emit({ type: 'published', keys: notice.keys });
  const report: PublishReport = {
    date,
    digest: buildDigest(config, date, run.t0, [], run.feeds),
    outage: { at: run.fetchReport.startedAt, feedsFailed: run.feeds.length, showing: notice.showing },
    keys: notice.keys,
    summaries: { extractive: 0, bedrock: 0, openai: 0, feed: 0, failed: 0 },
    tokens: { input: 0, output: 0 },
    stories: { articles: 0, clusters: 0, updates: 0, folded: 0, memoryErrors: [] },
    durationMs: now().getTime() - run.t0.getTime(),
  };
  await savePublishReport(store, report, run.t0);
  return report;
}
