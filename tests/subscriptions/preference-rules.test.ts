/**
 * The pure rules behind a reader's choices: what a form may say, how a stored record is read
 * against today's config, which stories a reader gets on which day, and the sentences and links
 * that go with them.
 */
import { chromeFor } from '../../src/i18n';
import {
  categoriesOf,
  dayPageUrl,
  editionFor,
  effectivePreferences,
  LOCAL_SITE_URL,
  MAIL_STORIES_BOUNDS,
  parsePreferences,
  preferenceChoicesOf,
  resolvePublicUrls,
  storiesFor,
  subscribeChoicesOf,
  weekdayOf,
  WEEKDAYS,
} from '../../src/subscriptions';
import { describePreferences, fieldChoices, preferencesProblem } from '../../src/subscriptions/preferences-page';
import { readerMail } from '../../src/subscriptions/reader-edition';
import { parseConfig } from '../../src/config';
import type { WeeklyEdition } from '../../src/types';
import { digest, story } from '../render/digests';

const choices = { categories: ['City', 'Science', 'World'], defaultMaxStories: 30 };
const en = chromeFor('en');

describe('parsePreferences', () => {
  it.each([
    ['nothing chosen', '', {}],
    ['one topic', 'categories=Science', { categories: ['Science'] }],
    ['a topic ticked twice', 'categories=Science&categories=Science', { categories: ['Science'] }],
    ['two of three topics, in the order sent', 'categories=World&categories=City', { categories: ['World', 'City'] }],
    ['every topic ticked means every topic', 'categories=City&categories=Science&categories=World', {}],
    ['a topic the config does not offer', 'categories=Gone', {}],
    ['daily is the default and not stored', 'frequency=daily', {}],
    ['an empty frequency', 'frequency=', {}],
    ['weekly without a day is Monday', 'frequency=weekly', { frequency: 'weekly', weekday: 'monday' }],
    ['weekly with an empty day is Monday', 'frequency=weekly&weekday=', { frequency: 'weekly', weekday: 'monday' }],
    ['weekly on Sunday', 'frequency=weekly&weekday=sunday', { frequency: 'weekly', weekday: 'sunday' }],
    ['a weekday without weekly is not stored', 'weekday=friday', {}],
    ['the lowest story count', 'maxStories=1', { maxStories: 1 }],
    ['the highest story count', 'maxStories=100', { maxStories: 100 }],
    ['a count with spaces around it', 'maxStories=%2012%20', { maxStories: 12 }],
    ['the digest size is the default and not stored', 'maxStories=30', {}],
    ['an empty count', 'maxStories=', {}],
  ])('form: %s', (_name, body, preferences) => {
    expect(parsePreferences(new URLSearchParams(body), choices)).toEqual({ ok: true, preferences });
  });

  it.each([
    ['an unknown frequency', 'frequency=hourly', 'frequency'],
    ['an unknown weekday', 'frequency=weekly&weekday=caturday', 'weekday'],
    ['an unknown weekday even without weekly', 'weekday=Friday', 'weekday'],
    ['no stories', 'maxStories=0', 'max-stories'],
    ['one story too many', 'maxStories=101', 'max-stories'],
    ['a count in words', 'maxStories=ten', 'max-stories'],
    ['a fractional count', 'maxStories=2.5', 'max-stories'],
    ['a negative count', 'maxStories=-3', 'max-stories'],
    ['a count of five digits', 'maxStories=00012', 'max-stories'],
  ])('form: refuses %s', (_name, body, problem) => {
    expect(parsePreferences(new URLSearchParams(body), choices)).toEqual({ ok: false, problem });
  });

  it('reads JSON values: arrays, a single category, numbers, and refuses non-integers', () => {
    expect(parsePreferences({ categories: ['City', 7, 'Science'], maxStories: 12 }, choices)).toEqual({
      ok: true,
      preferences: { categories: ['City', 'Science'], maxStories: 12 },
    });
    expect(parsePreferences({ categories: 'World', frequency: 'weekly', weekday: 'tuesday' }, choices)).toEqual({
      ok: true,
      preferences: { categories: ['World'], frequency: 'weekly', weekday: 'tuesday' },
    });
    expect(parsePreferences({ email: 'a@example.org' }, choices)).toEqual({ ok: true, preferences: {} });
    expect(parsePreferences({ maxStories: 12.5 }, choices)).toEqual({ ok: false, problem: 'max-stories' });
    expect(parsePreferences({ maxStories: true }, choices)).toEqual({ ok: false, problem: 'max-stories' });
    expect(parsePreferences({ frequency: 1 }, choices)).toEqual({ ok: false, problem: 'frequency' });
  });

  it('leaves out a story count equal to the digest size as clamped to the bounds', () => {
    expect(parsePreferences({ maxStories: 100 }, { categories: [], defaultMaxStories: 250 })).toEqual({
      ok: true,
      preferences: {},
    });
    expect(parsePreferences({ maxStories: 99 }, { categories: [], defaultMaxStories: 250 })).toEqual({
      ok: true,
      preferences: { maxStories: 99 },
    });
  });
});

