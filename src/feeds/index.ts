/**
 * Feed parsing: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 1.0/0.3, CDF and JSON Feed 1.1, normalized into
 * FeedItem. The parse is bounded (see xml-tree.ts: entity, depth, element, text and CPU-time
 * limits), and each item is normalized on its own, so a bad date or a missing link repairs or
 * drops that item only.
 */
import { createHash } from 'node:crypto';
import { boundHtml } from '../http/html-bounds';
import type { FeedItem, ParsedFeed } from '../types';
import { parseFeedDate } from './dates';
import { FeedParseError } from './errors';
import { readJsonFeed } from './json-feed';
import type { RawFeed, RawItem } from './raw';
import { cleanLine, htmlToText, looksLikeHtml, stripUnsafeChars, truncateGraphemes } from './text';
import { readXmlFeed, formatOfRoot, type XmlFeedFormat } from './xml-formats';
import { DEFAULT_XML_LIMITS, parseXml, XmlLimitError, type XmlLimits } from './xml-tree';

export { FeedParseError } from './errors';
export { parseFeedDate } from './dates';
export { htmlToText, truncateGraphemes } from './text';

export interface ParseFeedOptions {
  /** ISO time of the fetch: undated items get it, future dates are clamped to it. */
  fetchedAt: string;
  /** Newest N items kept (default 100). */
  maxItems?: number;
  /** Parse limits (tests shrink them). */
  limits?: Partial<XmlLimits>;
}

export interface ParsedFeedDetails extends ParsedFeed {
  format: RawFeed['format'];
  /** Items in the document, before dropping and capping. */
  itemsInDocument: number;
  /** Items dropped because they had no usable http(s) link. */
  itemsDropped: number;
}

export const DEFAULT_MAX_ITEMS = 100;
/** Length limits (UTF-16 units, cut on grapheme boundaries). */
const MAX_TITLE = 500;
const MAX_TEXT = 100_000;
const MAX_HTML = 500_000;
const MAX_AUTHOR = 200;
const MAX_CATEGORIES = 20;

export async function parseFeed(text: string, feedUrl: string, options: ParseFeedOptions): Promise<ParsedFeedDetails> {
  const raw = await readFeed(text, feedUrl, { ...DEFAULT_XML_LIMITS, ...options.limits });
  const fetchedAt = Date.parse(options.fetchedAt);
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const htmlTitles = raw.format !== 'atom' && raw.format !== 'json';
  // Dates first, then the full (costlier) normalization only for the newest items that are kept.
  const dated = raw.items.map((item, index) => ({ item, index, published: publishedTime(item, fetchedAt) }));
  dated.sort((a, b) => b.published - a.published || a.index - b.index);
  const items: FeedItem[] = [];
  const ids = new Set<string>();
  let dropped = 0;
  for (const { item: rawItem, published } of dated) {
    if (!rawItem.links.some(isHttp)) {
      dropped++;
      continue;
    }
    if (items.length >= maxItems) continue;
    let item: FeedItem | undefined;
    try {
      item = normalizeItem(rawItem, published, htmlTitles);
    } catch {
      item = undefined;
    }
    if (!item) {
      dropped++;
      continue;
    }
    if (ids.has(item.id)) continue;
    ids.add(item.id);
    items.push(item);
  }
  const title = raw.title
    ? cleanLine(raw.titleIsHtml || (htmlTitles && looksLikeHtml(raw.title)) ? htmlToText(raw.title, MAX_TITLE) : raw.title, 200)
    : undefined;
  const link = raw.link && /^https?:\/\//i.test(raw.link) ? raw.link : undefined;
  return {
    format: raw.format,
    title: title || undefined,
    link,
    lang: cleanLine(raw.lang, 35) || undefined,
    items,
    itemsInDocument: raw.items.length,
    itemsDropped: dropped,
  };
}

async function readFeed(text: string, feedUrl: string, limits: XmlLimits): Promise<RawFeed> {
  const start = /\S/.exec(text.slice(0, 4096));
  const body = start ? text.slice(start.index).replace(/^\uFEFF/, '') : '';
  if (!body) throw new FeedParseError('not-a-feed', 'Empty document');
  if (body[0] === '{') return readJsonFeed(body, feedUrl);
  if (body[0] !== '<') throw new FeedParseError('not-a-feed', 'Neither XML nor JSON');
  if (/^(<\?xml[^>]*>\s*)?<!doctype\s+html/i.test(body.slice(0, 512)))
    throw new FeedParseError('not-a-feed', 'An HTML page, not a feed');
  let format: XmlFeedFormat | undefined;
  try {
    const doc = await parseXml(body, feedUrl, limits, (root) => {
      format = formatOfRoot(root);
    });
    return readXmlFeed(doc.root, format!);
  } catch (err) {
    if (err instanceof FeedParseError) throw err;
    if (err instanceof XmlLimitError) throw new FeedParseError(err.errorClass, err.message);
    throw new FeedParseError('parse', `Feed could not be read: ${(err as Error).message}`);
  }
}

const isHttp = (url: string): boolean => /^https?:\/\/[^/]/i.test(url);

/** The first parseable date; undated items get the fetch time, future dates are clamped to it. */
function publishedTime(raw: RawItem, fetchedAt: number): number {
  for (const d of raw.dates) {
    const parsed = parseFeedDate(d);
    if (parsed) return Math.min(parsed.getTime(), fetchedAt);
  }
  return fetchedAt;
}

function normalizeItem(raw: RawItem, published: number, htmlTitles: boolean): FeedItem | undefined {
  const link = raw.links.find(isHttp);
  if (!link) return undefined;
  const titleSource = raw.title ?? '';
  const title = cleanLine(
    raw.titleIsHtml || (htmlTitles && looksLikeHtml(titleSource)) ? htmlToText(titleSource, MAX_TITLE * 2) : titleSource,
    MAX_TITLE,
  );
  const publishedAt = new Date(published).toISOString();
  const contentHtml = raw.contentHtml?.trim()
    ? boundHtml(raw.contentHtml.length > MAX_HTML ? raw.contentHtml.slice(0, MAX_HTML) : raw.contentHtml)
    : undefined;
  const contentText = raw.contentText?.trim()
    ? truncateGraphemes(
        stripUnsafeChars(raw.contentText)
          .replace(/[ \t]+/g, ' ')
          .replace(/\n{3,}/g, '\n\n')
          .trim(),
        MAX_TEXT,
      )
    : contentHtml
      ? htmlToText(contentHtml, MAX_TEXT)
      : undefined;
  // The id must not change between runs: an undated item's hash uses its title only, never the fetch time.
  const id =
    cleanLine(raw.id, 1000) ||
    link ||
    createHash('sha256')
      .update(`${title}\n${raw.dates[0] ?? ''}`)
      .digest('hex');
  const categories = [...new Set(raw.categories.map((c) => cleanLine(c, 100)).filter(Boolean))].slice(0, MAX_CATEGORIES);
  const item: FeedItem = { id, title, link, publishedAt };
  const author = cleanLine(raw.author, MAX_AUTHOR);
  if (author) item.author = author;
  if (contentHtml) item.contentHtml = contentHtml;
  if (contentText) item.contentText = contentText;
  if (categories.length) item.categories = categories;
  const lang = cleanLine(raw.lang, 35);
  if (lang) item.lang = lang;
  return item;
}
