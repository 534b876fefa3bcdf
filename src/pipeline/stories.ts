/**
 * From the day's article records to digest stories: one story per event. The records are clustered
 * (`clusterArticles`), each cluster is told by its best source's headline with a summary drawn across
 * its articles and every source listed, and a cluster that continues a story published in the last
 * `digest.cluster.memoryDays` days becomes an update of it, or is folded into it (see README,
 * "Stories across days").
 */
import type { Config } from '../config/schema';
import { CLUSTER_WEIGHTS, clusterArticles, type ArticleToCluster } from '../cluster';
import {
  fingerprintOf,
  matchEarlierStory,
  storyVectors,
  UPDATE_MIN_NEW_SHARE,
  type StoryFingerprint,
} from '../cluster/fingerprint';
import { articleTerms } from '../cluster/terms';
import { getJson, putJson, type Store } from '../store';
import type { ArticleToSummarize, Summarizer, SummaryResult } from '../summarize';
import type { ArticleRecord, DigestStory, DigestStorySource } from '../types';
import type { PipelineEvent } from './events';
import { articlesPrefix } from './keys';
import { mapLimit } from './limit';
import { storyScore, type RankedFields } from './rank';

/** Summary cached beside an article record so re-runs (and Bedrock) do not summarize twice. */
export interface StoredSummary {
  sentences: string[];
  kind: 'extractive' | 'bedrock' | 'openai' | 'feed';
  maxSentences: number;
  /** The summarizer, summary language, title translation and prompt it was asked with. */
  summarizer: string;
  /** Set when an LLM's summary was not used: a later run asks again (through the summary cache). */
  fallbackReason?: string;
  translatedTitle?: string;
  summaryLang?: string;
  /** The articles summarized together (a story's cluster); absent = the record alone. */
  articleIds?: string[];
}

/** What is remembered of one digest day: its stories' fingerprints, and the articles folded into earlier stories. */
export interface StoryMemoryDay {
  date: string;
  stories: StoryFingerprint[];
  folded: { earlier: { id: string; date: string }; sources: DigestStorySource[] }[];
}

export const summaryKey = (record: ArticleRecord, date: string): string => `${articlesPrefix(date)}/${record.id}.summary.json`;
export const storyMemoryKey = (date: string): string => `state/stories/${date}.json`;

export interface BuildStoriesInput {
  records: ArticleRecord[];
  config: Config;
  store: Store;
  summarizer: Summarizer;
  summarizerId: string;
  date: string;
  emit: (event: PipelineEvent) => void;
  /** Told of every summary the summarizer returned (the run's LLM accounting). */
  onSummary?: (result: SummaryResult, id: string) => void;
  /**
   * Stories the digest shows (`digest.maxStories`): clusters are ranked before they are summarized
   * and only the best this many are (plus one for each that folds into an earlier story), so a day
   * of thousands of articles costs a model this many summaries, not thousands. Default: all.
   */
  limit?: number;
  /** The run's instant, for ranking by recency. */
  now?: Date;
}

export interface StoriesReport {
  /** Articles clustered, and stories (clusters) they made. */
  articles: number;
  clusters: number;
  /** Stories shown as updates of an earlier day's story, and clusters folded into one. */
  updates: number;
  folded: number;
  /** Days of story memory that could not be read (their stories count as unknown). */
  memoryErrors: { date: string; message: string }[];
  /** Stories ranked below the digest's limit: never summarized, never shown. */
  notSummarized?: number;
  summaries: { extractive: number; bedrock: number; openai: number; feed: number; failed: number };
  tokens: { input: number; output: number };
}

export interface BuiltStories {
  stories: DigestStory[];
  /** Today's memory, written once the digest is published (`rememberStories`). */
  memory: StoryMemoryDay;
  report: StoriesReport;
}

/** Best source first: feed priority, then completeness (page over feed text, longer), then earliest, then id. */
function bestFirst(records: ArticleRecord[], priorities: Map<string, number>): ArticleRecord[] {
  const priority = (r: ArticleRecord): number => Math.max(...r.sources.map((s) => priorities.get(s.feedUrl) ?? 0), -Infinity);
  return [...records].sort(
    (a, b) =>
      priority(b) - priority(a) ||
      Number(b.contentSource === 'page') - Number(a.contentSource === 'page') ||
      b.wordCount - a.wordCount ||
      a.publishedAt.localeCompare(b.publishedAt) ||
      a.id.localeCompare(b.id),
  );
}

