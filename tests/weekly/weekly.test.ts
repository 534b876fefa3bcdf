/** Weekly editions: ISO weeks, one entry per story across days, ranking by coverage, page, JSON and Atom. */
import { rm } from 'node:fs/promises';
import * as cheerio from 'cheerio';
import { chromeFor } from '../../src/i18n';
import { buildWeeklyEdition, isoWeekId, isoWeekOf, isoWeekRange, mergeWeek, rankWeek } from '../../src/pipeline/weekly';
import { publishWeekly } from '../../src/pipeline/weekly-stage';
import { publishDigest } from '../../src/render';
import { renderWeeklyAtom } from '../../src/render/weekly';
import { FsStore, type Store } from '../../src/store';
import type { Digest, WeeklyEdition } from '../../src/types';
import { digest, story } from '../render/digests';
import { tempDir } from '../helpers/tmp';

const src = (name: string, n = 1) => ({ name, feedUrl: `https://${name}.example/rss.xml`, url: `https://${name}.example/a${n}` });

describe('isoWeekOf', () => {
  it('names the ISO week, with the year of its Thursday at both year edges', () => {
    const cases: [string, string][] = [
      ['2026-12-07', '2026-W50'],
      ['2026-12-06', '2026-W49'], // a Sunday ends its week
      ['2026-11-30', '2026-W49'], // a Monday starts one
      ['2026-12-28', '2026-W53'],
      ['2026-12-31', '2026-W53'],
      ['2027-01-01', '2026-W53'],
      ['2027-01-03', '2026-W53'],
      ['2027-01-04', '2027-W01'],
      ['2026-01-01', '2026-W01'], // 2026 starts on a Thursday: a 53-week year
      ['2024-12-30', '2025-W01'], // a Monday of December in next year's first week
      ['2021-01-03', '2020-W53'],
      ['2008-12-29', '2009-W01'],
      ['2010-01-03', '2009-W53'],
      ['2000-01-01', '1999-W52'],
    ];
    for (const [date, week] of cases) expect([date, isoWeekId(isoWeekOf(date))]).toEqual([date, week]);
  });

  it('holds the defining properties of ISO 8601 weeks on every day of 1990–2040', () => {
    // Independent of the implementation: Monday starts a week, consecutive weeks count up by one or
    // restart at W01 on the Monday of the week holding 4 January, which is always week 1; 28 December
    // is always in the last week, which is 52 or 53.
    const broken: string[] = [];
    let previous = isoWeekOf('1989-12-31');
    for (let t = Date.UTC(1990, 0, 1); t <= Date.UTC(2040, 11, 31); t += 86_400_000) {
      const date = new Date(t).toISOString().slice(0, 10);
      const w = isoWeekOf(date);
      const monday = new Date(t).getUTCDay() === 1;
      const ok = !monday
        ? w.year === previous.year && w.week === previous.week
        : w.week === 1
          ? w.year === previous.year + 1 && (previous.week === 52 || previous.week === 53)
          : w.year === previous.year && w.week === previous.week + 1;
      if (!ok) broken.push(`${date}: ${isoWeekId(w)} after ${isoWeekId(previous)}`);
      if (date.endsWith('-01-04') && (w.week !== 1 || w.year !== Number(date.slice(0, 4)))) broken.push(`${date} not in W01`);
      if (date.endsWith('-12-28') && isoWeekOf(new Date(t + 7 * 86_400_000).toISOString().slice(0, 10)).week !== 1) {
        broken.push(`${date} not in the last week`);
      }
      previous = w;
    }
    expect(broken).toEqual([]);
  });

  it('gives the Monday to Sunday range across a year edge', () => {
    expect(isoWeekRange('2027-01-01')).toEqual({ from: '2026-12-28', to: '2027-01-03' });
    expect(isoWeekRange('2026-12-06')).toEqual({ from: '2026-11-30', to: '2026-12-06' });
  });
});

