import * as cheerio from 'cheerio';
import { renderDailyPage, sectionsFor, siteAssets, type PageContext } from '../../src/render';
import { arabicStory, digest, sentence, story } from './digests';

const assets = siteAssets();
const ctx = (overrides: Partial<PageContext> = {}): PageContext => ({
  root: '../../../',
  assets: { css: assets.css.path, icon: assets.icon.path, searchJs: assets.searchJs.path },
  siteTitle: 'Morning digest',
  lang: 'en',
  ...overrides,
});
const page = (d = digest(), c = ctx()) =>
  cheerio.load(renderDailyPage(d, c, { path: '2026/11/29/index.html', previousDate: '2026-11-28' }));

describe('daily page', () => {
  it('shows the title and the date in words, with the previous day linked', () => {
    const $ = page();
    expect($('h1').text()).toBe('Morning digest Sunday, 29 November 2026');
    expect($('h1 time').attr('datetime')).toBe('2026-11-29');
    expect($('a[rel=prev]').attr('href')).toBe('../../../2026/11/28/index.html');
    expect($('title').text()).toBe('Morning digest — Sunday, 29 November 2026');
  });

  it('gives every story its own lang and dir, and isolates source names', () => {
    const $ = page();
    const ar = $('article[lang=ar]');
    expect(ar.attr('dir')).toBe('rtl');
    expect(ar.find('h3 a').text()).toBe('افتتاح خط جديد للترامواي يربط الرباط بسلا');
    expect(ar.find('.m bdi').first().text()).toBe('صحيفة المدينة');
    // The English chrome inside an Arabic story is labelled as English.
    expect(ar.find('.m').attr('lang')).toBe('en');
    expect($('article[lang=en]').attr('dir')).toBe('ltr');
    expect($('article[lang=en] .m').attr('lang')).toBeUndefined();
  });

  it('shows published time in the digest time zone, reading time, every source and the feed-text marker', () => {
    const d = digest({
      stories: [
        story({
          sources: [
            { name: 'Northern Ledger', feedUrl: 'a' },
            { name: 'Science Wire', feedUrl: 'b' },
            { name: 'صحيفة المدينة', feedUrl: 'c' },
          ],
        }),
        story({
          id: 'x2',
          title: 'Libraries end late fees',
          publishedAt: '2026-11-28T21:10:00Z',
          summaryKind: 'feed',
          contentSource: 'feed',
          readingMinutes: 1,
        }),
      ],
    });
    const $ = page(d);
    const [first, second] = $('article')
      .toArray()
      .map((a) => $(a));
    // 06:10Z is 06:10 in London in November; a story from the day before shows its date.
    expect(first!.find('time').text()).toBe('06:10');
    expect(first!.find('time').attr('datetime')).toBe('2026-11-29T06:10Z');
    expect(first!.text()).toContain('4 min read');
    expect(first!.find('details.src summary').text()).toBe('3 sources: Northern Ledger, Science Wire, صحيفة المدينة');
    expect(first!.find('details.src summary bdi')).toHaveLength(3);
    expect(first!.find('details.src li')).toHaveLength(3);
    expect(first!.find('.f')).toHaveLength(0);
    expect(second!.find('time').text()).toBe('28 Nov 21:10');
    expect(second!.find('.f').text()).toBe('summary from feed text');
  });

  it('puts top stories first, then sections by category or feed in rank order', () => {
    const stories = [
      story({ id: '1', category: 'City' }),
      story({ id: '2', category: 'Science' }),
      story({ id: '3', category: undefined, source: 'Lone Feed' }),
      story({ id: '4', category: 'Science' }),
      story({ id: '5', category: 'City' }),
      story({ id: '6', category: undefined, source: 'Lone Feed' }),
      story({ id: '7', category: 'Science' }),
    ];
    const sections = sectionsFor(stories);
    expect(sections.map((s) => [s.heading, s.stories.map((x) => x.id)])).toEqual([
      ['Top stories', ['1', '2', '3']],
      ['Science', ['4', '7']],
      ['City', ['5']],
      ['Lone Feed', ['6']],
    ]);
    const $ = page(digest({ stories }));
    expect(
      $('h2')
        .toArray()
        .map((h) => $(h).text()),
    ).toEqual(['Top stories', 'Science', 'City', 'Lone Feed']);
    expect(
      $('nav.toc a')
        .toArray()
        .map((a) => $(a).attr('href')),
    ).toEqual(['#top', '#s1', '#s2', '#s3']);
  });

  it('lists the feeds that failed today in the footer', () => {
    const $ = page();
    expect($('footer details summary').text()).toBe('1 feed of 2 failed today');
    expect($('footer details li').text()).toBe('Downtown Courier (http-5xx, HTTP 503): HTTP 503');
    const none = page(digest({ feeds: [] }));
    expect(none('footer details')).toHaveLength(0);
  });

  it('carries the subscribe form only when an endpoint is configured', () => {
    expect(page()('form[method=post]')).toHaveLength(0);
    const $ = page(digest(), ctx({ subscribeEndpoint: 'https://digest.example/api/' }));
    const form = $('form[method=post]');
    expect(form.attr('action')).toBe('https://digest.example/api/subscribe');
    expect(form.find('input[name=email][type=email]')).toHaveLength(1);
    expect($(`label[for=${form.find('input').attr('id')}]`)).toHaveLength(1);
    // A non-http endpoint is not rendered at all.
    expect(page(digest(), ctx({ subscribeEndpoint: 'javascript:alert(1)' }))('form[method=post]')).toHaveLength(0);
  });

  it('never links anything but absolute http(s) URLs, and has no inline script or style', () => {
    const d = digest({
      stories: [
        story({ id: 'a', url: 'javascript:alert(1)', title: '<script>alert(1)</script>' }),
        story({ id: 'b', url: 'data:text/html,<script>alert(1)</script>', source: '<img src=x onerror=alert(1)>' }),
        story({ id: 'c', url: '/relative', category: '" onmouseover="alert(1)' }),
        story({ id: 'd', url: 'https://ok.example/"onmouseover="alert(1)', lang: '"><script>', dir: 'rtl" onclick="x' as 'rtl' }),
      ],
    });
    const out = renderDailyPage(d, ctx({ siteUrl: 'https://digest.example' }), { path: 'index.html' });
    const $ = cheerio.load(out);
    expect($('script, style, img, svg, iframe')).toHaveLength(0);
    $('*').each((_, el) => {
      for (const name of Object.keys((el as unknown as { attribs: Record<string, string> }).attribs)) {
        expect(name).not.toMatch(/^on|^style$/i);
      }
    });
    const external = $('a[href]')
      .toArray()
      .map((a) => $(a).attr('href')!)
      .filter((h) => /^[a-z]+:/i.test(h));
    expect(external).toEqual(['https://ok.example/%22onmouseover=%22alert(1)']);
    expect($('article').eq(0).find('h3').text()).toBe('<script>alert(1)</script>');
    expect($('article').eq(0).find('a')).toHaveLength(0);
    expect($('article').eq(3).attr('lang')).toBe('und');
    expect($('article').eq(3).attr('dir')).toBe('auto');
  });

  it('says so when there are no stories', () => {
    const $ = page(digest({ stories: [] }));
    expect($('main').text()).toContain('No new stories today.');
    expect($('article')).toHaveLength(0);
  });

  it('stays under 50 KB of HTML + CSS for 50 stories', () => {
    const stories = Array.from({ length: 50 }, (_, i) => {
      const ar = i % 5 === 4;
      const base = ar ? arabicStory() : story();
      return {
        ...base,
        id: `s${i}`,
        title: `${ar ? 'عنوان خبر طويل نسبيا عن الحكومة والمدينة رقم' : 'A fairly long headline about the city council and its budget, number'} ${i}`,
        url: `https://news${i % 12}.example.com/2026/11/29/story-about-the-city-${i}/`,
        category: ['City', 'Science', 'World', 'Business', 'Culture'][i % 5],
        sources: i % 7 === 0 ? [...base.sources, { name: 'Science Wire', feedUrl: 'x' }] : base.sources,
        summary: [sentence(i, 140, ar), sentence(i + 1, 140, ar), sentence(i + 2, 140, ar)],
      };
    });
    const d = digest({ stories });
    const htmlBytes = Buffer.byteLength(
      renderDailyPage(d, ctx({ subscribeEndpoint: 'https://digest.example/api' }), {
        path: 'index.html',
        previousDate: '2026-11-28',
      }),
    );
    const cssBytes = Buffer.byteLength(assets.css.body);
    if (process.env.PRINT_SIZES)
      process.stdout.write(`50 stories: HTML ${htmlBytes} B + CSS ${cssBytes} B = ${htmlBytes + cssBytes} B\n`);
    expect(htmlBytes + cssBytes).toBeLessThan(50 * 1024);
  });

  it('lists the sources of a story compactly, every one a click away, right-to-left in an Arabic story, hostile text inert', () => {
    const sources = ['Pacific Wire', 'Island Herald', 'Global Desk', 'Daily <b onmouseover="x()">Bold</b>', 'Fifth Post'].map(
      (name, i) => ({
        name,
        feedUrl: `https://f${i}.example/rss.xml`,
        url: i === 4 ? 'javascript:alert(1)' : `https://f${i}.example/story-${i}`,
        title: `Headline ${i} <img src=x onerror=alert(1)>`,
        publishedAt: '2026-11-29T06:00:00Z',
      }),
    );
    const $ = page(
      digest({
        stories: [
          story({ sources, source: 'Pacific Wire', clusterSize: 5 }),
          arabicStory({ sources: sources.slice(0, 2), clusterSize: 2 }),
          story({ id: 'up', title: 'Death toll rises', updateOf: { id: 'earlier', date: '2026-11-28' } }),
        ],
      }),
    );
    const [first, arabic, update] = $('article')
      .toArray()
      .map((a) => $(a));
    expect(first!.find('details.src summary').text()).toBe('5 sources: Pacific Wire, Island Herald, Global Desk +2 more');
    expect(first!.find('details.src').attr('open')).toBeUndefined();
    const items = first!.find('details.src li');
    expect(items).toHaveLength(5);
    expect(items.eq(3).text()).toBe('Daily <b onmouseover="x()">Bold</b>: Headline 3 <img src=x onerror=alert(1)>');
    expect(first!.find('details.src img, details.src b')).toHaveLength(0);
    // The unsafe link is shown as a name without a link.
    expect(
      items
        .find('a')
        .map((_, a) => $(a).attr('href'))
        .get(),
    ).toEqual(sources.slice(0, 4).map((s) => s.url));
    expect(arabic!.attr('dir')).toBe('rtl');
    expect(arabic!.find('details.src').attr('lang')).toBe('en');
    expect(arabic!.find('details.src summary').text()).toBe('2 sources: Pacific Wire, Island Herald');
    expect(update!.find('h3').text()).toBe('Update: Death toll rises');
    expect(update!.find('.m time[datetime="2026-11-28"]')).toHaveLength(1);
    expect(update!.find('details.src')).toHaveLength(0);
  });
});
