/**
 * Feed discovery against pages served on 127.0.0.1 under the host names of the platforms (a
 * resolver maps them to the local server): a WordPress-like blog that declares no feed, a
 * Substack-like newsletter, a YouTube-like channel page, and a page whose feed is only at a
 * usual path. Everything goes through the real fetcher and parser.
 */
import { discoverFeeds, feedLinksInPage, platformFeedUrls } from '../../src/feeds/discover';
import { createFetcher } from '../../src/http';
import { network, startServer, type LocalServer } from '../http/local-server';

const CHANNEL = 'UCabcdefghijklmnopqrstuv';
const recent = new Date(Date.now() - 3_600_000);
const rss = (title: string, n: number): string =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>http://example.org/</link>` +
  Array.from(
    { length: n },
    (_, i) =>
      `<item><title>${title} ${i}</title><link>http://example.org/${i}</link><pubDate>${new Date(recent.getTime() - i * 86_400_000).toUTCString()}</pubDate></item>`,
  ).join('') +
  '</channel></rss>';
const atom = (title: string): string =>
  `<feed xmlns="http://www.w3.org/2005/Atom"><title>${title}</title><entry><title>Video</title><link href="http://example.org/v"/><id>yt:1</id><published>${recent.toISOString()}</published></entry></feed>`;

describe('discoverFeeds', () => {
  let server: LocalServer;
  const hosts = ['blog.wp.test', 'news.substack.com', 'www.youtube.com', 'plain.test'];
  beforeAll(async () => {
    server = await startServer((req, res) => {
      const host = (req.headers.host ?? '').split(':')[0];
      const route = `${host}${req.url}`;
      const send = (type: string, body: string): void => {
        res.setHeader('content-type', type);
        res.end(body);
      };
      switch (route) {
        case 'blog.wp.test/':
          return send(
            'text/html',
            `<html><head><meta name="generator" content="WordPress 6.7"><link rel="stylesheet" href="/wp-content/themes/x/style.css"></head><body>Blog</body></html>`,
          );
        case 'blog.wp.test/feed/':
          return send('application/rss+xml', rss('WP blog', 3));
        case 'news.substack.com/':
          return send(
            'text/html',
            `<html><head><script src="https://substackcdn.com/bundle.js"></script></head><body>Letters</body></html>`,
          );
        case 'news.substack.com/feed':
          return send('application/rss+xml', rss('The Letter', 2));
        case 'www.youtube.com/@somechannel':
          return send(
            'text/html',
            `<html><head><meta itemprop="channelId" content="${CHANNEL}"></head><body>Channel</body></html>`,
          );
        case `www.youtube.com/feeds/videos.xml?channel_id=${CHANNEL}`:
          return send('application/atom+xml', atom('Some channel'));
        case 'plain.test/':
          return send('text/html', '<html><head><title>Plain</title></head><body>No feed declared</body></html>');
        case 'plain.test/index.xml':
          return send('application/rss+xml', rss('Plain site', 1));
        default:
          res.statusCode = 404;
          return void res.end('not found');
      }
    });
  });
  afterAll(() => server.close());

  const fetcher = () =>
    createFetcher(network({ allowHosts: hosts.map((h) => `${h}:${server.port}`) }), {
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
  const at = (host: string, p = '/'): string => `http://${host}:${server.port}${p}`;

  it('finds the feed of a WordPress-like blog that declares none', async () => {
    const [first] = await discoverFeeds(at('blog.wp.test'), fetcher());
    expect(first).toMatchObject({
      url: at('blog.wp.test', '/feed/'),
      title: 'WP blog',
      format: 'rss',
      items: 3,
      via: 'platform',
    });
    expect(first.newest).toBe(new Date(Math.floor(recent.getTime() / 1000) * 1000).toISOString());
  });

  it('finds the feed of a Substack-like newsletter', async () => {
    const found = await discoverFeeds(at('news.substack.com'), fetcher());
    expect(found.map((c) => [c.url, c.title, c.items])).toEqual([[at('news.substack.com', '/feed'), 'The Letter', 2]]);
  });

  it('finds the feed of a YouTube-like channel page from its channel id', async () => {
    const found = await discoverFeeds(at('www.youtube.com', '/@somechannel'), fetcher());
    expect(found).toEqual([
      expect.objectContaining({
        url: at('www.youtube.com', `/feeds/videos.xml?channel_id=${CHANNEL}`),
        format: 'atom',
        title: 'Some channel',
      }),
    ]);
  });

  it('tries the usual paths when the page names nothing, and takes a feed URL as itself', async () => {
    const found = await discoverFeeds(at('plain.test'), fetcher());
    expect(found.map((c) => [c.url, c.via])).toEqual([[at('plain.test', '/index.xml'), 'path']]);
    expect((await discoverFeeds(at('plain.test', '/index.xml'), fetcher())).map((c) => c.via)).toEqual(['given']);
  });
});

describe('what a page says about its feeds', () => {
  it('reads <link rel="alternate"> for RSS, Atom and JSON Feed, and nothing else', () => {
    const html = `<head><link rel="alternate" type="application/rss+xml" href="/rss.xml"><link rel="alternate" type="application/atom+xml" href="https://x.test/atom"><link rel="alternate" type="application/feed+json" href="feed.json"><link rel="alternate" hreflang="fr" href="/fr/"><link rel="stylesheet" type="text/css" href="/s.css"></head>`;
    expect(feedLinksInPage(html, 'https://site.test/blog/')).toEqual([
      'https://site.test/rss.xml',
      'https://x.test/atom',
      'https://site.test/blog/feed.json',
    ]);
  });

  it('knows the feed addresses of Reddit, GitHub releases and Medium', () => {
    expect(platformFeedUrls('https://www.reddit.com/r/typescript/top/', '')).toEqual([
      'https://www.reddit.com/r/typescript/.rss',
    ]);
    expect(platformFeedUrls('https://github.com/nodejs/node/tree/main', '')).toEqual([
      'https://github.com/nodejs/node/releases.atom',
    ]);
    expect(platformFeedUrls('https://medium.com/@someone/a-post-123', '')).toEqual(['https://medium.com/feed/@someone']);
  });
});
