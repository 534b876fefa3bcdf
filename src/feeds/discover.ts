/**
 * Finding the feeds of a site or page, as feed readers do: the page's own
 * `<link rel="alternate">` to RSS, Atom and JSON Feed; the feed addresses of the platforms that
 * have well-known ones (WordPress, Ghost, Substack, Medium, YouTube channels, Reddit, GitHub
 * releases); then the usual paths (`/feed`, `/rss.xml`, …). Every candidate is fetched through
 * the injected fetcher (the same hardened one, with the same limits) and read with the same
 * parser as a digest run, so what is listed is what a run would get.
 */
import * as cheerio from 'cheerio';
import type { Fetcher, FetchResult } from '../http';
import { FetchError } from '../http';
import { FeedParseError } from './errors';
import { inspectFeed, type FeedView } from './index';

/** The usual feed paths, tried (against the site's root) only when nothing better was found. */
export const COMMON_FEED_PATHS = [
  '/feed',
  '/rss',
  '/rss.xml',
  '/atom.xml',
  '/index.xml',
  '/feed.xml',
  '/feed.json',
  '/index.rss',
];

const FEED_TYPES = /^application\/(rss|atom|feed|rdf)\+(xml|json)$|^application\/json$|^(application|text)\/xml$/i;

export interface FeedCandidate {
  url: string;
  /** How it was found: the page's <link>, a platform's known address, a usual path, or the URL itself. */
  via: 'link' | 'platform' | 'path' | 'given';
  title?: string;
  format: FeedView['format'];
  items: number;
  /** ISO 8601 of the newest dated item. */
  newest?: string;
}

/** `<link rel="alternate" type="application/rss+xml|atom+xml|feed+json" href>` of a page, resolved. */
export function feedLinksInPage(html: string, pageUrl: string): string[] {
  const $ = cheerio.load(html);
  const out: string[] = [];
  $('link[href]').each((_, el) => {
    const rel = ($(el).attr('rel') ?? '').toLowerCase().split(/\s+/);
    const type = ($(el).attr('type') ?? '').trim();
    if (!rel.includes('alternate') || !FEED_TYPES.test(type)) return;
    const href = resolveHttp($(el).attr('href'), pageUrl);
    if (href) out.push(href);
  });
  return [...new Set(out)];
}

