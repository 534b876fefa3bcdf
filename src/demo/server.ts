/**
 * The offline demo's news sites: a fixture HTTP server on 127.0.0.1 serving feeds (RSS 2.0,
 * Atom) and article pages. Feed dates are relative to the server's start so the demo always
 * has fresh stories. Conditional GET is honoured, so a second run gets 304s.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { DEMO_ARTICLES, type DemoArticle } from './fixtures/articles';

export interface DemoServer {
  url: string;
  /** host:port, for `network.allowHosts`. */
  hostPort: string;
  /** Every request seen, for tests: method, path and the conditional headers. */
  requests: { method: string; path: string; ifNoneMatch?: string; ifModifiedSince?: string }[];
  feeds: { url: string; name: string; category?: string }[];
  close(): Promise<void>;
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const SITES = {
  gazette: { name: 'Harbor City Gazette', lang: 'en', dir: 'ltr' },
  science: { name: 'Science Wire', lang: 'en', dir: 'ltr' },
  arabic: { name: 'تايمز أوف إسرائيل', lang: 'ar', dir: 'rtl' },
} as const;

function articlePage(a: DemoArticle, base: string): string {
  const site = SITES[a.site];
  const paras = a.paragraphs.map((p, i) => {
    const caption = a.captions?.[i - 2];
    const figure = caption
      ? `\n        <figure class="inline-photo"><img src="/img/${a.slug}-${i}.jpg" alt="" width="800" height="450"><figcaption>${esc(caption)}</figcaption></figure>`
      : '';
    return `${figure}\n        <p>${esc(p)}</p>`;
  });
  const others = DEMO_ARTICLES.filter((o) => o.site === a.site && o.slug !== a.slug);
  return `<!DOCTYPE html>
<html lang="${site.lang}">
<head>
  <meta charset="utf-8">
  <title>${esc(a.title)} — ${esc(site.name)}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="canonical" href="${base}/${a.site}/${a.slug}/">
  <meta property="og:site_name" content="${esc(site.name)}">
  <meta property="og:title" content="${esc(a.title)}">
  <meta property="og:description" content="${esc(a.standfirst)}">
  <meta name="author" content="${esc(a.author)}">
  <meta property="article:published_time" content="2026-01-01T08:00:00Z">
</head>
<body>
  <header class="site-header">
    <a class="brand" href="/${a.site}/">${esc(site.name)}</a>
    <nav><a href="/${a.site}/news/">News</a> <a href="/${a.site}/city/">City</a> <a href="/${a.site}/science/">Science</a> <a href="/${a.site}/opinion/">Opinion</a></nav>
    <form role="search" action="/search"><label>Search <input name="q"></label></form>
  </header>
  <main>
    <article>
      <h1>${esc(a.title)}</h1>
      <p class="standfirst">${esc(a.standfirst)}</p>
      <div class="byline">By <a href="/authors/${encodeURIComponent(a.author)}">${esc(a.author)}</a> · Staff reporter</div>
      <div class="share">Share on Facebook · Share on X · Email this story</div>
      <div class="article-body">${paras.join('')}
      </div>
      <div class="tags">Read more about: <a href="/tags/city">City</a>, <a href="/tags/transport">Transport</a></div>
    </article>
    <section class="comments"><h2>Comments (2)</h2>
      <div class="comment"><p>Finally! I have been waiting for this for ages and it is great news for everyone in the neighborhood.</p></div>
      <div class="comment"><p>Who is paying for all of this? Nobody ever explains the real cost to taxpayers.</p></div>
    </section>
  </main>
  <aside class="related"><h2>Most read</h2><ul>${others.map((o) => `<li><a href="/${o.site}/${o.slug}/">${esc(o.title)}</a></li>`).join('')}</ul></aside>
  <footer>© ${esc(site.name)} · <a href="/about">About</a> · <a href="/privacy">Privacy</a></footer>
</body>
</html>
`;
}

