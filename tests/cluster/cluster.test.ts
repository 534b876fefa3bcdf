/**
 * clusterArticles on small multilingual fixtures: one event from three outlets becomes one story,
 * another event of the same kind stays apart, in English, Arabic and Japanese; languages are
 * joined only on strong evidence; the result covers every id once and does not depend on order.
 */
import { clusterArticles, type ArticleCluster } from '../../src/cluster';
import { ARABIC, ENGLISH, JAPANESE, type FixtureArticle } from '../fixtures/cluster/events';

/** The clusters as sorted lists of the fixture's expected events, one list per cluster. */
function eventsOf(clusters: ArticleCluster[], articles: FixtureArticle[]): string[][] {
  const event = new Map(articles.map((a) => [a.id, a.event]));
  return clusters.map((c) => c.articleIds.map((id) => event.get(id)!).sort()).sort((a, b) => a.join().localeCompare(b.join()));
}

/** What a perfect clusterer returns: one cluster per expected event. */
function expectedEvents(articles: FixtureArticle[]): string[][] {
  const byEvent = new Map<string, string[]>();
  for (const a of articles) byEvent.set(a.event, [...(byEvent.get(a.event) ?? []), a.event]);
  return [...byEvent.values()].sort((a, b) => a.join().localeCompare(b.join()));
}

describe('clusterArticles', () => {
  it.each([
    ['English (two earthquakes)', ENGLISH],
    ['Arabic (two elections)', ARABIC],
    ['Japanese (two earthquakes)', JAPANESE],
  ])('%s: each event from several outlets is one story, the other event of the same kind stays apart', (_name, articles) => {
    expect(eventsOf(clusterArticles(articles), articles)).toEqual(expectedEvents(articles));
  });

  it('clusters all languages at once without joining stories across languages on surface resemblance', () => {
    const all = [...ENGLISH, ...ARABIC, ...JAPANESE];
    expect(eventsOf(clusterArticles(all), all)).toEqual(expectedEvents(all));
  });

  it('puts every id in exactly one cluster and gives the same clusters for any input order', () => {
    const all = [...ENGLISH, ...ARABIC, ...JAPANESE];
    const clusters = clusterArticles(all);
    expect(clusters.flatMap((c) => c.articleIds).sort()).toEqual(all.map((a) => a.id).sort());
    expect(clusterArticles([...all].reverse())).toEqual(clusters);
    // A cluster's id is its earliest article, and its members are listed earliest first.
    const hualien = clusters.find((c) => c.articleIds.includes('en-hualien-1'))!;
    expect(hualien).toEqual({ id: 'en-hualien-1', articleIds: ['en-hualien-1', 'en-hualien-2', 'en-hualien-3'] });
  });

  it('joins articles in different languages on a shared link, and never on shared numbers alone', () => {
    const english = { ...ENGLISH[0], links: ['https://cwa.example/quake/20260302'] };
    const japanese = { ...JAPANESE[0], id: 'ja-about-taiwan', links: ['https://cwa.example/quake/20260302'] };
    expect(clusterArticles([english, japanese])).toHaveLength(1);
    // Both mention 2 (March) and share digits with the magnitude; that is not evidence of one event.
    expect(clusterArticles([ENGLISH[0], JAPANESE[0]])).toHaveLength(2);
  });

  it('keeps articles published further apart than the time window in separate stories', () => {
    const later = { ...ENGLISH[1], publishedAt: '2026-03-06T04:00:00Z' };
    expect(clusterArticles([ENGLISH[0], later], { windowHours: 48 })).toHaveLength(2);
    expect(clusterArticles([ENGLISH[0], later], { windowHours: 120 })).toHaveLength(1);
  });

  it('merges more as the threshold falls, and nothing at a threshold above any similarity', () => {
    expect(clusterArticles(ENGLISH, { threshold: 0.95 })).toHaveLength(ENGLISH.length);
    expect(clusterArticles(ENGLISH, { threshold: 0.01 }).length).toBeLessThan(3);
  });

  it('handles no articles, one article, and articles without text', () => {
    expect(clusterArticles([])).toEqual([]);
    expect(clusterArticles([ENGLISH[0]])).toEqual([{ id: 'en-hualien-1', articleIds: ['en-hualien-1'] }]);
    const bare = [
      { id: 'a', title: '', text: '', lang: 'und', publishedAt: 'not a date', source: 'x' },
      { id: 'b', title: '', text: '', lang: 'und', publishedAt: '', source: 'y' },
    ];
    expect(
      clusterArticles(bare)
        .flatMap((c) => c.articleIds)
        .sort(),
    ).toEqual(['a', 'b']);
  });
});