describe('effectivePreferences', () => {
  it('fills every default for a record without choices', () => {
    expect(effectivePreferences(undefined, choices)).toEqual({
      categories: undefined,
      frequency: 'daily',
      weekday: 'monday',
      maxStories: 30,
    });
  });

  it('keeps valid stored choices as they are', () => {
    expect(
      effectivePreferences({ categories: ['World'], frequency: 'weekly', weekday: 'saturday', maxStories: 7 }, choices),
    ).toEqual({ categories: ['World'], frequency: 'weekly', weekday: 'saturday', maxStories: 7 });
  });

  it('reads every offered category as every topic, and a stored count out of bounds at the bound', () => {
    expect(effectivePreferences({ categories: ['City', 'Science', 'World'] }, choices).categories).toBeUndefined();
    expect(effectivePreferences({ maxStories: 0 }, choices).maxStories).toBe(1);
    expect(effectivePreferences({ maxStories: 2.6 }, choices).maxStories).toBe(3);
    expect(effectivePreferences({ maxStories: Infinity }, choices).maxStories).toBe(30);
    expect(effectivePreferences({ categories: 'City' } as never, choices).categories).toBeUndefined();
  });

  it('clamps the digest size too', () => {
    expect(effectivePreferences({}, { categories: [], defaultMaxStories: 0 }).maxStories).toBe(MAIL_STORIES_BOUNDS.min);
    expect(effectivePreferences({}, { categories: [], defaultMaxStories: 500 }).maxStories).toBe(MAIL_STORIES_BOUNDS.max);
  });
});

describe('weekdayOf', () => {
  it.each([
    ['2026-11-30', 'monday'],
    ['2026-12-01', 'tuesday'],
    ['2026-12-05', 'saturday'],
    ['2026-12-06', 'sunday'],
  ])('%s is a %s', (date, weekday) => {
    expect(weekdayOf(date)).toBe(weekday);
  });
});

describe('categoriesOf', () => {
  it('lists each configured category once, in config order, without feeds that have none', () => {
    expect(categoriesOf([{ category: 'World' }, {}, { category: 'City' }, { category: 'World' }, { category: '' }])).toEqual([
      'World',
      'City',
    ]);
  });
});

