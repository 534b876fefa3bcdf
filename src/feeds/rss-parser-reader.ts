/**
 * rss-parser's output into our RawFeed shape, filling its gaps: links resolved against the
 * document URL, guid-as-permalink, rdf:about, Atom link selection by rel/type, Atom text types
 * (a text-typed title stays text), raw date strings (never its `isoDate`/Atom `pubDate`, which
 * it invents or rolls over; our lenient parser reads them), every author (author, dc:creator,
 * atom:author, itunes:author) with name, email and URI. `contentSnippet` is never read.
 *
 * Where its output cannot be trusted — naked markup inside a title or content (which xml2js
 * splits into text and child objects, cutting the value short) or an item it left without a
 * title, link or date that the tree reader might find — this throws RssParserGap and the caller
 * reads the feed with the tree reader instead.
 */
import {
  authorFromText,
  authorsFromTexts,
  firstAuthors,
  guidIsPermalink,
  pickAlternateLink,
  resolve,
  type RawAuthor,
  type RawFeed,
  type RawItem,
} from './raw';

export class RssParserGap extends Error {
  constructor(readonly reason: string) {
    super(`rss-parser output incomplete: ${reason}`);
    this.name = 'RssParserGap';
  }
}

export type RssParserFormat = 'rss' | 'rdf' | 'atom';

/** An xml2js node: a string, or `{ _: text, $: attributes, child: [nodes] }`. */
type XNode = unknown;
type Obj = Record<string, unknown>;

const isObj = (n: XNode): n is Obj => typeof n === 'object' && n !== null && !Array.isArray(n);
const list = (v: unknown): XNode[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const first = (v: unknown): XNode => list(v)[0];

const hasChildElements = (n: XNode): boolean => isObj(n) && Object.keys(n).some((k) => k !== '_' && k !== '$');

/** Text of a node; naked child markup is a gap (the tree reader keeps it as HTML). */
function nodeText(n: XNode, field: string): string | undefined {
  if (n === undefined || n === null) return undefined;
  if (typeof n === 'string') return n;
  if (hasChildElements(n)) throw new RssParserGap(`markup inside <${field}>`);
  if (isObj(n)) return typeof n._ === 'string' ? n._ : '';
  return undefined;
}

const str = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v;
  if (isObj(v) && typeof v._ === 'string') return v._;
  return undefined;
};

const trimmed = (v: string | undefined): string | undefined => v?.trim() || undefined;