describe('mergeWeek and rankWeek', () => {
  const days: Digest[] = [
    digest({
      date: '2026-11-30',
      stories: [
        story({ id: 'bridge', title: 'Bridge reopens', sources: [src('ledger')] }),
        story({ id: 'quake', title: 'Quake hits coast', sources: [src('wire'), src('herald')], clusterSize: 2 }),
      ],
    }),
    digest({
      date: '2026-12-01',
      stories: [
        // The same bridge story again (its id), with two more outlets.
        story({ id: 'bridge', title: 'Bridge reopens', sources: [src('ledger'), src('courier'), src('gazette')] }),
        // An update of Monday's quake story: the same story.
        story({
          id: 'quake-2',
          title: 'Quake toll rises',
          updateOf: { id: 'quake', date: '2026-11-30' },
          sources: [src('wire', 2)],
        }),
      ],
    }),
    digest({
      date: '2026-12-02',
      stories: [
        // An update of the update: still the same story.
        story({
          id: 'quake-3',
          title: 'Quake aid arrives',
          updateOf: { id: 'quake-2', date: '2026-12-01' },
          sources: [src('post')],
        }),
        story({ id: 'solo', title: 'Library opens', sources: [src('ledger', 9)] }),
      ],
    }),
  ];

  it('keeps one entry per story, however many days it ran, with every source of the week', () => {
    const merged = mergeWeek(days);
    expect(merged.map((s) => s.id).sort()).toEqual(['bridge', 'quake', 'solo']);
    const quake = merged.find((s) => s.id === 'quake')!;
    expect(quake.title).toBe('Quake hits coast'); // as it first ran
    expect(quake.days).toEqual(['2026-11-30', '2026-12-01', '2026-12-02']);
    expect(quake.sources.map((s) => s.url)).toEqual([
      'https://wire.example/a1',
      'https://herald.example/a1',
      'https://wire.example/a2',
      'https://post.example/a1',
    ]);
    expect(quake.articles).toBe(4);
    const bridge = merged.find((s) => s.id === 'bridge')!;
    expect(bridge.days).toEqual(['2026-11-30', '2026-12-01']);
    expect(bridge.sources).toHaveLength(3);
  });

  it('ranks by coverage across the week: distinct feeds, then articles, then days', () => {
    // quake: 3 feeds (wire, herald, post), 4 articles; bridge: 3 feeds, 3 articles; solo: 1 feed.
    expect(rankWeek(mergeWeek(days)).map((s) => s.id)).toEqual(['quake', 'bridge', 'solo']);
    // Reading the days in any order gives the same edition.
    expect(rankWeek(mergeWeek([...days].reverse())).map((s) => s.id)).toEqual(['quake', 'bridge', 'solo']);
  });

  it('builds an edition of its range only, capped', () => {
    const edition = buildWeeklyEdition({
      digests: days,
      from: '2026-12-01',
      to: '2026-12-07',
      week: '2026-W49',
      title: 'Morning digest',
      timezone: 'UTC',
      generatedAt: '2026-12-02T07:00:00.000Z',
      maxStories: 2,
    });
    expect(edition.dates).toEqual(['2026-12-01', '2026-12-02']);
    expect(edition.stories.map((s) => s.id)).toEqual(['bridge', 'quake-2']);
  });
});

