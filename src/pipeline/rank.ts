import type { DigestStory } from '../types';

export interface RankOptions {
  /** Reference instant for recency (the digest's run time). */
  now: Date;
  /** Feed URL → priority from config (-10..10, default 0). */
  priorities: Map<string, number>;
  maxStories: number;
}

/** Named weights of the story score (see `rankStories`). */
export const RANK_WEIGHTS = Object.freeze({
  /** Per doubling of the number of distinct feeds that carried the story. */
  coverage: 1.5,
  /** Per doubling of the articles in the story's cluster (several articles by one outlet count less than several outlets). */
  articles: 0.5,
  /** Per point of the best feed priority among the story's feeds. */
  priority: 0.5,
  /** Recency in [0, 1]: 1 now, ½ after `halfLifeHours`. */
  recency: 1,
  halfLifeHours: 12,
  /** A story whose page was extracted (full text, real summary) over one known only from its feed. */
  fullText: 0.2,
});

/** What a story's score depends on (all known before its summary is written). */
export type RankedFields = Pick<DigestStory, 'sources' | 'publishedAt' | 'clusterSize' | 'contentSource'>;

/** Score of one story; higher ranks first. Pure, finite for any input. */
export function storyScore(story: RankedFields, options: Pick<RankOptions, 'now' | 'priorities'>): number {
  const feeds = new Set(story.sources.map((s) => s.feedUrl));
  const published = Date.parse(story.publishedAt);
  // Undated stories count as old rather than new; dates in the future count as now.
  const ageHours = Number.isFinite(published) ? Math.max(0, (options.now.getTime() - published) / 3_600_000) : Infinity;
  const recency = Math.pow(0.5, ageHours / RANK_WEIGHTS.halfLifeHours);
  const coverage = Math.log2(Math.max(1, feeds.size));
  const articles = Math.log2(Math.max(1, story.clusterSize ?? 1));
  const priority = feeds.size > 0 ? Math.max(...[...feeds].map((url) => options.priorities.get(url) ?? 0)) : 0;
  return (
    RANK_WEIGHTS.coverage * coverage +
    RANK_WEIGHTS.articles * articles +
    RANK_WEIGHTS.priority * priority +
    RANK_WEIGHTS.recency * recency +
    (story.contentSource === 'page' ? RANK_WEIGHTS.fullText : 0)
  );
}

/**
 * Order stories for the digest and keep the best `maxStories`: a story carried by several feeds
 * ranks higher (cross-feed coverage), then feed priority, then recency (half-life 12 h). Ties go
 * to the newer story, then to a stable order by id.
 */
export function rankStories(stories: DigestStory[], options: RankOptions): DigestStory[] {
  return stories
    .map((s) => ({ s, score: storyScore(s, options) }))
    .sort((a, b) => b.score - a.score || b.s.publishedAt.localeCompare(a.s.publishedAt) || a.s.id.localeCompare(b.s.id))
    .slice(0, Math.max(0, options.maxStories))
    .map((x) => x.s);
}
