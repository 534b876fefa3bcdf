import * as cheerio from 'cheerio';
import { parseFeed } from '../../src/feeds';
import { renderAtomFeed, renderJsonFeed } from '../../src/render';
import { arabicStory, digest, story } from './digests';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const days = [
  digest({ date: '2026-11-29', generatedAt: '2026-11-29T07:00:00.000Z' }),
  digest({
    date: '2026-11-28',
    generatedAt: '2026-11-28T07:00:00.000Z',
    stories: [
      story({ title: 'Hostile <script>alert(1)</script> & \u0007bell \u202Eflip', summary: [']]> <![CDATA[ x'] }),
      arabicStory(),
    ],
  }),
];

describe('Atom feed (RFC 4287)', () => {
  const check = (xml: string, withSite: boolean) => {
    const $ = cheerio.load(xml, { xml: true });
    const feed = $('feed');
    expect(feed.attr('xmlns')).toBe('http://www.w3.org/2005/Atom');
    // atom:feed: exactly one id, title, updated; an author (no entry has its own).
    for (const name of ['id', 'title', 'updated']) expect(feed.children(name)).toHaveLength(1);
    expect(feed.children('author').children('name').text()).toBe('Morning digest');
    expect(feed.children('updated').text()).toMatch(RFC3339);
    expect(feed.children('updated').text()).toBe('2026-11-29T07:00:00.000Z');
    const entries = feed
      .children('entry')
      .toArray()
      .map((e) => $(e));
    expect(entries).toHaveLength(2);
    const ids = entries.map((e) => e.children('id').text());
    expect(new Set(ids).size).toBe(2);
    for (const e of entries) {
      for (const name of ['id', 'title', 'updated']) expect(e.children(name)).toHaveLength(1);
      const id = e.children('id').text();
      expect(id).toMatch(
        withSite
          ? /^https:\/\/digest\.example\/\d{4}\/\d{2}\/\d{2}\/index\.html$/
          : /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(e.children('updated').text()).toMatch(RFC3339);
      expect(e.children('link[rel=alternate]').attr('href')).toBeTruthy();
      expect(e.children('content').attr('type')).toBe('html');
      // Only one alternate link per type/hreflang (RFC 4287 4.1.1).
      expect(e.children('link[rel=alternate]')).toHaveLength(1);
    }
    return { $, entries };
  };

  it('is a valid Atom document with one entry per day, newest first, and the digest as content', async () => {
    const xml = renderAtomFeed(days, { siteTitle: 'Morning digest', siteUrl: 'https://digest.example', lang: 'en' });
    const { $, entries } = check(xml, true);
    expect($('feed > link[rel=self]').attr('href')).toBe('https://digest.example/feed.xml');
    expect(entries[0]!.children('title').text()).toBe('Morning digest — Sunday, 29 November 2026');
    const content = cheerio.load(entries[1]!.children('content').text());
    expect(content('article[lang=ar]').attr('dir')).toBe('rtl');
    expect(content('article').first().find('h3').text()).toBe('Hostile <script>alert(1)</script> & bell flip');
    expect(content('script')).toHaveLength(0);
    // No characters XML 1.0 forbids.
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    // A real RSS/Atom parser (strict XML) reads it back.
    const parsed = await parseFeed(xml, 'https://digest.example/feed.xml', { fetchedAt: '2026-11-30T00:00:00Z' });
    expect(parsed.items.map((i) => i.link)).toEqual([
      'https://digest.example/2026/11/29/index.html',
      'https://digest.example/2026/11/28/index.html',
    ]);
  });

  it('stays valid without a site URL (urn:uuid ids, relative links)', () => {
    const xml = renderAtomFeed(days, { siteTitle: 'Morning digest', lang: 'en' });
    const { $, entries } = check(xml, false);
    expect($('feed > id').text()).toMatch(/^urn:uuid:/);
    expect($('feed > link[rel=self]')).toHaveLength(0);
    expect(entries[0]!.children('link').attr('href')).toBe('2026/11/29/index.html');
    // Ids are stable across runs.
    expect(renderAtomFeed(days, { siteTitle: 'Morning digest', lang: 'en' })).toBe(xml);
  });
});

describe('JSON Feed 1.1', () => {
  it('has the required fields and one item per day', () => {
    const text = renderJsonFeed(days, { siteTitle: 'Morning digest', siteUrl: 'https://digest.example', lang: 'en' });
    expect(text).not.toContain('<');
    const feed = JSON.parse(text);
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.title).toBe('Morning digest');
    expect(feed.home_page_url).toBe('https://digest.example/');
    expect(feed.feed_url).toBe('https://digest.example/feed.json');
    expect(feed.items).toHaveLength(2);
    for (const item of feed.items) {
      expect(typeof item.id).toBe('string');
      expect(item.url).toMatch(/^https:\/\/digest\.example\//);
      expect(item.content_html).toContain('<article');
      expect(item.date_published).toMatch(RFC3339);
    }
    expect(cheerio.load(feed.items[1].content_html)('h3').first().text()).toBe('Hostile <script>alert(1)</script> & bell flip');
  });
});
