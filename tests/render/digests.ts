/** Digests built by hand for the render unit tests (the browser tests use the real pipeline). */
import type { Digest, DigestStory } from '../../src/types';

export function story(overrides: Partial<DigestStory> = {}): DigestStory {
  return {
    id: 'id-1',
    title: 'Harbor Bridge reopens to traffic after 18-month rebuild',
    url: 'https://ledger.example/harbor-bridge-reopens/',
    source: 'Northern Ledger',
    sources: [{ name: 'Northern Ledger', feedUrl: 'https://ledger.example/rss.xml' }],
    category: 'City',
    lang: 'en',
    dir: 'ltr',
    publishedAt: '2026-11-29T06:10:00.000Z',
    summary: ['The Harbor Bridge reopened on Monday after an 18-month rebuild.', 'The new deck includes a protected bike lane.'],
    summaryKind: 'extractive',
    contentSource: 'page',
    readingMinutes: 4,
    wordCount: 900,
    ...overrides,
  };
}

export const arabicStory = (overrides: Partial<DigestStory> = {}): DigestStory =>
  story({
    id: 'id-ar',
    title: 'افتتاح خط جديد للترامواي يربط الرباط بسلا',
    url: 'https://madina.example/rabat-tram/',
    source: 'صحيفة المدينة',
    sources: [{ name: 'صحيفة المدينة', feedUrl: 'https://madina.example/rss.xml' }],
    category: 'العالم',
    lang: 'ar',
    dir: 'rtl',
    summary: ['افتتحت السلطات المحلية يوم الاثنين خطا جديدا للترامواي يربط وسط الرباط بمدينة سلا المجاورة.'],
    ...overrides,
  });

export function digest(overrides: Partial<Digest> = {}): Digest {
  const stories = overrides.stories ?? [story(), arabicStory()];
  return {
    version: 1,
    title: 'Morning digest',
    date: '2026-11-29',
    timezone: 'Europe/London',
    generatedAt: '2026-11-29T07:00:00.000Z',
    stories,
    feeds: [
      {
        url: 'https://ledger.example/rss.xml',
        name: 'Northern Ledger',
        status: 'ok',
        itemsTotal: 10,
        itemsNew: 3,
        itemsInDigest: 1,
      },
      {
        url: 'https://down.example/rss.xml',
        name: 'Downtown Courier',
        status: 'error',
        errorClass: 'http-5xx',
        httpStatus: 503,
        error: 'HTTP 503',
        itemsTotal: 0,
        itemsNew: 0,
        itemsInDigest: 0,
      },
    ],
    stats: {
      feedsOk: 1,
      feedsFailed: 1,
      feedsNotModified: 0,
      articlesExtracted: stories.length,
      articlesFromFeed: 0,
      stories: stories.length,
    },
    ...overrides,
  };
}

/** A realistic news sentence of about `chars` characters. */
export function sentence(i: number, chars = 140, arabic = false): string {
  const words = arabic
    ? ['قالت', 'الحكومة', 'إن', 'المشروع', 'الجديد', 'سيوفر', 'آلاف', 'فرص', 'العمل', 'في', 'المدينة', 'خلال', 'العام', 'المقبل']
    : [
        'The',
        'council',
        'said',
        'the',
        'new',
        'project',
        'would',
        'create',
        'thousands',
        'of',
        'jobs',
        'in',
        'the',
        'city',
        'next',
        'year',
      ];
  let out = '';
  for (let k = 0; out.length < chars - 10; k++) out += (out ? ' ' : '') + words[(i + k) % words.length];
  return `${out} ${i}.`;
}
