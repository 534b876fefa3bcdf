import type { DigestStory } from '../types';

export interface RankOptions {
  /** Reference instant for recency (the digest's run time). */
  now: Date;
  /** Feed URL → priority from config (-10..10, default 0). */
  priorities: Map<string, number>;
  maxStories: number;
}

/**
 * Order stories for the digest and keep the best `maxStories`: a story carried by several feeds
 * ranks higher, then feed priority, then recency (half-life 12 h). Ties keep a stable order by id.
 */
export function rankStories(stories: DigestStory[], options: RankOptions): DigestStory[] {
  const score = (s: DigestStory): number => {
    const ageHours = Math.max(0, (options.now.getTime() - Date.parse(s.publishedAt)) / 3_600_000);
    const recency = Math.pow(0.5, ageHours / 12);
    const coverage = Math.log2(s.sources.length) * 1.5;
    const priority = Math.max(...s.sources.map((src) => options.priorities.get(src.feedUrl) ?? 0)) * 0.5;
    const substance = s.contentSource === 'page' ? 0.2 : 0;
    return coverage + priority + recency + substance;
  };
  return stories
    .map((s) => ({ s, score: score(s) }))
    .sort((a, b) => b.score - a.score || b.s.publishedAt.localeCompare(a.s.publishedAt) || a.s.id.localeCompare(b.s.id))
    .slice(0, options.maxStories)
    .map((x) => x.s);
}
