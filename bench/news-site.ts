/**
 * The news site the ingest benchmarks fetch from (bench:fetch, bench:scale): feeds of N items and
 * their article pages, served from a child process (so its work is not counted as ours) on
 * 127.0.0.1, with a latency per request. Feeds are reached through host names `site-K.bench.test`
 * that all resolve to 127.0.0.1, so the per-host limit (and sharding by host) behaves as on the web.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const PARAGRAPH =
  'The council voted on Tuesday to extend the programme for another year, citing strong results in the first pilot districts. ' +
  'Officials said the budget would be reviewed in the spring, and residents will be consulted before any further changes. ';

export interface NewsSiteOptions {
  /** Items per feed. */
  items: number;
  /** Milliseconds before answering a path. */
  latencyOf: (path: string) => number;
  /** Whether feed `f` links its items to article pages (otherwise its entries have no page of their own). */
  pagesFor: (f: number) => boolean;
}

/** Runs the site in this (child) process; the parent talks to it through `startNewsSite`. */
export function serveNewsSite(options: NewsSiteOptions): void {
  const now = Date.now();
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const host = req.headers.host ?? '';
    const url = req.url ?? '/';
    setTimeout(() => {
      const feed = /^\/feeds\/(\d+)\.xml$/.exec(url);
      if (feed) {
        const f = Number(feed[1]);
        if (req.headers['if-none-match'] === `"f${f}"`) {
          res.writeHead(304);
          return res.end();
        }
        const items = Array.from({ length: options.items }, (_, i) => {
          const date = new Date(now - (i * 37 + f) * 60_000).toUTCString();
          const link = options.pagesFor(f) ? `<link>http://${host}/articles/${f}-${i}.html</link>` : '';
          return `<item><title>Story ${i} of feed ${f}: the council extends the programme</title>${link}<guid isPermaLink="false">f${f}-i${i}</guid><pubDate>${date}</pubDate><description>&lt;p&gt;${PARAGRAPH}&lt;/p&gt;</description></item>`;
        }).join('\n');
        res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: `"f${f}"` });
        return res.end(
          `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Feed ${f}</title><link>http://${host}/</link><language>en</language>\n${items}\n</channel></rss>`,
        );
      }
      const page = /^\/articles\/(\d+)-(\d+)\.html$/.exec(url);
      if (page) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Story ${page[2]}</title><meta property="og:title" content="Story ${page[2]}"></head>` +
            `<body><header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>` +
            `<main><article><h1>Story ${page[2]} of feed ${page[1]}</h1><p class="byline">By A. Reporter</p>${`<p>${PARAGRAPH}</p>`.repeat(8)}</article>` +
            `<aside class="related"><ul>${'<li><a href="/x">Related story</a></li>'.repeat(10)}</ul></aside></main><footer>© Example News</footer></body></html>`,
        );
      }
      res.writeHead(404);
      res.end();
    }, options.latencyOf(url));
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
  process.on('message', (m: { type: string }) => {
    if (m.type === 'count') process.send!({ requests });
    if (m.type === 'stop') server.close(() => process.exit(0));
  });
}

export interface NewsSite {
  port: number;
  /** `site-K.bench.test:port`, the host of feed `f` among `sites` hosts. */
  hostOf(f: number, sites: number): string;
  /** Requests the site has answered so far. */
  requests(): Promise<number>;
  stop(): void;
}

/**
 * Starts `script` again as a child with `--serve` (the script calls `serveNewsSite` when it sees
 * that flag) and waits for its port.
 */
export async function startNewsSite(script: string): Promise<NewsSite> {
  const child = fork(script, ['--serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  const ask = <T>(message: object | undefined): Promise<T> =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(m as T));
      if (message) child.send(message);
    });
  const { port } = await ask<{ port: number }>(undefined);
  return {
    port,
    hostOf: (f, sites) => `site-${f % sites}.bench.test:${port}`,
    requests: async () => (await ask<{ requests: number }>({ type: 'count' })).requests,
    stop: () => child.send({ type: 'stop' }),
  };
}

/** The fetcher's resolver for the site's host names: every `*.bench.test` is 127.0.0.1. */
export const resolveBenchHosts = async (hostname: string): Promise<{ address: string; family: 4 }[]> =>
  hostname.endsWith('.bench.test') ? [{ address: '127.0.0.1', family: 4 }] : [];
