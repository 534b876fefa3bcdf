/**
 * Feed parsing: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 1.0/0.3, CDF and JSON Feed 1.1, normalized into
 * FeedItem. Each item is normalized on its own, so a bad date or a missing link repairs that item
 * only; an entry without a page of its own is kept (see storyLink), never dropped in silence.
 *
 * Which reader: rss-parser's `parseString` is the parser of record for well-formed RSS 2.0/0.9x,
 * Atom 1.0 and RSS 1.0, run in a worker under a deadline (rss-parser-worker.ts) and normalized
 * by rss-parser-reader.ts. A linear pre-scan (prescan.ts) sends the cases rss-parser gets wrong,
 * and anything whose cost it could not bound, to our bounded sax tree reader (xml-tree.ts:
 * entity, depth, element, text and CPU-time limits; xml-formats.ts), which also takes over when
 * rss-parser throws, overruns its deadline or leaves gaps. JSON Feed has its own reader.
 */
import { createHash } from 'node:crypto';
import { boundHtml } from '../http/html-bounds';
import type { Author, FeedItem, ParsedFeed } from '../types';
import { parseFeedDate } from './dates';
import { FeedParseError } from './errors';
import { readJsonFeed } from './json-feed';
import type { RawAuthor, RawFeed, RawItem } from './raw';
import { cleanLine, htmlToText, looksLikeHtml, stripUnsafeChars, truncateGraphemes } from './text';
import { readXmlFeed, formatOfRoot, type XmlFeedFormat } from './xml-formats';
import { DEFAULT_XML_LIMITS, parseXml, XmlLimitError, type XmlLimits } from './xml-tree';
import { prescanFeed } from './prescan';
import { readRssParserOutput, RssParserGap } from './rss-parser-reader';
import { parseWithRssParser, RssParserFailure } from './rss-parser-worker';

export { FeedParseError } from './errors';
export { parseFeedDate } from './dates';
export { htmlToText, truncateGraphemes } from './text';

export interface ParseFeedOptions {
  /** ISO time of the fetch: undated items get it, future dates are clamped to it. */
  fetchedAt: string;
  /** Newest N items kept (default 100). */
  maxItems?: number;
  /** Parse limits (tests shrink them); `deadlineMs` also bounds the rss-parser worker. */
  limits?: Partial<XmlLimits>;
  /** rss-parser routing (tests change them). */
  rssParser?: Partial<RssParserOptions>;
}

export interface RssParserOptions {
  /** Off: every XML feed goes to the tree reader. */
  enabled: boolean;
  /**
   * Bound on the character steps of rss-parser's quadratic snippet regex (prescan.ts
   * snippetCost); above it the feed goes straight to the tree reader. 2e7 steps is about 0.4 s.
   */
  maxSnippetCost: number;
}

export const DEFAULT_RSS_PARSER_OPTIONS: RssParserOptions = { enabled: true, maxSnippetCost: 20_000_000 };

/** Which reader produced a feed, and why the tree reader was used when it was. */
export type FeedParser = 'rss-parser' | 'tree' | 'json';

export interface ParsedFeedDetails extends ParsedFeed {
  format: RawFeed['format'];
  /** Items in the document, before dropping and capping. */
  itemsInDocument: number;
  /** Items that could not be normalized at all (never the case for a readable entry). */
  itemsDropped: number;
  /** Items kept although they had no http(s) link of their own (they link elsewhere, see FeedItem.linkSource). */
  itemsWithoutLink: number;
  /** The reader that produced the items. */
  parser: FeedParser;
  /** Why an XML feed did not take the rss-parser path (pre-scan route, rss-parser error, gap). */
  parserNote?: string;
  /** A problem the feed was read in spite of (a truncated document: only its complete items). */
  warning?: string;
}

export const DEFAULT_MAX_ITEMS = 100;
/** Length limits (UTF-16 units, cut on grapheme boundaries). */
const MAX_TITLE = 500;
const MAX_TEXT = 100_000;
const MAX_HTML = 500_000;
const MAX_AUTHOR = 200;
const MAX_AUTHORS = 10;
const MAX_CATEGORIES = 20;

export async function parseFeed(text: string, feedUrl: string, options: ParseFeedOptions): Promise<ParsedFeedDetails> {
  const { raw, parser, note, warning } = await readFeed(text, feedUrl, options);
  const fetchedAt = Date.parse(options.fetchedAt);
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const htmlTitles = hasHtmlTitles(raw);
  // Dates first, then the full (costlier) normalization only for the newest items that are kept.
  const dated = raw.items.map((item, index) => ({ item, index, published: publishedTime(item, fetchedAt) }));
  dated.sort((a, b) => b.published - a.published || a.index - b.index);
  const header = feedHeader(raw);
  const items: FeedItem[] = [];
  const ids = new Set<string>();
  let dropped = 0;
  let withoutLink = 0;
  for (const { item: rawItem, published } of dated) {
    if (items.length >= maxItems) break;
    let item: FeedItem;
    try {
      item = normalizeItem(rawItem, published, htmlTitles, header.link);
    } catch {
      dropped++;
      continue;
    }
    if (item.linkSource) withoutLink++;
    if (ids.has(item.id)) continue;
    ids.add(item.id);
    items.push(item);
  }
  return {
    format: raw.format,
    ...header,
    lang: cleanLine(raw.lang, 35) || undefined,
    items,
    itemsInDocument: raw.items.length,
    itemsDropped: dropped,
    itemsWithoutLink: withoutLink,
    parser,
    ...(note ? { parserNote: note } : {}),
    ...(warning ? { warning } : {}),
  };
}