/** Attributes with lowercased names (xml2js keeps them as written). */
function attrsOf(n: XNode): Record<string, string> {
  const out: Record<string, string> = {};
  const a = isObj(n) && isObj(n.$) ? n.$ : isObj(n) && !('_' in n) ? n : undefined;
  if (a) for (const [k, v] of Object.entries(a)) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

/** An Atom (or RSS) text construct: value plus whether `type` says it is HTML. */
function textConstruct(n: XNode, field: string): { value: string; isHtml: boolean } | undefined {
  if (n === undefined) return undefined;
  const value = nodeText(n, field);
  if (value === undefined) return undefined;
  const type = (attrsOf(n)['type'] ?? '').trim().toLowerCase();
  return { value, isHtml: type === 'html' || type === 'text/html' };
}

/** Atom link choice: rel="alternate" (the default), an HTML type first. */
function atomLink(links: XNode[], base: string): string | undefined {
  const best = pickAlternateLink(
    links.map((l) => {
      const a = attrsOf(l);
      return { rel: a['rel'], type: a['type'], href: a['href'] ?? str(l) };
    }),
  );
  return best ? resolve(best.href, base) : undefined;
}

const texts = (v: unknown, field: string): string[] =>
  list(v)
    .map((n) => trimmed(nodeText(n, field)))
    .filter((t): t is string => !!t);

const dates = (...values: unknown[]): string[] => values.map((v) => trimmed(str(v))).filter((d): d is string => !!d);

function mediaText(item: Obj, name: 'mediaTitle' | 'mediaDescription', element: string): XNode {
  const group = first(item.mediaGroup);
  const inGroup = isObj(group) ? first(group[element]) : undefined;
  return inGroup ?? first(item[name]);
}

/** Every atom:link href of any relation (what a linkless entry may still point to). */
const allLinks = (links: XNode[], base: string): string[] =>
  links.map((l) => resolve(attrsOf(l)['href'] ?? str(l), base)).filter((href): href is string => !!href);

/** Atom person constructs (`{ name, email, uri }` nodes); a bare text author is read as a line. */
function atomPersons(nodes: XNode[], base: string): RawAuthor[] {
  const out: RawAuthor[] = [];
  for (const n of nodes) {
    if (!isObj(n) || !hasChildElements(n)) {
      const person = authorFromText(str(n));
      if (person) out.push(person);
      continue;
    }
    // Inside an RSS item the children keep their prefix (atom:name).
    const child = (local: string): string | undefined => {
      const key = Object.keys(n).find((k) => k === local || k.endsWith(`:${local}`));
      return key ? trimmed(str(first(n[key]))) : undefined;
    };
    const name = child('name');
    const email = child('email');
    const url = resolve(child('uri') ?? child('url'), base);
    if (name || email || url) out.push({ name, email, url });
  }
  return out;
}

const textsOf = (v: unknown): string[] =>
  list(v)
    .map((n) => trimmed(str(n)))
    .filter((t): t is string => !!t);

function rssItem(item: Obj, base: string, lang: string | undefined): RawItem {
  const links: string[] = [];
  for (const l of list(item.rawLinks)) {
    const href = resolve(nodeText(l, 'link'), base);
    if (href) links.push(href);
  }
  const alt = atomLink(list(item.atomLinks), base);
  if (alt) links.push(alt);
  const guidNode = first(item.rawGuid);
  const guid = trimmed(nodeText(guidNode, 'guid'));
  if (guid && guidIsPermalink(guid, attrsOf(guidNode)['ispermalink'])) {
    const href = resolve(guid, base);
    if (href) links.push(href);
  }
  const attrs = attrsOf(item.attrs);
  const about = attrs['rdf:about'];
  if (about) {
    const href = resolve(about, base);
    if (href) links.push(href);
  }
  const enclosure = resolve(isObj(item.enclosure) ? str(item.enclosure.url) : undefined, base);
  if (enclosure) links.push(enclosure);

  const titleNode = first(item.rawTitle) ?? item.dcTitle ?? mediaText(item, 'mediaTitle', 'media:title');
  const title = textConstruct(titleNode, 'title');
  const encoded = trimmed(nodeText(first(item.rawEncoded), 'content:encoded'));
  const description = nodeText(first(item.rawDescription), 'description');
  const mediaDescription = textConstruct(mediaText(item, 'mediaDescription', 'media:description'), 'media:description');
  return {
    title: title?.value,
    titleIsHtml: title?.isHtml,
    links,
    id: guid ?? (about ? (resolve(about, base) ?? about) : undefined),
    dates: dates(item.pubDate, item['dc:date'], item.published, item.created, item.updated),
    otherLinks: allLinks(list(item.atomLinks), base),
    authors: firstAuthors(
      authorsFromTexts(textsOf(item.rawAuthor)),
      authorsFromTexts(textsOf(item.dcCreators)),
      atomPersons(list(item.atomAuthors), base),
      authorsFromTexts(textsOf(item.itunesAuthor)),
    ),
    contentHtml: encoded ?? (description?.trim() ? description : undefined),
    contentText: mediaDescription?.value.trim() || undefined,
    categories: [...texts(item.rawCategories, 'category'), ...texts(item.dcSubjects, 'dc:subject')],
    lang: trimmed(attrs['xml:lang']) ?? lang ?? trimmed(str(item.language)),
  };
}

function atomEntry(entry: Obj, base: string, lang: string | undefined, feedAuthors: RawAuthor[]): RawItem {
  const link = atomLink(list(entry.rawLinks), base);
  const id = trimmed(nodeText(entry.id, 'id'));
  const links = link ? [link] : [];
  if (!link && id && /^https?:\/\//i.test(id)) links.push(id);
  const title = textConstruct(first(entry.rawTitle) ?? entry.dcTitle ?? mediaText(entry, 'mediaTitle', 'media:title'), 'title');
  const content = textConstruct(first(entry.rawContent), 'content');
  const summary = textConstruct(first(entry.rawSummary), 'summary');
  const body = content?.value.trim()
    ? content
    : summary?.value.trim()
      ? summary
      : textConstruct(mediaText(entry, 'mediaDescription', 'media:description'), 'media:description');
  const categories = list(entry.rawCategories)
    .map((c) => {
      const a = attrsOf(c);
      return (a['label'] ?? a['term'] ?? str(c) ?? '').trim();
    })
    .filter(Boolean);
  const attrs = attrsOf(entry.attrs);
  return {
    title: title?.value,
    titleIsHtml: title?.isHtml,
    links,
    id,
    dates: dates(entry.published, entry.created, entry['dc:date'], entry.updated),
    otherLinks: allLinks(list(entry.rawLinks), base),
    authors: firstAuthors(atomPersons(list(entry.rawAuthor), base), authorsFromTexts(textsOf(entry.dcCreators)), feedAuthors),
    contentHtml: body?.isHtml ? body.value : undefined,
    contentText: body && !body.isHtml ? body.value : undefined,
    categories: [...categories, ...texts(entry.dcSubjects, 'dc:subject')],
    lang: trimmed(attrs['xml:lang']) ?? lang ?? trimmed(str(entry.language)),
  };
}

type FieldKind = 'title' | 'link' | 'date';

/** Element names (as written) whose values the reader above takes from rss-parser's output. */
const READ_NAMES: Record<FieldKind, Set<string>> = {
  title: new Set(['title', 'dc:title', 'media:title']),
  link: new Set(['link', 'atom:link', 'guid', 'enclosure']),
  date: new Set(['pubDate', 'dc:date', 'published', 'updated', 'created']),
};
const FIELD_ELEMENTS: Record<FieldKind, RegExp> = {
  title: /<((?:[\w.-]+:)?title)[\s>/]/gi,
  link: /<((?:[\w.-]+:)?(?:link|guid|enclosure))[\s>/]/gi,
  date: /<((?:[\w.-]+:)?(?:pubdate|date|published|updated|created|issued|modified))[\s>/]/gi,
};

/** Whether `body` has an element for `kind` under a name the reader does not take. Linear. */
function hasUnreadElements(body: string, kind: FieldKind): boolean {
  const re = new RegExp(FIELD_ELEMENTS[kind].source, 'gi');
  for (let m = re.exec(body); m; m = re.exec(body)) if (!READ_NAMES[kind].has(m[1])) return true;
  return false;
}

/**
 * Normalize rss-parser's output. `rootLang` is the root element's xml:lang (rss-parser does not
 * expose the root's attributes; the pre-scan read them).
 */
export function readRssParserOutput(
  body: string,
  out: Obj,
  format: RssParserFormat,
  documentUrl: string,
  rootLang: string | undefined,
): RawFeed {
  const items = Array.isArray(out.items) ? (out.items as XNode[]).filter(isObj) : [];
  if (items.length === 0) throw new RssParserGap('no items');
  const feedAttrs = attrsOf(out.attrs);
  const feedLang = trimmed(feedAttrs['xml:lang']) ?? rootLang;
  let raw: RawFeed;
  if (format === 'atom') {
    const title = textConstruct(first(out.rawTitle), 'title');
    const feedAuthors = atomPersons(list(out.rawAuthor), documentUrl);
    raw = {
      format,
      title: title?.value,
      titleIsHtml: title?.isHtml,
      link: atomLink(list(out.rawLinks), documentUrl),
      lang: feedLang,
      items: items.map((e) => atomEntry(e, documentUrl, feedLang, feedAuthors)),
    };
  } else {
    const title = textConstruct(first(out.rawTitle), 'title');
    raw = {
      format,
      title: title?.value,
      titleIsHtml: title?.isHtml,
      // A channel whose only link is <atom:link rel="alternate"> (the prefix is often undeclared).
      link: resolve(nodeText(first(out.rawLinks), 'link'), documentUrl) ?? atomLink(list(out.atomLinks), documentUrl),
      lang: trimmed(str(out.language)) ?? trimmed(str(out.dcLanguage)) ?? feedLang,
      items: items.map((i) => rssItem(i, documentUrl, feedLang)),
    };
  }
  // An item rss-parser left without a title, an http(s) link or a date is one the tree reader may
  // read better, when the document holds such elements under names rss-parser does not read
  // (other letter case, other prefixes): let it decide then.
  const checked: Partial<Record<FieldKind, boolean>> = {};
  const unread = (kind: FieldKind): boolean => (checked[kind] ??= hasUnreadElements(body, kind));
  for (const item of raw.items) {
    if (!item.title?.trim() && unread('title')) throw new RssParserGap('an item without a title');
    if (!item.links.some((l) => /^https?:\/\//i.test(l)) && unread('link'))
      throw new RssParserGap('an item without an http(s) link');
    if (item.dates.length === 0 && unread('date')) throw new RssParserGap('an undated item');
  }
  return raw;
}
