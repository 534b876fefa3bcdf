/**
 * A small news site on 127.0.0.1 whose feeds a test controls: items can be added between runs,
 * the whole site can go down (500 on every feed), a feed can require HTTP Basic credentials or a
 * key in its query, and a feed can be slowed down (to make another feed answer first).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';

export interface NewsItem {
  slug: string;
  title: string;
  paragraphs: string[];
  /** ISO date; default 2026-12-01 06:00 UTC (fixed, so an unchanged feed has an unchanged ETag). */
  publishedAt?: string;
}

export interface NewsFeed {
  /** Path of the feed, e.g. "/world.xml". */
  path: string;
  title: string;
  items: NewsItem[];
  /** Answer only requests with these Basic credentials (401 otherwise). */
  basicAuth?: { username: string; password: string };
  /** Answer only requests whose query has `token=<this>` (403 otherwise). */
  token?: string;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
}

export interface NewsServer {
  hostPort: string;
  base: string;
  feeds: NewsFeed[];
  /** Every feed answers 500 while true (an outage). */
  down: boolean;
  /** Requests seen, as "METHOD path?query" with the Authorization header's scheme. */
  requests: { path: string; authorization?: string }[];
  close(): Promise<void>;
}

const esc = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** Articles about unrelated events, each in its own words (so no two of them are one story). */
const ARTICLES: Record<string, string[]> = {
  'The bridge reopening': [
    'The Harbor Bridge reopened to traffic on Tuesday after an eighteen-month rebuild of its steel deck and cables.',
    'Engineers replaced 4,200 tonnes of corroded girders and added a protected lane for cyclists on the north side.',
    'Commuters from the eastern suburbs had faced detours of up to forty minutes while the crossing was closed.',
    'The transport authority said tolls would stay suspended until the spring to thank residents for their patience.',
  ],
  'The bridge': [
    'The Harbor Bridge reopened to traffic on Tuesday after an eighteen-month rebuild of its steel deck and cables.',
    'Engineers replaced 4,200 tonnes of corroded girders and added a protected lane for cyclists on the north side.',
    'Commuters from the eastern suburbs had faced detours of up to forty minutes while the crossing was closed.',
  ],
  'The new budget': [
    'City councillors approved a 2027 budget of 1.9 billion dollars after a nine-hour session that ran past midnight.',
    'The plan raises property taxes by 2.5 percent and sets aside money for 300 new social housing units.',
    'Opposition members voted against it, arguing that library and pool opening hours should not have been cut.',
    'The mayor said the spending plan balances the books without borrowing for the first time in a decade.',
  ],
  'The storm': [
    'Gale-force winds and waves of six metres forced the port authority to close all container terminals on Wednesday.',
    'Ferries to the islands were cancelled and fishing boats stayed moored as the storm moved up the coast.',
    'Forecasters expect gusts of 120 kilometres an hour overnight and warned residents near the seafront to stay indoors.',
    'Dock workers were sent home with pay, and shipping lines said cargo would be delayed by at least two days.',
  ],
  'The meeting': [
    "The members' association moved its annual general meeting online after the convention centre cancelled the booking.",
    'Members will vote on a new constitution and elect seven board members through a secure web ballot.',
    'The treasurer said the change saves about 30,000 dollars in hall rental and catering this year.',
  ],
  'The timetable': [
    'The ferry operator published a winter timetable that drops the first morning crossing on weekdays from January.',
    'Passengers who rely on the 6:10 sailing to reach hospital shifts on the mainland criticised the decision.',
    'The company blamed a shortage of qualified deckhands and promised to restore the service by April.',
  ],
  'The library': [
    'The central library will open until ten in the evening from next month, three hours later than today.',
    'Students had petitioned for quiet study space during exam season, collecting more than 5,000 signatures.',
    'The extension is funded by a private foundation for two years, after which the council will review the cost.',
  ],
};

/** The text of an article on `topic` (one of the events above). */
export const paragraphsAbout = (topic: string): string[] => {
  const text = ARTICLES[topic];
  if (!text) throw new Error(`No fixture article about ${topic}`);
  return text;
};

/** `host`: the loopback address to listen on (127.0.0.0/8), so tests can have several hosts. */
export async function startNewsServer(feeds: NewsFeed[], { host = '127.0.0.1' }: { host?: string } = {}): Promise<NewsServer> {
  const state: Omit<NewsServer, 'hostPort' | 'base' | 'close'> = { feeds, down: false, requests: [] };
  const server = http.createServer((req, res) => void answer(req, res));

  async function answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    state.requests.push({ path: `${url.pathname}${url.search}`, authorization: req.headers.authorization });
    const base = `http://${req.headers.host}`;
    const feed = state.feeds.find((f) => f.path === url.pathname);
    if (feed) {
      if (feed.delayMs) await new Promise((resolve) => setTimeout(resolve, feed.delayMs));
      if (state.down) return void res.writeHead(500).end('down');
      if (feed.basicAuth) {
        const expected = `Basic ${Buffer.from(`${feed.basicAuth.username}:${feed.basicAuth.password}`).toString('base64')}`;
        if (req.headers.authorization !== expected) return void res.writeHead(401, { 'www-authenticate': 'Basic' }).end();
      }
      if (feed.token && url.searchParams.get('token') !== feed.token) return void res.writeHead(403).end();
      const body = rss(feed, base);
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag });
      res.end(body);
      return;
    }
    const item = state.feeds.flatMap((f) => f.items).find((it) => url.pathname === `/news/${it.slug}/`);
    if (!item) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(item.title)}</title></head>
<body><header><nav><a href="/">Home</a></nav></header><main><article><h1>${esc(item.title)}</h1>
${item.paragraphs.map((p) => `<p>${esc(p)}</p>`).join('\n')}</article></main><footer>© News</footer></body></html>`);
  }

  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;
  return Object.assign(state, {
    hostPort: `${host}:${port}`,
    base: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function rss(feed: NewsFeed, base: string): string {
  const items = feed.items
    .map(
      (it) => `<item><title>${esc(it.title)}</title><link>${base}/news/${it.slug}/</link><guid>${base}/news/${it.slug}/</guid>
<pubDate>${new Date(it.publishedAt ?? '2026-12-01T06:00:00Z').toUTCString()}</pubDate><description>${esc(it.paragraphs[0])}</description></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${esc(feed.title)}</title>
<link>${base}/</link><language>en</language>${items}</channel></rss>`;
}
