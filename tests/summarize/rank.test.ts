/** Digest-level ranking (src/pipeline/rank.ts): coverage across feeds, feed priority, recency. */
import { rankStories, storyScore } from '../../src/pipeline/rank';
import type { DigestStory } from '../../src/types';

const now = new Date('2026-03-10T12:00:00Z');
const hoursAgo = (h: number): string => new Date(now.getTime() - h * 3_600_000).toISOString();

function story(id: string, publishedAt: string, feeds: string[], extra: Partial<DigestStory> = {}): DigestStory {
  return {
    id,
    title: `Story ${id}`,
    url: `https://example.test/${id}`,
    source: feeds[0] ?? 'none',
    sources: feeds.map((f) => ({ name: f, feedUrl: `https://${f}.test/feed.xml` })),
    lang: 'en',
    dir: 'ltr',
    publishedAt,
    summary: ['A summary.'],
    summaryKind: 'extractive',
    contentSource: 'page',
    readingMinutes: 2,
    wordCount: 400,
    ...extra,
  };
}

const ids = (xs: DigestStory[]): string[] => xs.map((s) => s.id);

describe('rankStories', () => {
  test('a story covered by several feeds outranks a newer single-feed story', () => {
    const stories = [story('fresh', hoursAgo(0), ['a']), story('covered', hoursAgo(6), ['a', 'b', 'c'])];
    expect(ids(rankStories(stories, { now, priorities: new Map(), maxStories: 10 }))).toEqual(['covered', 'fresh']);
  });

  test('feed priority from config, then recency', () => {
    const stories = [story('old', hoursAgo(30), ['a']), story('new', hoursAgo(1), ['b']), story('priority', hoursAgo(20), ['c'])];
    const priorities = new Map([['https://c.test/feed.xml', 3]]);
    expect(ids(rankStories(stories, { now, priorities, maxStories: 10 }))).toEqual(['priority', 'new', 'old']);
    expect(ids(rankStories(stories, { now, priorities: new Map(), maxStories: 10 }))).toEqual(['new', 'priority', 'old']);
  });

  test('keeps at most maxStories; ties are stable by date then id', () => {
    const stories = [story('b', hoursAgo(2), ['x']), story('a', hoursAgo(2), ['y']), story('c', hoursAgo(5), ['z'])];
    expect(ids(rankStories(stories, { now, priorities: new Map(), maxStories: 2 }))).toEqual(['a', 'b']);
    expect(rankStories(stories, { now, priorities: new Map(), maxStories: 0 })).toEqual([]);
  });

  test('the same feed listed twice is not cross-feed coverage', () => {
    const twice = story('twice', hoursAgo(3), ['a', 'a']);
    const once = story('once', hoursAgo(3), ['b']);
    expect(storyScore(twice, { now, priorities: new Map() })).toBeCloseTo(storyScore(once, { now, priorities: new Map() }));
  });

  test('scores stay finite for undated, future-dated and source-less stories', () => {
    const odd = [
      story('undated', 'not a date', ['a']),
      story('future', '2030-01-01T00:00:00Z', ['a']),
      story('orphan', hoursAgo(1), []),
    ];
    for (const s of odd) expect(Number.isFinite(storyScore(s, { now, priorities: new Map() }))).toBe(true);
    const ranked = ids(rankStories(odd, { now, priorities: new Map(), maxStories: 10 }));
    expect(ranked[ranked.length - 1]).toBe('undated');
  });
});