/** RSS-family titles may carry markup without saying so; Atom and JSON Feed titles say what they are. */
const hasHtmlTitles = (raw: RawFeed): boolean => raw.format !== 'atom' && raw.format !== 'json';

/** A title as plain text: HTML titles (declared, or markup-looking where undeclared markup is allowed) rendered to text. */
function plainTitle(source: string, isHtml: boolean | undefined, htmlTitles: boolean, max: number): string {
  return cleanLine(isHtml || (htmlTitles && looksLikeHtml(source)) ? htmlToText(source, max * 2) : source, max);
}

function feedHeader(raw: RawFeed): { title?: string; link?: string } {
  const title = raw.title ? plainTitle(raw.title, raw.titleIsHtml, hasHtmlTitles(raw), 200) : undefined;
  const link = raw.link && /^https?:\/\//i.test(raw.link) ? raw.link : undefined;
  return { title: title || undefined, link };
}

interface ReadResult {
  raw: RawFeed;
  parser: FeedParser;
  note?: string;
  warning?: string;
}

async function readFeed(
  text: string,
  feedUrl: string,
  options: Pick<ParseFeedOptions, 'limits' | 'rssParser'>,
): Promise<ReadResult> {
  const limits: XmlLimits = { ...DEFAULT_XML_LIMITS, ...options.limits };
  const rss: RssParserOptions = { ...DEFAULT_RSS_PARSER_OPTIONS, ...options.rssParser };
  const start = /\S/.exec(text.slice(0, 4096));
  const body = start ? text.slice(start.index).replace(/^\uFEFF/, '') : '';
  if (!body) throw new FeedParseError('not-a-feed', 'Empty document');
  if (body[0] === '{') return { raw: readJsonFeed(body, feedUrl), parser: 'json' };
  if (body[0] !== '<') throw new FeedParseError('not-a-feed', 'Neither XML nor JSON');
  if (isHtmlDocument(body)) throw new FeedParseError('not-a-feed', 'An HTML page, not a feed');
  let note: string;
  const scan = !rss.enabled
    ? ({ route: 'tree', reason: 'rss-parser disabled' } as const)
    : body.length > limits.maxTextChars
      ? ({ route: 'tree', reason: 'too-large' } as const)
      : prescanFeed(body, { maxDepth: limits.maxDepth, maxElements: limits.maxElements, maxSnippetCost: rss.maxSnippetCost });
  if (scan.route === 'rss-parser') {
    try {
      const out = await parseWithRssParser(body, limits.deadlineMs);
      return { raw: readRssParserOutput(body, out, scan.format, feedUrl, scan.lang), parser: 'rss-parser' };
    } catch (err) {
      if (err instanceof RssParserGap) note = `rss-parser gap: ${err.reason}`;
      else if (err instanceof RssParserFailure) note = `rss-parser ${err.kind}: ${err.message.split('\n')[0]}`;
      else note = `rss-parser output unreadable: ${(err as Error).message}`;
    }
  } else note = `pre-scan: ${scan.reason}`;
  let format: XmlFeedFormat | undefined;
  try {
    const doc = await parseXml(body, feedUrl, limits, (root) => {
      format = formatOfRoot(root);
    });
    const raw = readXmlFeed(doc.root, format!);
    if (!doc.truncated) return { raw, parser: 'tree', note };
    // A truncated feed still gives the items that were complete, with a warning; with none, it failed.
    if (!raw.items.length) throw new FeedParseError('parse', `${doc.truncated}, before any item was complete`);
    return {
      raw,
      parser: 'tree',
      note,
      warning: `${doc.truncated}; ${raw.items.length} complete item${raw.items.length === 1 ? '' : 's'} kept`,
    };
  } catch (err) {
    if (err instanceof FeedParseError) throw err;
    if (err instanceof XmlLimitError) throw new FeedParseError(err.errorClass, err.message);
    throw new FeedParseError('parse', `Feed could not be read: ${(err as Error).message}`);
  }
}

/**
 * An HTML page rather than a feed: its first element is <html>, <head> or <body>. An HTML doctype
 * alone does not decide it: feeds generated from page templates carry one before <rss>.
 */
function isHtmlDocument(body: string): boolean {
  const head = body.slice(0, 8192).replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!doctype[^>[]*(\[[\s\S]*?\])?\s*>/gi, '');
  const first = /<([a-z][\w:.-]*)/i.exec(head);
  if (!first) return /^\s*<!doctype\s+html/i.test(body.slice(0, 512));
  return /^(html|head|body)$/i.test(first[1]);
}

