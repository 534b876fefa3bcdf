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
    // parseFeed drops the linkless item and orders newest first; the shared fields agree.
    const feed = await parseFeed(FEED, 'http://example.org/feed.xml', { fetchedAt: '2026-01-01T00:00:00.000Z' });
    expect(feed.items.map((i) => [i.title, i.link, i.publishedAt])).toEqual([
      ['Newer', 'http://example.org/a/3', '2010-03-03T09:00:00.000Z'],
      ['Older first', 'http://example.org/a/1', '2010-03-01T10:00:00.000Z'],
    ]);
    expect(feed.itemsDropped).toBe(1);
  });
});
