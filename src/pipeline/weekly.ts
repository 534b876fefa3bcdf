/**
 * Weekly editions: the week's top stories, one entry per story however many days it ran (a story
 * that updates an earlier one is the same story), ranked by coverage across the week.
 *
 * Two ranges, one ranking:
 * - the site's edition is the ISO week (Monday to Sunday), `site/YYYY/Www/`; each run of the week
 *   rebuilds it, so it grows through the week;
 * - a weekly reader's mail holds the 7 days ending on their weekday, so that every day's stories
 *   reach every weekly reader exactly once whatever weekday they chose (with "the ISO week so far",
 *   a Wednesday reader would never see a Thursday-to-Sunday story).
 *
 * The stored digests are read through the Store; a read error is an error, never "no digest".
 */
import { getJson, type Store } from '../store';
import type { Digest, DigestStory, DigestStorySource, WeeklyEdition, WeeklyStory } from '../types';
import { addDays } from './stories';

/** Named tie-breakers of the weekly ranking, strongest first (see `rankWeek`). */
export const WEEKLY_RANK_ORDER = Object.freeze(['feeds', 'articles', 'days', 'newest'] as const);

export interface IsoWeek {
  year: number;
  week: number;
}

/**
 * ISO 8601 week of a calendar date: weeks start on Monday, and a week belongs to the year of its
 * Thursday (so 2026-12-31 and 2027-01-01 are both in 2026-W53).
 */
export function isoWeekOf(date: string): IsoWeek {
  const day = new Date(`${date}T00:00:00Z`);
  const mondayBased = (day.getUTCDay() + 6) % 7;
  const thursday = new Date(day.getTime() + (3 - mondayBased) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const ordinal = (thursday.getTime() - Date.UTC(year, 0, 1)) / 86_400_000;
  return { year, week: Math.floor(ordinal / 7) + 1 };
}

/** "2026-W49". */
export const isoWeekId = (w: IsoWeek): string => `${w.year}-W${String(w.week).padStart(2, '0')}`;

/** The Monday and Sunday of the ISO week that holds `date`. */
export function isoWeekRange(date: string): { from: string; to: string } {
  const mondayBased = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  const from = addDays(date, -mondayBased);
  return { from, to: addDays(from, 6) };
}

/** Every date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

const sourceKey = (s: DigestStorySource): string => `${s.feedUrl}\n${s.url ?? ''}`;

/**
 * The week's stories, one per story: days read oldest first, a story joined to an earlier one by
 * its id or its `updateOf`. An entry shows the story as it first ran (its full summary; an update's
 * summary holds only what was new) with every source of the week.
 */
export function mergeWeek(digests: Digest[]): WeeklyStory[] {
  const byKey = new Map<string, WeeklyStory>();
  const keyOfId = new Map<string, string>();
  for (const digest of [...digests].sort((a, b) => a.date.localeCompare(b.date))) {
    for (const story of digest.stories) {
      const earlier = story.updateOf?.id;
      const key = (earlier && keyOfId.get(earlier)) ?? keyOfId.get(story.id) ?? earlier ?? story.id;
      keyOfId.set(story.id, key);
      const entry = byKey.get(key);
      if (!entry) {
        byKey.set(key, { ...story, sources: [...story.sources], days: [digest.date], articles: 0 });
        continue;
      }
      if (!entry.days.includes(digest.date)) entry.days.push(digest.date);
      const known = new Set(entry.sources.map(sourceKey));
      for (const s of story.sources) if (!known.has(sourceKey(s))) entry.sources.push(s);
    }
  }
  const stories = [...byKey.values()];
  for (const s of stories) s.articles = new Set(s.sources.map((x) => x.url ?? x.feedUrl)).size;
  return stories;
}

const distinctFeeds = (s: DigestStory): number => new Set(s.sources.map((x) => x.feedUrl)).size;

/** Coverage across the week: distinct feeds, then distinct articles, then days it ran, then the newest, then id. */
export function rankWeek(stories: WeeklyStory[]): WeeklyStory[] {
  return [...stories].sort(
    (a, b) =>
      distinctFeeds(b) - distinctFeeds(a) ||
      b.articles - a.articles ||
      b.days.length - a.days.length ||
      b.publishedAt.localeCompare(a.publishedAt) ||
      a.id.localeCompare(b.id),
  );
}

/** The digest of each date that has one; a store that cannot be read throws. */
export async function readDigests(
  store: Store,
  dates: string[],
  digestKey: (date: string) => string,
  today?: Digest,
): Promise<Digest[]> {
  const out: Digest[] = [];
  for (const date of dates) {
    if (today && date === today.date) {
      out.push(today);
      continue;
    }
    const d = await getJson<Digest>(store, digestKey(date));
    if (d && Array.isArray(d.stories) && d.date === date) out.push(d);
  }
  return out;
}

export interface WeeklyEditionInput {
  /** Digests of the range (others are ignored). */
  digests: Digest[];
  from: string;
  to: string;
  /** The ISO week the edition is named after (the week of `to`). */
  week: string;
  title: string;
  timezone: string;
  generatedAt: string;
  /** Keep only the best this many (the site's edition: digest.maxStories); a mail's is cut per reader. */
  maxStories?: number;
}

export function buildWeeklyEdition(input: WeeklyEditionInput): WeeklyEdition {
  const inRange = input.digests.filter((d) => d.date >= input.from && d.date <= input.to);
  const ranked = rankWeek(mergeWeek(inRange));
  return {
    version: 1,
    title: input.title,
    week: input.week,
    from: input.from,
    to: input.to,
    dates: inRange.map((d) => d.date).sort(),
    timezone: input.timezone,
    generatedAt: input.generatedAt,
    stories: input.maxStories === undefined ? ranked : ranked.slice(0, input.maxStories),
  };
}
