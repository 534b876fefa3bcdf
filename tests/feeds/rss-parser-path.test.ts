/**
 * rss-parser is the parser of record for well-formed RSS 2.0 / Atom 1.0 / RSS 1.0; the tree reader
 * takes the cases it gets wrong, the ones whose cost the pre-scan cannot bound, and any feed it
 * throws on or overruns its deadline with. These tests show which path each feed takes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseFeed } from '../../src/feeds';
import { prescanFeed, snippetCost } from '../../src/feeds/prescan';
import { rssParserWorkersSpawned } from '../../src/feeds/rss-parser-worker';

/** The parsed feed beside the reader that produced it and why. */
const parseFeedDetailed = async (...args: Parameters<typeof parseFeed>) => {
  const feed = await parseFeed(...args);
  return { feed, parser: feed.parser, note: feed.parserNote };
};

const CONFORMANCE = path.join(__dirname, '../fixtures/feeds/conformance');
const HOSTILE = path.join(__dirname, '../fixtures/feeds/hostile');
const URL = 'http://example.org/feeds/feed.xml';
const FETCHED_AT = '2030-01-01T00:00:00.000Z';
const SCAN_LIMITS = { maxDepth: 128, maxElements: 400_000, maxSnippetCost: 20_000_000 };

const rss = (items: string, extraNs = ''): string =>
  `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"${extraNs}><channel><title>Channel</title><link>http://example.org/</link><language>en</language>${items}</channel></rss>`;

describe('the rss-parser path', () => {
  it('reads a well-formed RSS 2.0 feed with content:encoded, dc:creator, media and enclosures', async () => {
    const text = rss(
      '<item><title>First &amp; best</title><link>/posts/1</link><guid isPermaLink="false">post-1</guid>' +
        '<pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate><dc:creator>Jane Doe</dc:creator>' +
        '<description>Short</description><content:encoded><![CDATA[<p>Full <b>text</b></p>]]></content:encoded>' +
        '<category>News</category><category>Local</category></item>' +
        '<item><title>Episode</title><pubDate>Wed, 11 Jun 2003 04:00:00 GMT</pubDate>' +
        '<enclosure url="http://example.org/ep.mp3" type="audio/mpeg" length="1"/>' +
        '<media:description>Spoken words</media:description></item>',
    );
    const { feed, parser, note } = await parseFeedDetailed(text, URL, { fetchedAt: FETCHED_AT });
    expect(parser).toBe('rss-parser');
    expect(note).toBeUndefined();
    expect(feed.title).toBe('Channel');
    expect(feed.lang).toBe('en');
    const [episode, first] = feed.items;
    expect(first).toMatchObject({
      id: 'post-1',
      title: 'First & best',
      link: 'http://example.org/posts/1',
      author: 'Jane Doe',
      publishedAt: '2003-06-10T04:00:00.000Z',
      contentHtml: '<p>Full <b>text</b></p>',
      categories: ['News', 'Local'],
    });
    expect(episode).toMatchObject({ link: 'http://example.org/ep.mp3', contentText: 'Spoken words', title: 'Episode' });
    // The same feed through the tree reader comes out the same.
    const tree = await parseFeed(text, URL, { fetchedAt: FETCHED_AT, rssParser: { enabled: false } });
    expect(tree.parser).toBe('tree');
    expect(tree.items).toEqual(feed.items);
  });

  it('keeps an Atom text-typed title literal and reads raw dates, not rss-parser’s', async () => {
    const text =
      '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>' +
      '<entry><title type="text">a &lt;b&gt; tag</title><link href="http://example.org/a"/><id>urn:a</id>' +
      '<published>2003-02-31T10:00:00Z</published><updated>2003-03-01T10:00:00Z</updated></entry></feed>';
    const { feed, parser } = await parseFeedDetailed(text, URL, { fetchedAt: FETCHED_AT });
    expect(parser).toBe('rss-parser');
    expect(feed.items[0].title).toBe('a <b> tag');
    // rss-parser's own pubDate rolls 31 February over into March; our parser rejects it and uses <updated>.
    expect(feed.items[0].publishedAt).toBe('2003-03-01T10:00:00.000Z');
  });

  it('agrees with the tree reader on every conformance feed it takes', async () => {
    let taken = 0;
    for (const cls of fs.readdirSync(CONFORMANCE)) {
      for (const name of fs.readdirSync(path.join(CONFORMANCE, cls))) {
        const text = fs.readFileSync(path.join(CONFORMANCE, cls, name), 'utf8');
        const a = await parseFeed(text, URL, { fetchedAt: FETCHED_AT }).catch(() => undefined);
        if (a?.parser !== 'rss-parser') continue;
        taken++;
        const b = await parseFeed(text, URL, { fetchedAt: FETCHED_AT, rssParser: { enabled: false } });
        const { parser: _a, parserNote: _an, ...fromRssParser } = a;
        const { parser: _b, parserNote: _bn, ...fromTree } = b;
        expect({ file: `${cls}/${name}`, ...fromRssParser }).toEqual({ file: `${cls}/${name}`, ...fromTree });
      }
    }
    expect(taken).toBeGreaterThanOrEqual(60);
  });

  it('parses feeds side by side through the one worker', async () => {
    const feeds = Array.from({ length: 8 }, (_, f) =>
      rss(
        `<item><title>Feed ${f}</title><link>http://example.org/${f}</link><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item>`,
      ),
    );
    const results = await Promise.all(feeds.map((t) => parseFeedDetailed(t, URL, { fetchedAt: FETCHED_AT })));
    expect(results.map((r) => [r.parser, r.feed.items[0].title])).toEqual(feeds.map((_, f) => ['rss-parser', `Feed ${f}`]));
  });
});