const resolveHttp = (ref: string | undefined, base: string): string | undefined => {
  try {
    const u = new URL((ref ?? '').trim(), base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Platforms whose feeds live at a known address, as data: each rule says when it applies (the
 * URL's host, or a mark in the page) and where the feed is.
 */
const PLATFORM_RULES: { name: string; feeds: (url: URL, html: string) => string[] }[] = [
  {
    name: 'YouTube channel',
    feeds: (url, html) => {
      if (!/(^|\.)youtube\.com$/.test(url.hostname)) return [];
      const id =
        /\/channel\/(UC[\w-]{22})/.exec(url.pathname)?.[1] ??
        /<meta[^>]+itemprop=["']channelId["'][^>]+content=["'](UC[\w-]{22})/i.exec(html)?.[1] ??
        /"(?:channelId|externalId)"\s*:\s*"(UC[\w-]{22})"/.exec(html)?.[1];
      // Channel pages live on www.youtube.com, and so do the feeds (m. and bare youtube.com redirect there).
      const origin = url.hostname === 'www.youtube.com' ? url.origin : 'https://www.youtube.com';
      return id ? [`${origin}/feeds/videos.xml?channel_id=${id}`] : [];
    },
  },
  {
    name: 'Reddit',
    feeds: (url) => {
      const m = /^\/(r|user|u)\/[\w-]+/.exec(url.pathname);
      return /(^|\.)reddit\.com$/.test(url.hostname) && m ? [`${url.origin}${m[0]}/.rss`] : [];
    },
  },
  {
    name: 'GitHub releases',
    feeds: (url) => {
      const m = /^\/[\w.-]+\/[\w.-]+/.exec(url.pathname);
      return url.hostname === 'github.com' && m ? [`${url.origin}${m[0]}/releases.atom`] : [];
    },
  },
  {
    name: 'Medium',
    feeds: (url) => {
      if (url.hostname === 'medium.com') {
        const m = /^\/(@?[\w.-]+)/.exec(url.pathname);
        return m ? [`${url.origin}/feed/${m[1]}`] : [];
      }
      return /\.medium\.com$/.test(url.hostname) ? [`${url.origin}/feed`] : [];
    },
  },
  {
    name: 'Substack',
    feeds: (url, html) => (/\.substack\.com$/.test(url.hostname) || /substackcdn\.com/.test(html) ? [`${url.origin}/feed`] : []),
  },
  {
    name: 'WordPress',
    feeds: (url, html) => (/wp-content|wp-includes|content=["']WordPress/i.test(html) ? [`${url.origin}/feed/`] : []),
  },
  {
    name: 'Ghost',
    feeds: (url, html) => (/content=["']Ghost/i.test(html) ? [`${url.origin}/rss/`] : []),
  },
];

/** The feed addresses the known platforms give for a page. */
export function platformFeedUrls(pageUrl: string, html: string): string[] {
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return [];
  }
  return [...new Set(PLATFORM_RULES.flatMap((rule) => rule.feeds(url, html)))];
}

/** A fetched document read as a feed, or undefined when it is none. */
async function asCandidate(res: FetchResult, via: FeedCandidate['via']): Promise<FeedCandidate | undefined> {
  let view: FeedView;
  try {
    view = await inspectFeed(res.text, res.url);
  } catch (err) {
    if (err instanceof FeedParseError) return undefined;
    throw err;
  }
  const dates = view.entries.map((e) => e.published).filter((d): d is string => !!d);
  return {
    url: res.url,
    via,
    ...(view.title ? { title: view.title } : {}),
    format: view.format,
    items: view.entries.length,
    ...(dates.length ? { newest: dates.sort().at(-1) } : {}),
  };
}

async function fetchCandidate(fetcher: Fetcher, url: string, via: FeedCandidate['via']): Promise<FeedCandidate | undefined> {
  try {
    return await asCandidate(await fetcher.fetch(url, { kind: 'feed' }), via);
  } catch (err) {
    if (err instanceof FetchError) return undefined; // a guess that is not there
    throw err;
  }
}

/**
 * The feeds of `pageUrl`, best first: the URL itself when it is a feed; else the page's declared
 * feeds and the platform's known ones; else the usual paths. Throws the FetchError of the page
 * itself (a site that cannot be reached has no feeds to offer).
 */
export async function discoverFeeds(pageUrl: string, fetcher: Fetcher): Promise<FeedCandidate[]> {
  let page: FetchResult;
  try {
    page = await fetcher.fetch(pageUrl, { kind: 'page' });
  } catch (err) {
    // A JSON Feed (or any non-HTML document) is refused as a page: it may be the feed itself.
    if (!(err instanceof FetchError && err.errorClass === 'not-html')) throw err;
    page = await fetcher.fetch(pageUrl, { kind: 'feed' });
  }
  const itself = await asCandidate(page, 'given');
  if (itself) return [itself];

  const found: FeedCandidate[] = [];
  const seen = new Set<string>();
  const tryAll = async (urls: string[], via: FeedCandidate['via']): Promise<void> => {
    const fresh = urls.filter((u) => !seen.has(u));
    fresh.forEach((u) => seen.add(u));
    const results = await Promise.all(fresh.map((u) => fetchCandidate(fetcher, u, via)));
    for (const c of results) if (c && !found.some((f) => f.url === c.url)) found.push(c);
  };
  await tryAll(feedLinksInPage(page.text, page.url), 'link');
  await tryAll(platformFeedUrls(page.url, page.text), 'platform');
  if (found.length === 0)
    await tryAll(
      COMMON_FEED_PATHS.map((p) => new URL(p, page.url).toString()),
      'path',
    );
  return found;
}
