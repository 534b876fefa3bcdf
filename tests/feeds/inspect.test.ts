import { inspectFeed, parseFeed } from '../../src/feeds';

const FEED = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Order &amp; all</title><link>http://example.org/</link>
<item><title>Older &lt;b&gt;first&lt;/b&gt;</title><link>/a/1</link><pubDate>Mon, 01 Mar 2010 10:00:00 GMT</pubDate></item>
<item><title>No link</title><pubDate>Tue, 02 Mar 2010 10:00:00 EST</pubDate></item>
<item><title>Newer</title><link>http://example.org/a/3</link><dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2010-03-03T10:00:00+01:00</dc:date></item>
</channel></rss>`;

describe('inspectFeed', () => {
  it('shows every entry in document order, with the titles, links and dates parseFeed would give', async () => {
    const view = await inspectFeed(FEED, 'http://example.org/feed.xml');
    expect(view).toMatchObject({ format: 'rss', title: 'Order & all', link: 'http://example.org/' });
    expect(view.entries).toEqual([
      { title: 'Older first', link: 'http://example.org/a/1', published: '2010-03-01T10:00:00.000Z' },
      { title: 'No link', published: '2010-03-02T15:00:00.000Z' },
      { title: 'Newer', link: 'http://example.org/a/3', published: '2010-03-03T09:00:00.000Z' },
    ]);
    // parseFeed orders newest first and keeps the linkless item, linked to the feed's site; the shared fields agree.
    const feed = await parseFeed(FEED, 'http://example.org/feed.xml', { fetchedAt: '2026-01-01T00:00:00.000Z' });
    expect(feed.items.map((i) => [i.title, i.link, i.publishedAt, i.linkSource])).toEqual([
      ['Newer', 'http://example.org/a/3', '2010-03-03T09:00:00.000Z', undefined],
      ['No link', 'http://example.org/', '2010-03-02T15:00:00.000Z', 'site'],
      ['Older first', 'http://example.org/a/1', '2010-03-01T10:00:00.000Z', undefined],
    ]);
    expect(feed.itemsDropped).toBe(0);
    expect(feed.itemsWithoutLink).toBe(1);
  });
});

const ns = 'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"';
const AUTHORS_RSS = `<?xml version="1.0"?>
<rss version="2.0" ${ns}><channel><title>People</title>
<atom:link rel="alternate" type="text/html" href="http://example.org/site/"/>
<item><title>RSS form</title><link>http://example.org/1</link><author>jane@example.org (Jane Doe)</author></item>
<item><title>Reversed form</title><link>http://example.org/2</link><author>John Roe (john@example.org)</author></item>
<item><title>Two creators</title><link>http://example.org/3</link><dc:creator>Ann</dc:creator><dc:creator>Bo</dc:creator></item>
<item><title>Atom inside RSS</title><link>http://example.org/4</link><atom:author><atom:name>Cy</atom:name><atom:uri>http://example.org/cy</atom:uri></atom:author></item>
<item><title>Podcast</title><link>http://example.org/5</link><itunes:author>Dee Host</itunes:author></item>
<item><title>Related only</title><atom:link rel="related" href="http://example.org/elsewhere"/><guid isPermaLink="false">urn:x</guid></item>
</channel></rss>`;

describe('authors and links', () => {
  // Both readers: rss-parser (the parser of record) and our tree reader, which must agree.
  it.each([
    ['rss-parser', true],
    ['tree', false],
  ])('reads every author form and the channel link from atom:link alone (%s)', async (parser, enabled) => {
    const view = await inspectFeed(AUTHORS_RSS, 'http://example.org/feed.xml', { rssParser: { enabled } });
    expect(view.parser).toBe(parser);
    expect(view.link).toBe('http://example.org/site/');
    expect(view.entries.map((e) => e.authors)).toEqual([
      [{ name: 'Jane Doe', email: 'jane@example.org' }],
      [{ name: 'John Roe', email: 'john@example.org' }],
      [{ name: 'Ann' }, { name: 'Bo' }],
      [{ name: 'Cy', url: 'http://example.org/cy' }],
      [{ name: 'Dee Host' }],
      undefined,
    ]);
    const feed = await parseFeed(AUTHORS_RSS, 'http://example.org/feed.xml', {
      fetchedAt: '2026-01-01T00:00:00.000Z',
      rssParser: { enabled },
    });
    const related = feed.items.find((i) => i.title === 'Related only')!;
    expect(related).toMatchObject({ id: 'urn:x', link: 'http://example.org/elsewhere', linkSource: 'other' });
    expect(feed.items.find((i) => i.title === 'Two creators')!.author).toBe('Ann, Bo');
  });

  it('reads Atom person constructs and JSON Feed authors, the feed author standing in', async () => {
    const atom = await inspectFeed(
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><author><name>Feed Owner</name></author>
<entry><title>own</title><link href="http://example.org/a"/><author><name>Eve</name><email>eve@example.org</email></author><author><name>Fay</name></author></entry>
<entry><title>inherits</title><link href="http://example.org/b"/></entry></feed>`,
      'http://example.org/atom.xml',
    );
    expect(atom.entries.map((e) => e.authors)).toEqual([
      [{ name: 'Eve', email: 'eve@example.org' }, { name: 'Fay' }],
      [{ name: 'Feed Owner' }],
    ]);
    const json = await inspectFeed(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'J',
        authors: [{ name: 'Owner' }],
        items: [
          { id: '1', url: 'http://example.org/j1', authors: [{ name: 'Gil', url: 'https://gil.example/' }] },
          { id: '2', url: 'http://example.org/j2' },
        ],
      }),
      'http://example.org/feed.json',
    );
    expect(json.entries.map((e) => e.authors)).toEqual([[{ name: 'Gil', url: 'https://gil.example/' }], [{ name: 'Owner' }]]);
  });
});