function rssFeed(site: 'gazette' | 'arabic', base: string, startedAt: number): string {
  const info = SITES[site];
  const items = DEMO_ARTICLES.filter((a) => a.site === site).map((a) => {
    const date = new Date(startedAt - a.ageHours * 3_600_000).toUTCString();
    const link = `${base}/${site}/${a.slug}/`;
    return `    <item>
      <title>${esc(a.title)}</title>
      <link>${link}</link>
      <guid isPermaLink="false">${site}-${a.slug}</guid>
      <pubDate>${date}</pubDate>
      <dc:creator>${esc(a.author)}</dc:creator>
      <description>${esc(a.feedText ?? a.standfirst)}</description>
    </item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>${esc(info.name)}</title>
    <link>${base}/${site}/</link>
    <description>${esc(info.name)} — latest stories</description>
    <language>${info.lang}</language>
${items.join('\n')}
  </channel>
</rss>
`;
}

function atomFeed(base: string, startedAt: number): string {
  const own = DEMO_ARTICLES.filter((a) => a.site === 'science');
  // Science Wire also links to the Gazette's bridge story (with tracking parameters): one story, two sources.
  const bridge = DEMO_ARTICLES.find((a) => a.slug === 'harbor-bridge-reopens')!;
  const entries = [
    ...own.map((a) => ({ a, link: `${base}/science/${a.slug}/`, id: `tag:science.example,2026:${a.slug}` })),
    {
      a: bridge,
      link: `${base}/gazette/${bridge.slug}/?utm_source=sciencewire&utm_medium=feed`,
      id: 'tag:science.example,2026:via-gazette-bridge',
    },
  ];
  const updated = new Date(startedAt - 3_600_000).toISOString();
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Science Wire</title>
  <link href="${base}/science/"/>
  <id>tag:science.example,2026:feed</id>
  <updated>${updated}</updated>
${entries
  .map(
    ({ a, link, id }) => `  <entry>
    <title>${esc(a.title)}</title>
    <link rel="alternate" href="${esc(link)}"/>
    <id>${id}</id>
    <published>${new Date(startedAt - a.ageHours * 3_600_000).toISOString()}</published>
    <updated>${new Date(startedAt - a.ageHours * 3_600_000).toISOString()}</updated>
    <author><name>${esc(a.author)}</name></author>
    <summary>${esc(a.standfirst)}</summary>
  </entry>`,
  )
  .join('\n')}
</feed>
`;
}

export async function startDemoServer(options: { port?: number } = {}): Promise<DemoServer> {
  const startedAt = Date.now();
  const requests: DemoServer['requests'] = [];
  const pagesDir = path.join(__dirname, 'fixtures', 'pages');
  let base = '';
  const lastModified = new Date(Math.floor(startedAt / 1000) * 1000 - 3_600_000).toUTCString();

  const send = (req: http.IncomingMessage, res: http.ServerResponse, status: number, type: string, body: string): void => {
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
    if (status === 200 && (req.headers['if-none-match'] === etag || req.headers['if-modified-since'] === lastModified)) {
      res.writeHead(304, { etag, 'last-modified': lastModified });
      res.end();
      return;
    }
    res.writeHead(status, { 'content-type': type, etag, 'last-modified': lastModified });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base || 'http://127.0.0.1');
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      ifNoneMatch: req.headers['if-none-match'],
      ifModifiedSince: req.headers['if-modified-since'],
    });
    const p = url.pathname;
    if (p === '/gazette/rss.xml')
      return send(req, res, 200, 'application/rss+xml; charset=utf-8', rssFeed('gazette', base, startedAt));
    if (p === '/arabic/rss.xml')
      return send(req, res, 200, 'application/rss+xml; charset=utf-8', rssFeed('arabic', base, startedAt));
    if (p === '/science/atom.xml') return send(req, res, 200, 'application/atom+xml; charset=utf-8', atomFeed(base, startedAt));
    if (p === '/broken/feed.xml') {
      // A feed URL that now serves an error page: the run reports it and publishes everything else.
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><body><h1>We moved!</h1><p>Our feed is gone.</p></body></html>');
      return;
    }
    const m = /^\/(gazette|science|arabic)\/([a-z0-9-]+)\/?$/.exec(p);
    const article = m ? DEMO_ARTICLES.find((a) => a.site === m[1] && a.slug === m[2]) : undefined;
    if (article && !article.missing) {
      const html = article.file ? readFileSync(path.join(pagesDir, article.file), 'utf8') : articlePage(article, base);
      return send(req, res, 200, 'text/html; charset=utf-8', html);
    }
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Not found</title><h1>Page not found</h1>');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    hostPort: `127.0.0.1:${port}`,
    requests,
    feeds: [
      { url: `${base}/gazette/rss.xml`, name: 'Harbor City Gazette', category: 'City' },
      { url: `${base}/science/atom.xml`, name: 'Science Wire', category: 'Science' },
      { url: `${base}/arabic/rss.xml`, name: 'تايمز أوف إسرائيل', category: 'عربي' },
      { url: `${base}/broken/feed.xml`, name: 'Old Blog (moved)', category: 'City' },
    ],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
