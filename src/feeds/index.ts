/**
 * Feed parsing: RSS 0.9x/2.0, RSS 1.0, Atom (rss-parser's parseString on text we decoded),
 * normalized into FeedItem. (Foundation version; issue 3 fills rss-parser's gaps.)
 */
import Parser from 'rss-parser';
import { createHash } from 'node:crypto';
import type { ErrorClass, FeedItem, ParsedFeed } from '../types';

export class FeedParseError extends Error {
  constructor(
    readonly errorClass: ErrorClass,
    message: string,
  ) {
    super(message);
    this.name = 'FeedParseError';
  }
}

export interface ParseFeedOptions {
  /** ISO time of the fetch: undated items get it, future dates are clamped to it. */
  fetchedAt: string;
  /** Newest N items kept (default 100). */
  maxItems?: number;
}

const parser = new Parser({ customFields: { item: [['content:encoded', 'contentEncoded']] } });

const stripTags = (html: string): string =>
  html.replace(/<[^>]{0,2000}>/g, ' ').replace(/\s+/g, ' ').trim();

export async function parseFeed(text: string, feedUrl: string, options: ParseFeedOptions): Promise<ParsedFeed> {
  if (!/<(rss|feed|rdf:RDF)[\s>]/i.test(text.slice(0, 4096))) throw new FeedParseError('not-a-feed', 'Not an RSS or Atom document');
  let feed;
  try {
    feed = await parser.parseString(text);
  } catch (err) {
    throw new FeedParseError('parse', `Feed XML could not be parsed: ${(err as Error).message}`);
  }
  const fetchedAt = Date.parse(options.fetchedAt);
  const items: FeedItem[] = [];
  for (const it of feed.items ?? []) {
    let link: string;
    try {
      link = new URL(String(it.link ?? ''), feedUrl).toString();
    } catch {
      continue;
    }
    if (!/^https?:/.test(link)) continue;
    const t = it.isoDate ? Date.parse(it.isoDate) : NaN;
    const publishedAt = new Date(Number.isFinite(t) ? Math.min(t, fetchedAt) : fetchedAt).toISOString();
    const html = String((it as unknown as Record<string, unknown>).contentEncoded ?? it.content ?? '');
    const title = String(it.title ?? '').trim();
    const id = String(it.guid ?? '') || link || createHash('sha256').update(title + publishedAt).digest('hex');
    items.push({ id, title, link, publishedAt, author: it.creator, contentHtml: html || undefined, contentText: stripTags(html) || undefined, categories: it.categories });
  }
  items.sort((a, b) => b.publishedAt.localeCompare(a.publishedAt));
  return { title: feed.title, link: feed.link, items: items.slice(0, options.maxItems ?? 100) };
}