/** Every source of a cluster with its own link, best source first; one entry per feed and article. */
function sourcesOf(members: ArticleRecord[]): DigestStorySource[] {
  const seen = new Set<string>();
  const out: DigestStorySource[] = [];
  for (const r of members) {
    for (const s of r.sources) {
      const key = `${s.feedUrl}\n${r.url}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ name: s.name, feedUrl: s.feedUrl, url: r.url, title: s.title ?? r.title, publishedAt: r.publishedAt });
    }
  }
  return out;
}

/** The clusters of the day's records (each record alone when clustering is off), best source first. */
function clustersOf(records: ArticleRecord[], config: Config): ArticleRecord[][] {
  const priorities = new Map(config.feeds.map((f) => [f.url, f.priority]));
  if (!config.digest.cluster.enabled) return records.map((r) => [r]);
  const byId = new Map(records.map((r) => [r.id, r]));
  const input: ArticleToCluster[] = records.map((r) => ({
    id: r.id,
    title: r.title,
    text: r.text,
    lang: r.lang,
    publishedAt: r.publishedAt,
    source: r.sources[0]?.name ?? '',
    links: [...new Set([r.url, r.canonicalUrl])],
  }));
  const { threshold, windowHours } = config.digest.cluster;
  return clusterArticles(input, { threshold, windowHours }).map((c) =>
    bestFirst(
      c.articleIds.map((id) => byId.get(id)!),
      priorities,
    ),
  );
}

/** Stories remembered from the `memoryDays` days before `date`; a day that cannot be read is reported, not fatal. */
async function readMemory(
  store: Store,
  date: string,
  memoryDays: number,
): Promise<{ remembered: StoryFingerprint[]; errors: StoriesReport['memoryErrors'] }> {
  const remembered: StoryFingerprint[] = [];
  const errors: StoriesReport['memoryErrors'] = [];
  for (let d = 1; d <= memoryDays; d++) {
    const day = addDays(date, -d);
    try {
      const memory = await getJson<StoryMemoryDay>(store, storyMemoryKey(day));
      if (memory) remembered.push(...memory.stories);
    } catch (err) {
      errors.push({ date: day, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return { remembered, errors };
}

/** The calendar date `days` after `date` (YYYY-MM-DD; negative: before). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Sentences of an update that say something the earlier story did not: most of their terms are new. */
function newSentences(sentences: string[], lang: string, earlier: StoryFingerprint): string[] {
  return sentences.filter((s) => {
    const terms = [...articleTerms('', s, lang).body.keys()];
    const known = terms.filter((t) => Object.hasOwn(earlier.terms, t)).length;
    return terms.length > 0 && known / terms.length < 1 - UPDATE_MIN_NEW_SHARE;
  });
}

/** What ranking needs of a cluster's story, known before its summary: sources, date, size, content. */
function candidateOf(members: ArticleRecord[]): RankedFields {
  const lead = members[0];
  return {
    sources: sourcesOf(members),
    publishedAt: lead.publishedAt,
    contentSource: lead.contentSource,
    clusterSize: members.length,
  };
}

export async function buildStories(input: BuildStoriesInput): Promise<BuiltStories> {
  const { records, config, store, date, emit } = input;
  const maxSentences = config.digest.summarySentences;
  const clusters = clustersOf(records, config);
  const memoryDays = config.digest.cluster.enabled ? config.digest.cluster.memoryDays : 0;
  const { remembered, errors } = await readMemory(store, date, memoryDays);
  const vectors = storyVectors(clusters);
  const report: StoriesReport = {
    articles: records.length,
    clusters: clusters.length,
    updates: 0,
    folded: 0,
    memoryErrors: errors,
    summaries: { extractive: 0, bedrock: 0, openai: 0, feed: 0, failed: 0 },
    tokens: { input: 0, output: 0 },
  };
  const memory: StoryMemoryDay = { date, stories: [], folded: [] };

  const buildOne = async (k: number): Promise<DigestStory | undefined> => {
    const members = clusters[k];
    const lead = members[0];
    const sources = sourcesOf(members);
    // Joining a remembered story is joining a large group: a small cluster gets the clusterer's small-group allowance.
    const small = members.length < CLUSTER_WEIGHTS.smallGroup ? CLUSTER_WEIGHTS.smallGroupAllowance : 0;
    const match = matchEarlierStory(vectors[k], lead.lang, remembered, config.digest.cluster.threshold - small);
    const summary = await summaryOf(members, input, report);
    for (const r of members) emit({ type: 'summary', id: r.id, kind: summary.kind });
    let sentences = summary.sentences;
    if (match) {
      sentences = match.newShare >= UPDATE_MIN_NEW_SHARE ? newSentences(sentences, lead.lang, match.earlier) : [];
      if (sentences.length === 0) {
        report.folded++;
        memory.folded.push({ earlier: { id: match.earlier.id, date: match.earlier.date }, sources });
        return undefined;
      }
      report.updates++;
    }
    const primary = lead.sources[0];
    return {
      id: lead.id,
      title: lead.title,
      url: lead.url,
      source: primary?.name ?? '',
      sources,
      category: primary?.category,
      lang: lead.lang,
      dir: lead.dir,
      publishedAt: lead.publishedAt,
      ...(summary.translatedTitle ? { translatedTitle: summary.translatedTitle } : {}),
      summary: sentences.slice(0, maxSentences),
      summaryKind: summary.kind,
      ...(summary.summaryLang ? { summaryLang: summary.summaryLang } : {}),
      contentSource: lead.contentSource,
      readingMinutes: lead.readingMinutes,
      wordCount: lead.wordCount,
      byline: lead.byline,
      ...(lead.authors ? { authors: lead.authors } : {}),
      leadImage: lead.leadImage,
      ...(lead.leadImageWidth ? { leadImageWidth: lead.leadImageWidth, leadImageHeight: lead.leadImageHeight } : {}),
      ...(lead.leadImageAlt ? { leadImageAlt: lead.leadImageAlt } : {}),
      clusterSize: members.length,
      ...(match ? { updateOf: { id: match.earlier.id, date: match.earlier.date } } : {}),
    };
  };

  // Best first, then summarized in that order until the digest is full: a story that folds into an
  // earlier one leaves its place to the next.
  const priorities = new Map(config.feeds.map((f) => [f.url, f.priority]));
  const now = input.now ?? new Date();
  const order = clusters
    .map((members, k) => ({ k, score: storyScore(candidateOf(members), { now, priorities }) }))
    .sort((a, b) => b.score - a.score || b.k - a.k)
    .map((c) => c.k);
  const limit = Math.min(input.limit ?? clusters.length, clusters.length);
  emit({ type: 'stage', stage: 'summaries', total: limit });
  const built: (DigestStory | undefined)[] = new Array(clusters.length);
  let next = 0;
  let kept = 0;
  while (kept < limit && next < order.length) {
    const batch = order.slice(next, next + (limit - kept));
    next += batch.length;
    const stories = await mapLimit(batch, 4, buildOne);
    batch.forEach((k, i) => (built[k] = stories[i]));
    kept += stories.filter(Boolean).length;
  }
  report.notSummarized = order.length - next;
  const stories: DigestStory[] = [];
  built.forEach((story, k) => {
    if (!story) return;
    stories.push(story);
    memory.stories.push(fingerprintOf({ ...story, date }, vectors[k]));
  });
  return { stories, memory, report };
}

/** Keep today's fingerprints of the stories that made the digest (and the folds), for the next days. */
export async function rememberStories(store: Store, memory: StoryMemoryDay, published: DigestStory[]): Promise<void> {
  const ids = new Set(published.map((s) => s.id));
  await putJson(store, storyMemoryKey(memory.date), { ...memory, stories: memory.stories.filter((s) => ids.has(s.id)) });
}

/**
 * The story's summary, cached beside its best article: the article's own summary for a story of
 * one article, else one summary across the story's articles in its language (`summarizeStory`).
 */
async function summaryOf(members: ArticleRecord[], input: BuildStoriesInput, report: StoriesReport): Promise<StoredSummary> {
  const { store, summarizer, date, config } = input;
  const maxSentences = config.digest.summarySentences;
  const lead = members[0];
  // Articles in another language are sources of the story, not material for its summary.
  const sameLanguage = members.filter((r) => r.lang === lead.lang);
  const articleIds = sameLanguage.map((r) => r.id);
  const summaryLang = config.digest.summaryLanguage === 'source' ? undefined : config.digest.summaryLanguage;
  const prompt = config.feeds.find((f) => f.url === lead.sources[0]?.feedUrl)?.prompt;
  const requestId = JSON.stringify([input.summarizerId, summaryLang, config.digest.translateTitles, prompt]);
  const key = summaryKey(lead, date);
  // A store that cannot be read fails the stage (never a reason to pay for the summary again).
  const cached = await getJson<StoredSummary>(store, key);
  if (
    cached &&
    cached.maxSentences === maxSentences &&
    cached.summarizer === requestId &&
    !cached.fallbackReason &&
    (cached.articleIds ?? [lead.id]).join(' ') === articleIds.join(' ')
  ) {
    report.summaries[cached.kind]++;
    return cached;
  }
  const toSummarize = (r: ArticleRecord): ArticleToSummarize => ({
    id: r.id,
    title: r.title,
    text: r.text,
    lang: r.lang,
    maxSentences,
    source: r.sources[0]?.name,
    ...(prompt ? { prompt } : {}),
    ...(summaryLang ? { summaryLang, translateTitle: config.digest.translateTitles } : {}),
  });
  let summary: StoredSummary;
  try {
    const result =
      sameLanguage.length > 1 && summarizer.summarizeStory
        ? await summarizer.summarizeStory({ articles: sameLanguage.map(toSummarize), lang: lead.lang, maxSentences })
        : await summarizer.summarizeArticle(toSummarize(lead));
    input.onSummary?.(result, lead.id);
    report.tokens.input += result.tokens?.input ?? 0;
    report.tokens.output += result.tokens?.output ?? 0;
    const fromFeedOnly = sameLanguage.every((r) => r.contentSource === 'feed');
    summary = {
      sentences: result.sentences,
      kind: fromFeedOnly && result.kind === 'extractive' ? 'feed' : result.kind,
      maxSentences,
      summarizer: requestId,
      articleIds,
      ...(result.fallbackReason ? { fallbackReason: result.fallbackReason } : {}),
      ...(result.translatedTitle ? { translatedTitle: result.translatedTitle } : {}),
      ...(result.summaryLang ? { summaryLang: result.summaryLang } : {}),
    };
    await putJson(store, key, summary);
  } catch {
    report.summaries.failed++;
    summary = { sentences: [], kind: 'feed', maxSentences, summarizer: requestId, articleIds };
  }
  report.summaries[summary.kind]++;
  return summary;
}