describe('gaps go to the tree reader', () => {
  it.each([
    ['roots/rss-no-version.xml', /pre-scan: rss-without-version/],
    ['roots/cdf.xml', /pre-scan: root <CHANNEL>/],
    ['roots/atom-prefixed.xml', /pre-scan: root <a:feed>/],
    ['roots/rss-10-prefixed.xml', /pre-scan: root <r:RDF>/],
    ['atom-titles/xhtml-title.xml', /pre-scan: xhtml-text-construct/],
    ['atom-titles/atom03-escaped.xml', /pre-scan: atom-namespace/],
    ['dates/atom03-issued.xml', /pre-scan: atom-namespace/],
    ['dates/dcterms-issued.xml', /pre-scan: dcterms/],
    ['authors/dc-author.xml', /pre-scan: dc:author/],
    ['links/xml-base-rss.xml', /pre-scan: xml:base/],
    ['entities/inline-dtd-entity.xml', /pre-scan: inline-dtd/],
    ['atom-titles/naked-markup.xml', /rss-parser gap: markup inside <title>/],
    ['roots/rss-uppercase-elements.xml', /rss-parser gap: an item without a title/],
    ['dates/atom-bad-published.xml', /rss-parser error: Invalid time value/],
    ['entities/bare-ampersand.xml', /rss-parser error/],
  ])('%s → tree (%s)', async (file, note) => {
    const text = fs.readFileSync(path.join(CONFORMANCE, file), 'utf8');
    const result = await parseFeedDetailed(text, URL, { fetchedAt: FETCHED_AT });
    expect(result.parser).toBe('tree');
    expect(result.note).toMatch(note);
    expect(result.feed.items.length).toBeGreaterThan(0);
  });

  it.each(['dates/rfc822.xml', 'dates/atom-published.xml', 'roots/rss-10.xml', 'roots/rss-091.xml'])(
    '%s stays on rss-parser',
    async (file) => {
      const text = fs.readFileSync(path.join(CONFORMANCE, file), 'utf8');
      expect((await parseFeedDetailed(text, URL, { fetchedAt: FETCHED_AT })).parser).toBe('rss-parser');
    },
  );

  it('applies the hostile-input bounds before rss-parser sees the text', () => {
    for (const name of ['billion-laughs.xml', 'xxe.xml', 'xxe-parameter.xml']) {
      const scan = prescanFeed(fs.readFileSync(path.join(HOSTILE, name), 'utf8'), SCAN_LIMITS);
      expect(scan).toMatchObject({ route: 'tree', reason: 'inline-dtd' });
    }
    const deep = rss(`<item><description>${'<div>'.repeat(200)}${'</div>'.repeat(200)}</description></item>`);
    expect(prescanFeed(deep, SCAN_LIMITS)).toMatchObject({ route: 'tree', reason: 'too-deep' });
    const many = rss('<item><title>x</title></item>'.repeat(50));
    expect(prescanFeed(many, { ...SCAN_LIMITS, maxElements: 100 })).toMatchObject({ route: 'tree', reason: 'too-many-elements' });
    expect(prescanFeed(rss('<item><title>x</title>'), SCAN_LIMITS)).toMatchObject({ route: 'tree', reason: 'unbalanced' });
  });
});

describe('rss-parser’s quadratic snippet', () => {
  const evil = rss(
    `<item><title>x</title><link>http://example.org/x</link><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate><description>${'&lt;a '.repeat(50_000)}</description></item>`,
  );

  it('bounds its cost linearly and sends a costly feed straight to the tree reader', async () => {
    expect(snippetCost('<p>a</p> &lt;b&gt; <![CDATA[<i>]]>')).toBeLessThan(40);
    expect(snippetCost('&lt;a '.repeat(1000))).toBeGreaterThan(1_000_000);
    const t0 = Date.now();
    const result = await parseFeedDetailed(evil, URL, { fetchedAt: FETCHED_AT });
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(result).toMatchObject({ parser: 'tree', note: 'pre-scan: snippet-cost' });
    expect(result.feed.items).toHaveLength(1);
  });

  it('is cut off by the deadline when it hangs rss-parser; the feed is still read, and the next worker works', async () => {
    const spawnedBefore = rssParserWorkersSpawned();
    const t0 = Date.now();
    // Without the pre-scan's cost bound, rss-parser would spend many seconds in contentSnippet.
    const result = await parseFeedDetailed(evil, URL, {
      fetchedAt: FETCHED_AT,
      limits: { deadlineMs: 400 },
      rssParser: { maxSnippetCost: Infinity },
    });
    const elapsed = Date.now() - t0;
    expect(result.parser).toBe('tree');
    expect(result.note).toMatch(/^rss-parser timeout: rss-parser took more than 400 ms/);
    expect(result.feed.items).toHaveLength(1);
    expect(result.feed.items[0]).toMatchObject({ title: 'x', link: 'http://example.org/x' });
    expect(elapsed).toBeLessThan(3_000);
    // The stuck worker was terminated; a fresh one takes the next feed.
    const next = await parseFeedDetailed(
      rss('<item><title>ok</title><link>http://example.org/ok</link><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item>'),
      URL,
      { fetchedAt: FETCHED_AT },
    );
    expect(next.parser).toBe('rss-parser');
    expect(rssParserWorkersSpawned()).toBe(spawnedBefore + 1);
  });
});