describe('publishWeekly', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = await tempDir('weekly-');
    store = new FsStore(dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const text = async (key: string): Promise<string> => (await store.get(key))!.toString('utf8');

  /** One run's publishing, in the publish stage's order: the week, then the day. */
  async function publishDay(d: Digest) {
    const weekly = await publishWeekly(store, d, { siteUrl: 'https://digest.example.org', maxStories: 100 });
    await publishDigest(store, d, { siteUrl: 'https://digest.example.org' });
    return weekly;
  }

  it('grows the ISO week through its runs, links it from the archive and carries one Atom entry per week', async () => {
    const sunday = digest({
      date: '2026-12-27',
      stories: [story({ id: 'old', title: 'Last week', sources: [src('ledger', 1)] })],
    });
    await publishDay(sunday);
    const thursday = digest({
      date: '2026-12-31',
      generatedAt: '2026-12-31T07:00:00.000Z',
      stories: [story({ id: 'eve', title: 'New year eve', sources: [src('ledger', 2)] })],
    });
    await publishDay(thursday);
    const friday = digest({
      date: '2027-01-01',
      generatedAt: '2027-01-01T07:00:00.000Z',
      stories: [
        story({ id: 'eve', title: 'New year eve', sources: [src('ledger', 2), src('wire', 3)] }),
        story({ id: 'day', title: 'New year day', sources: [src('courier', 4)] }),
      ],
    });
    const result = await publishDay(friday);
    expect(result.error).toBeUndefined();

    // 2027-01-01 is in 2026-W53, with 31 December: the edition covers both days, the story once.
    const week = JSON.parse(await text('site/2026/W53/weekly.json')) as WeeklyEdition;
    expect(week).toMatchObject({ week: '2026-W53', from: '2026-12-28', to: '2027-01-03', dates: ['2026-12-31', '2027-01-01'] });
    expect(week.stories.map((s) => [s.id, s.days])).toEqual([
      ['eve', ['2026-12-31', '2027-01-01']],
      ['day', ['2027-01-01']],
    ]);
    const page = cheerio.load(await text('site/2026/W53/index.html'));
    expect(page('h1').text()).toBe('Week 53, 2026');
    expect(
      page('article h3')
        .map((_, e) => page(e).text())
        .get(),
    ).toEqual(['New year eve', 'New year day']);
    expect(page('article + p.m a').first().attr('href')).toBe('../../2026/12/31/index.html');
    expect(page('link[rel=alternate][href="../../weekly.xml"]')).toHaveLength(1);

    // The mail's range is the 7 days ending on the run's date: Saturday 26 December to Friday.
    expect(result.mail).toMatchObject({
      from: '2026-12-26',
      to: '2027-01-01',
      dates: ['2026-12-27', '2026-12-31', '2027-01-01'],
    });
    expect(result.mail!.stories.map((s) => s.id).sort()).toEqual(['day', 'eve', 'old']);

    const archive = cheerio.load(await text('site/archive.html'));
    expect(
      archive('#weeks + ul a')
        .map((_, e) => [[archive(e).attr('href'), archive(e).text()]])
        .get(),
    ).toEqual([
      ['2026/W53/index.html', 'Week 53, 2026'],
      ['2026/W52/index.html', 'Week 52, 2026'],
    ]);

    const atom = cheerio.load(await text('site/weekly.xml'), { xml: true });
    expect(atom('entry')).toHaveLength(2);
    expect(
      atom('entry > id')
        .map((_, e) => atom(e).text())
        .get(),
    ).toEqual(['https://digest.example.org/2026/W53/index.html', 'https://digest.example.org/2026/W52/index.html']);
    expect(atom('entry').first().find('title').text()).toBe('Morning digest — Week 53, 2026');
  });

  it("publishes the week's page, the archive's weeks and weekly.xml in digest.lang", async () => {
    const d = digest({ date: '2026-12-02', stories: [story({ id: 'a', title: 'Bridge reopens', sources: [src('ledger', 1)] })] });
    await publishWeekly(store, d, { siteUrl: 'https://digest.example.org', maxStories: 100, lang: 'fr' });
    await publishDigest(store, d, { siteUrl: 'https://digest.example.org', lang: 'fr' });
    const fr = chromeFor('fr');
    const heading = fr.text('weekHeading', { week: '49', year: '2026' });
    const page = cheerio.load(await text('site/2026/W49/index.html'));
    expect(page('html').attr('lang')).toBe('fr');
    expect(page('h1').text()).toBe(heading);
    expect(page('h2#top').text()).toBe(fr.text('weekTopHeading'));
    const archive = cheerio.load(await text('site/archive.html'));
    expect(archive('#weeks').text()).toBe(fr.text('weekArchiveHeading'));
    expect(archive('#weeks + ul a').text()).toBe(heading);
    const atom = cheerio.load(await text('site/weekly.xml'), { xml: true });
    expect(atom('feed').attr('xml:lang')).toBe('fr');
    expect(atom('feed > title').text()).toBe(fr.text('weekFeedTitle', { title: 'Morning digest' }));
    expect(atom('entry > summary').text()).toBe(`${fr.count('storyCount', 1)} : Bridge reopens`);
  });

  it('reports a digest that cannot be read as an error, publishing nothing of the week', async () => {
    await publishDay(digest({ date: '2026-11-30' }));
    const failing: Store = {
      ...store,
      list: (p) => store.list(p),
      put: (k, b, o) => store.put(k, b, o),
      delete: (k) => store.delete(k),
      get: async (key) => {
        if (key.endsWith('2026/11/30/digest.json')) throw new Error('AccessDenied');
        return store.get(key);
      },
    } as Store;
    const before = await text('site/2026/W49/weekly.json');
    const result = await publishWeekly(failing, digest({ date: '2026-12-01' }), { maxStories: 100 });
    expect(result.error).toMatch(/AccessDenied/);
    expect(result.mail).toBeUndefined();
    expect(await text('site/2026/W49/weekly.json')).toBe(before);
  });
});

describe('renderWeeklyAtom', () => {
  it('is well-formed without a site URL, with stable urn ids', () => {
    const edition = buildWeeklyEdition({
      digests: [digest({ date: '2026-12-02', stories: [story({ title: 'A <b>bold</b> & "quoted" title' })] })],
      from: '2026-11-30',
      to: '2026-12-06',
      week: '2026-W49',
      title: 'Morning digest',
      timezone: 'UTC',
      generatedAt: '2026-12-02T07:00:00.000Z',
    });
    const xml = renderWeeklyAtom([edition], { siteTitle: 'Morning digest', lang: 'en' });
    const $ = cheerio.load(xml, { xml: true });
    expect($('entry > id').text()).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect($('entry > title').text()).toBe('Morning digest — Week 49, 2026');
    expect($('entry > content').text()).toContain('A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; title');
    expect(renderWeeklyAtom([edition], { siteTitle: 'Morning digest', lang: 'en' })).toBe(xml);
  });
});