describe('storiesFor', () => {
  const stories = [
    story({ id: 'a', category: 'City' }),
    story({ id: 'b', category: undefined }),
    story({ id: 'c', category: 'World' }),
    story({ id: 'd', category: 'City' }),
  ];
  it('keeps only the chosen categories (an uncategorized story only for every topic), at most the number', () => {
    const every = effectivePreferences({}, choices);
    expect(storiesFor(stories, every).map((s) => s.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(storiesFor(stories, { ...every, maxStories: 2 }).map((s) => s.id)).toEqual(['a', 'b']);
    expect(storiesFor(stories, { ...every, categories: ['City'] }).map((s) => s.id)).toEqual(['a', 'd']);
  });
});

describe('editionFor', () => {
  const daily = { stories: [story({ id: 'day', category: 'City' })] };
  const weekly = { stories: [story({ id: 'week', category: 'World' })] };
  it('sends a daily reader the day whatever the weekday, a weekly reader the week on their day', () => {
    expect(editionFor({}, { daily, weekly }, '2026-12-06', choices)).toEqual({
      send: true,
      kind: 'daily',
      stories: daily.stories,
    });
    const reader = { preferences: { frequency: 'weekly' as const, weekday: 'sunday' as const } };
    expect(editionFor(reader, { daily, weekly }, '2026-12-06', choices)).toEqual({
      send: true,
      kind: 'weekly',
      stories: weekly.stories,
    });
    expect(editionFor(reader, { daily }, '2026-12-06', choices)).toEqual({
      send: false,
      kind: 'weekly',
      reason: 'no-weekly-edition',
    });
    expect(
      editionFor(
        { preferences: { frequency: 'weekly', weekday: 'sunday', categories: ['City'] } },
        { daily, weekly },
        '2026-12-06',
        choices,
      ),
    ).toEqual({ send: false, kind: 'weekly', reason: 'no-stories-for-reader' });
  });
});

describe('readerMail', () => {
  const context = { choices, siteUrl: 'https://digest.example.org/', lang: 'en' };
  const day = digest({ date: '2026-12-06', title: 'Morning Digest', stories: [story({ id: 's1' }), story({ id: 's2' })] });
  const week: WeeklyEdition = {
    version: 1,
    title: 'Morning Digest',
    week: '2026-W49',
    from: '2026-11-30',
    to: '2026-12-06',
    dates: ['2026-12-06'],
    timezone: 'Europe/London',
    generatedAt: '2026-12-06T07:00:00.000Z',
    stories: [{ ...story({ id: 'w1', category: 'World' }), days: ['2026-12-06'], articles: 3 }],
  };

  it("gives a daily reader the day's digest cut to their number, with the day's page", () => {
    expect(readerMail({ preferences: { maxStories: 1 } }, day, { weekly: week }, context)).toEqual({
      send: true,
      kind: 'daily',
      digest: { ...day, stories: [day.stories[0]] },
      webUrl: 'https://digest.example.org/2026/12/06/',
    });
  });

  it("gives a weekly reader on their day the week's stories under the weekly title, with the week's page", () => {
    const reader = { preferences: { frequency: 'weekly' as const, weekday: 'sunday' as const } };
    expect(readerMail(reader, day, { weekly: week }, context)).toEqual({
      send: true,
      kind: 'weekly',
      digest: { ...day, title: 'Morning Digest — the week', stories: week.stories },
      webUrl: 'https://digest.example.org/2026/W49/',
    });
    expect(readerMail(reader, day, { weekly: week }, { ...context, siteUrl: 'https://digest.example.org//' })).toMatchObject({
      webUrl: 'https://digest.example.org/2026/W49/',
    });
  });

  it('marks a missing week as failed (retried), another day or no story for the reader as not', () => {
    const sunday = { preferences: { frequency: 'weekly' as const, weekday: 'sunday' as const } };
    expect(readerMail(sunday, day, {}, context)).toEqual({
      send: false,
      kind: 'weekly',
      reason: 'no-weekly-edition',
      failed: true,
    });
    const monday = { preferences: { frequency: 'weekly' as const, weekday: 'monday' as const } };
    expect(readerMail(monday, day, { weekly: week }, context)).toEqual({
      send: false,
      kind: 'weekly',
      reason: 'weekly-not-today',
      failed: false,
    });
    expect(readerMail({ preferences: { categories: ['Science'] } }, day, { weekly: week }, context)).toEqual({
      send: false,
      kind: 'daily',
      reason: 'no-stories-for-reader',
      failed: false,
    });
  });
});

describe('public URLs', () => {
  it('uses site.url without trailing slashes, and its /api unless an endpoint is configured', () => {
    expect(resolvePublicUrls(parseConfig({ site: { url: 'https://digest.example.org//' } }))).toEqual({
      siteUrl: 'https://digest.example.org',
      endpointUrl: 'https://digest.example.org/api',
    });
    expect(
      resolvePublicUrls(
        parseConfig({ site: { url: 'https://digest.example.org', subscribeEndpoint: 'https://api.example.org/v1/' } }),
      ),
    ).toEqual({ siteUrl: 'https://digest.example.org', endpointUrl: 'https://api.example.org/v1' });
  });

  it('falls back to the address serve listens on, by default the local one', () => {
    expect(resolvePublicUrls(parseConfig({}), 'http://127.0.0.1:9000/')).toEqual({
      siteUrl: 'http://127.0.0.1:9000',
      endpointUrl: 'http://127.0.0.1:9000/api',
    });
    expect(resolvePublicUrls(parseConfig({}))).toEqual({ siteUrl: LOCAL_SITE_URL, endpointUrl: `${LOCAL_SITE_URL}/api` });
    expect(LOCAL_SITE_URL).toBe('http://127.0.0.1:8080');
  });

  it("links a day's page as site/YYYY/MM/DD/", () => {
    expect(dayPageUrl('https://digest.example.org/', '2026-12-06')).toBe('https://digest.example.org/2026/12/06/');
  });
});

describe('the choices the config offers', () => {
  const config = (maxStories: number) =>
    parseConfig({
      feeds: [
        { url: 'https://a.example/rss.xml', category: 'World' },
        { url: 'https://b.example/rss.xml' },
        { url: 'https://c.example/rss.xml', category: 'City' },
      ],
      digest: { maxStories },
    });

  it("are the feeds' categories and the digest's size", () => {
    expect(preferenceChoicesOf(config(30))).toEqual({ categories: ['World', 'City'], defaultMaxStories: 30 });
  });

  it("give the subscribe form every weekday, the bounds, and the digest's size within them", () => {
    expect(subscribeChoicesOf(config(30))).toEqual({
      categories: ['World', 'City'],
      weekdays: WEEKDAYS,
      minStories: 1,
      maxStories: 100,
      defaultMaxStories: 30,
    });
    expect(subscribeChoicesOf(config(150)).defaultMaxStories).toBe(100);
    expect(fieldChoices(choices)).toEqual({ categories: choices.categories, weekdays: WEEKDAYS, minStories: 1, maxStories: 100 });
  });
});

describe('the sentences of the preferences page', () => {
  it('sums up the choices in words', () => {
    expect(describePreferences(effectivePreferences({}, choices), en)).toBe('every topic, every day, at most 30 stories a mail');
    expect(
      describePreferences(
        effectivePreferences({ categories: ['City', 'World'], frequency: 'weekly', weekday: 'friday', maxStories: 1 }, choices),
        en,
      ),
    ).toBe('City, World, once a week on Friday, at most 1 story a mail');
  });

  it.each([
    ['frequency', 'Choose how often: daily or weekly.'],
    ['weekday', 'Choose a day of the week, Monday to Sunday.'],
    ['max-stories', 'Choose between 1 and 100 stories per mail.'],
  ] as const)('words the %s problem', (problem, message) => {
    expect(preferencesProblem(problem, en)).toBe(message);
  });
});