const isHttp = (url: string): boolean => /^https?:\/\/[^/]/i.test(url);

/** The item's first parseable date. */
function firstDate(raw: RawItem): Date | undefined {
  for (const d of raw.dates) {
    const parsed = parseFeedDate(d);
    if (parsed) return parsed;
  }
  return undefined;
}

/** The first parseable date; undated items get the fetch time, future dates are clamped to it. */
function publishedTime(raw: RawItem, fetchedAt: number): number {
  const date = firstDate(raw);
  return date ? Math.min(date.getTime(), fetchedAt) : fetchedAt;
}

const itemTitle = (raw: RawItem, htmlTitles: boolean): string =>
  plainTitle(raw.title ?? '', raw.titleIsHtml, htmlTitles, MAX_TITLE);

/** One entry as the readers and normalization see it, before any item is dropped, capped or reordered. */
export interface FeedEntryView {
  title: string;
  /** The link of the entry's own page: the first absolute http(s) candidate. */
  link?: string;
  authors?: Author[];
  /** ISO 8601 of the first parseable date (not clamped, no fetch-time default). */
  published?: string;
}

export interface FeedView {
  format: RawFeed['format'];
  parser: FeedParser;
  parserNote?: string;
  warning?: string;
  title?: string;
  link?: string;
  /** Every entry, in document order (items without a link included). */
  entries: FeedEntryView[];
}

/**
 * The feed as parseFeed reads it, entry by entry in document order: for inspecting a feed and for
 * measuring the readers against conformance suites (bench/conformance.ts). Titles, links and dates
 * go through the same normalization as parseFeed.
 */
export async function inspectFeed(
  text: string,
  feedUrl: string,
  options: Pick<ParseFeedOptions, 'limits' | 'rssParser'> = {},
): Promise<FeedView> {
  const { raw, parser, note, warning } = await readFeed(text, feedUrl, options);
  const htmlTitles = hasHtmlTitles(raw);
  return {
    format: raw.format,
    parser,
    ...(note ? { parserNote: note } : {}),
    ...(warning ? { warning } : {}),
    ...feedHeader(raw),
    entries: raw.items.map((item) => {
      const date = firstDate(item);
      const authors = normalizeAuthors(item.authors);
      return {
        title: itemTitle(item, htmlTitles),
        link: item.links.find(isHttp),
        ...(authors.length ? { authors } : {}),
        ...(date ? { published: date.toISOString() } : {}),
      };
    }),
  };
}

/**
 * Where an entry's story links: its own page; else its first usable link of another relation;
 * else the feed's site; else nowhere (the page shows the text without a link).
 */
function storyLink(raw: RawItem, siteLink: string | undefined): Pick<FeedItem, 'link' | 'linkSource'> {
  const own = raw.links.find(isHttp);
  if (own) return { link: own };
  const other = raw.otherLinks?.find(isHttp);
  if (other) return { link: other, linkSource: 'other' };
  return siteLink ? { link: siteLink, linkSource: 'site' } : { link: '', linkSource: 'none' };
}

/** Authors cleaned and bounded; the name falls back to the address; the same person once. */
function normalizeAuthors(raw: RawAuthor[]): Author[] {
  const out: Author[] = [];
  const seen = new Set<string>();
  for (const a of raw) {
    const email = cleanLine(a.email, MAX_AUTHOR) || undefined;
    const name = cleanLine(a.name, MAX_AUTHOR) || email;
    if (!name) continue;
    const key = `${name.toLowerCase()}\n${email?.toLowerCase() ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const url = a.url && isHttp(a.url) ? a.url : undefined;
    out.push({ name, ...(email ? { email } : {}), ...(url ? { url } : {}) });
    if (out.length >= MAX_AUTHORS) break;
  }
  return out;
}

function normalizeItem(raw: RawItem, published: number, htmlTitles: boolean, siteLink: string | undefined): FeedItem {
  const { link, linkSource } = storyLink(raw, siteLink);
  const title = itemTitle(raw, htmlTitles);
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
  // The id must not change between runs: the hash uses what the entry says, never the fetch time;
  // a link that is not the entry's own (the feed's site) is shared by other entries.
  const id =
    cleanLine(raw.id, 1000) ||
    (linkSource ? '' : link) ||
    createHash('sha256')
      .update(`${title}\n${raw.dates[0] ?? ''}\n${contentText ?? contentHtml ?? ''}`)
      .digest('hex');
  const categories = [...new Set(raw.categories.map((c) => cleanLine(c, 100)).filter(Boolean))].slice(0, MAX_CATEGORIES);
  const item: FeedItem = { id, title, link, publishedAt };
  if (linkSource) item.linkSource = linkSource;
  const authors = normalizeAuthors(raw.authors);
  if (authors.length) {
    item.authors = authors;
    item.author = cleanLine(authors.map((a) => a.name).join(', '), MAX_AUTHOR);
  }
  if (contentHtml) item.contentHtml = contentHtml;
  if (contentText) item.contentText = contentText;
  if (categories.length) item.categories = categories;
  const lang = cleanLine(raw.lang, 35);
  if (lang) item.lang = lang;
  return item;
}
