/**
 * Stage 2 (the summarize Lambda, or the second half of `rss-digest run`): summarize the day's
 * article records, rank them into the digest, publish the site, then (when a deliverer is given)
 * mail subscribers. Re-running a day rebuilds the same digest from the same records.
 */
import type { Config } from '../config/schema';
import type { Summarizer } from '../summarize';
import { publishDigest } from '../render';
import { resolvePublicUrls } from '../subscriptions/links';
import { getJson, putJson, type Store } from '../store';
import type { ArticleRecord, Digest, DigestFeedStatus, DigestStory } from '../types';
import type { FetchReport } from './fetch-stage';
import { articlesPrefix, fetchReportKey } from './keys';
import { mapLimit } from './limit';
import { rankStories } from './rank';
import type { PipelineEvent } from './events';

/** Summary cached beside an article record so re-runs (and Bedrock) do not summarize twice. */
export interface StoredSummary {
  sentences: string[];
  kind: 'extractive' | 'bedrock' | 'feed';
  maxSentences: number;
  summarizer: string;
}

export interface DeliveryReport {
  attempted: number;
  sent: number;
  failed: number;
  skipped: number;
  errors: { subscriber: string; message: string }[];
}

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
  deliver?: (digest: Digest) => Promise<DeliveryReport>;
}

export interface PublishReport {
  date: string;
  digest: Digest;
  keys: string[];
  summaries: { extractive: number; bedrock: number; feed: number; failed: number };
  tokens: { input: number; output: number };
  delivery?: DeliveryReport;
  durationMs: number;
}

export const summaryKey = (record: ArticleRecord, date: string): string => `${articlesPrefix(date)}/${record.id}.summary.json`;

export async function runPublishStage(deps: PublishStageDeps): Promise<PublishReport> {
  const { config, store, summarizer, date } = deps;
  const now = deps.now ?? (() => new Date());
  const emit = deps.onEvent ?? (() => undefined);
  const t0 = now();
  const summarizerId = deps.summarizerId ?? JSON.stringify(config.summarizer);

  const keys = (await store.list(articlesPrefix(date))).filter((k) => k.endsWith('.json') && !k.endsWith('.summary.json'));
  const records = (
    await mapLimit(keys, 16, async (k) => {
      try {
        return await getJson<ArticleRecord>(store, k);
      } catch {
        return undefined;
      }
    })
  ).filter((r): r is ArticleRecord => !!r);

  emit({ type: 'stage', stage: 'summaries', total: records.length });
  const counts = { extractive: 0, bedrock: 0, feed: 0, failed: 0 };
  const tokens = { input: 0, output: 0 };
  const maxSentences = config.digest.summarySentences;
  const stories = await mapLimit(records, 4, async (record): Promise<DigestStory> => {
    const key = summaryKey(record, date);
    let summary = await getJson<StoredSummary>(store, key).catch(() => undefined);
    if (!summary || summary.maxSentences !== maxSentences || summary.summarizer !== summarizerId) {
      try {
        const result = await summarizer.summarizeArticle({
          title: record.title,
          text: record.text,
          lang: record.lang,
          maxSentences,
        });
        tokens.input += result.tokens?.input ?? 0;
        tokens.output += result.tokens?.output ?? 0;
        summary = {
          sentences: result.sentences,
          kind: record.contentSource === 'feed' && result.kind === 'extractive' ? 'feed' : result.kind,
          maxSentences,
          summarizer: summarizerId,
        };
        await putJson(store, key, summary);
      } catch {
        counts.failed++;
        summary = { sentences: [], kind: 'feed', maxSentences, summarizer: summarizerId };
      }
    }
    counts[summary.kind]++;
    emit({ type: 'summary', id: record.id, kind: summary.kind });
    const primary = record.sources[0];
    return {
      id: record.id,
      title: record.title,
      url: record.url,
      source: primary?.name ?? '',
      sources: record.sources.map((s) => ({ name: s.name, feedUrl: s.feedUrl })),
      category: primary?.category,
      lang: record.lang,
      dir: record.dir,
      publishedAt: record.publishedAt,
      summary: summary.sentences,
      summaryKind: summary.kind,
      contentSource: record.contentSource,
      readingMinutes: record.readingMinutes,
      wordCount: record.wordCount,
      byline: record.byline,
      ...(record.authors ? { authors: record.authors } : {}),
      leadImage: record.leadImage,
    };
  });

  const priorities = new Map(config.feeds.map((f) => [f.url, f.priority]));
  const ranked = rankStories(stories, { now: t0, priorities, maxStories: config.digest.maxStories });

  const fetchReport = await getJson<FetchReport>(store, fetchReportKey(date)).catch(() => undefined);
  const inDigest = new Map<string, number>();
  for (const s of ranked) for (const src of s.sources) inDigest.set(src.feedUrl, (inDigest.get(src.feedUrl) ?? 0) + 1);
  const feeds: DigestFeedStatus[] = (fetchReport?.feeds ?? []).map((f) => ({
    url: f.url,
    name: f.name,
    status: f.status,
    httpStatus: f.httpStatus,
    error: f.status === 'error' ? f.error : undefined,
    errorClass: f.errorClass,
    ...(f.warning ? { warning: f.warning } : {}),
    itemsTotal: f.itemsTotal,
    itemsNew: f.itemsNew,
    itemsInDigest: inDigest.get(f.url) ?? 0,
    ...(f.itemsFiltered ? { itemsFiltered: f.itemsFiltered } : {}),
    ...(f.itemsWithoutLink ? { itemsWithoutLink: f.itemsWithoutLink } : {}),
  }));

  const digest: Digest = {
    version: 1,
    title: config.digest.title,
    date,
    timezone: config.digest.timezone,
    generatedAt: t0.toISOString(),
    stories: ranked,
    feeds,
    stats: {
      feedsOk: feeds.filter((f) => f.status === 'ok').length,
      feedsFailed: feeds.filter((f) => f.status === 'error').length,
      feedsNotModified: feeds.filter((f) => f.status === 'not-modified').length,
      articlesExtracted: ranked.filter((s) => s.contentSource === 'page').length,
      articlesFromFeed: ranked.filter((s) => s.contentSource === 'feed').length,
      stories: ranked.length,
    },
  };

  emit({ type: 'stage', stage: 'publish', total: 1 });
  // Without site.url the site is local: links and the subscribe form point at `rss-digest serve`.
  const urls = resolvePublicUrls(config);
  const published = await publishDigest(store, digest, { siteUrl: urls.siteUrl, subscribeEndpoint: urls.endpointUrl });
  emit({ type: 'published', keys: published });

  let delivery: DeliveryReport | undefined;
  if (deps.deliver) {
    emit({ type: 'stage', stage: 'mail', total: 1 });
    delivery = await deps.deliver(digest);
  }

  const finished = now();
  const report: PublishReport = {
    date,
    digest,
    keys: published,
    summaries: counts,
    tokens,
    delivery,
    durationMs: finished.getTime() - t0.getTime(),
  };
  const { digest: _omit, ...persisted } = report;
  await putJson(store, `state/runs/${date}/publish-${t0.toISOString().replace(/[:.]/g, '-')}.json`, persisted);
  return report;
}
