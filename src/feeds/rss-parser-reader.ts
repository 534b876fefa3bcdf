/**
 * rss-parser's output as FeedNodes for the one item mapping (item-mapping.ts), so links resolved
 * against the document URL, guid-as-permalink, rdf:about, Atom link selection by rel/type, Atom
 * text types, raw date strings (never its `isoDate`/Atom `pubDate`, which it invents or rolls
 * over; our lenient parser reads them) and every author are read exactly as from the tree.
 * `contentSnippet` is never read. The elements rss-parser copies out are named in CUSTOM_FIELDS
 * (rss-parser-worker.ts); FEED_FIELDS and ITEM_FIELDS below say which element each one is.
 *
 * Where its output cannot be trusted — naked markup inside a title or content (which xml2js
 * splits into text and child objects, cutting the value short) or an item it left without a
 * title, link or date that the tree reader might find — this throws RssParserGap and the caller
 * reads the feed with the tree reader instead.
 */
import { readFeedDocument, type FeedNode } from './item-mapping';
import type { RawFeed } from './raw';

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

const hasChildElements = (n: XNode): boolean => isObj(n) && Object.keys(n).some((k) => k !== '_' && k !== '$');

/** Text of a node; naked child markup is a gap (the tree reader keeps it as HTML). */
function nodeText(n: XNode, element: string): string {
  if (typeof n === 'string') return n;
  if (hasChildElements(n)) throw new RssParserGap(`markup inside <${element}>`);
  return isObj(n) && typeof n._ === 'string' ? n._ : '';
}

/** Attributes with lowercased names (xml2js keeps them as written; rss-parser's enclosure is a plain object). */
function attrsOf(n: XNode): Record<string, string> {
  const out: Record<string, string> = {};
  const a = isObj(n) && isObj(n.$) ? n.$ : isObj(n) && !('_' in n) ? n : undefined;
  if (a) for (const [k, v] of Object.entries(a)) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

/**
 * Where rss-parser's output keeps the elements of the feed and of an item: `namespace:name`
 * ('' = unprefixed, as in RSS and in Atom's default namespace) → the field of its output.
 */
const FEED_FIELDS: Record<string, string> = {
  ':title': 'rawTitle',
  ':link': 'rawLinks',
  'atom:link': 'atomLinks',
  ':author': 'rawAuthor',
  ':language': 'language',
  'dc:language': 'dcLanguage',
};
const ITEM_FIELDS: Record<string, string> = {
  ':title': 'rawTitle',
  'dc:title': 'dcTitle',
  ':description': 'rawDescription',
  'content:encoded': 'rawEncoded',
  ':content': 'rawContent',
  ':summary': 'rawSummary',
  ':link': 'rawLinks',
  'atom:link': 'atomLinks',
  ':guid': 'rawGuid',
  ':id': 'id',
  ':enclosure': 'enclosure',
  ':pubdate': 'pubDate',
  'dc:date': 'dc:date',
  ':published': 'published',
  ':updated': 'updated',
  ':created': 'created',
  ':category': 'rawCategories',
  'dc:subject': 'dcSubjects',
  ':author': 'rawAuthor',
  'dc:creator': 'dcCreators',
  'atom:author': 'atomAuthors',
  'itunes:author': 'itunesAuthor',
  'media:group': 'mediaGroup',
  'media:title': 'mediaTitle',
  'media:description': 'mediaDescription',
};

/** name → namespace → field, looked up for every element the mapping asks for (most are absent). */
type FieldTable = Map<string, Map<string, string>>;
function fieldTable(fields: Record<string, string>): FieldTable {
  const table: FieldTable = new Map();
  for (const [qualified, field] of Object.entries(fields)) {
    const [ns, name] = qualified.split(':');
    if (!table.has(name)) table.set(name, new Map());
    table.get(name)!.set(ns, field);
  }
  return table;
}
const FEED_TABLE = fieldTable(FEED_FIELDS);
const ITEM_TABLE = fieldTable(ITEM_FIELDS);

/** One of rss-parser's output objects (the feed, an item) as a FeedNode, its elements found through `fields`. */
class OutputNode implements FeedNode {
  private readonly attrs: Record<string, string>;
  readonly lang: string | undefined;
  constructor(
    private readonly obj: Obj,
    private readonly fields: FieldTable,
    readonly base: string,
    inheritedLang: string | undefined,
  ) {
    this.attrs = attrsOf(obj.attrs);
    this.lang = this.attrs['xml:lang']?.trim() || inheritedLang;
  }
  children(ns: readonly string[], name: string): FeedNode[] {
    const byNamespace = this.fields.get(name);
    if (!byNamespace) return [];
    const out: FeedNode[] = [];
    for (const n of ns) {
      const field = byNamespace.get(n);
      if (field === undefined) continue;
      const element = n ? `${n}:${name}` : name;
      for (const c of list(this.obj[field])) out.push(new XmlNode(c, element, this.base, this.lang));
    }
    return out;
  }
  attr(name: string): string | undefined {
    return this.attrs[name];
  }
  text(): string {
    return '';
  }
  textConstruct(): { value: string; isHtml: boolean } {
    return { value: '', isHtml: false };
  }
}

/** A raw xml2js node (a link, a guid, an author…) as a FeedNode: its children are its keys. */
class XmlNode implements FeedNode {
  private attrs: Record<string, string> | undefined;
  constructor(
    private readonly node: XNode,
    private readonly element: string,
    readonly base: string,
    readonly lang: string | undefined,
  ) {}
  children(ns: readonly string[], name: string): FeedNode[] {
    const n = this.node;
    if (!isObj(n) || !hasChildElements(n)) return [];
    const wanted = ns.map((p) => (p ? `${p}:${name}` : name));
    const key = Object.keys(n).find((k) => wanted.includes(k.toLowerCase()));
    return key ? list(n[key]).map((c) => new XmlNode(c, key, this.base, this.lang)) : [];
  }
  attr(name: string): string | undefined {
    return (this.attrs ??= attrsOf(this.node))[name];
  }
  text(): string {
    return nodeText(this.node, this.element);
  }
  textConstruct(): { value: string; isHtml: boolean } {
    const type = (this.attr('type') ?? '').trim().toLowerCase();
    return { value: this.text(), isHtml: type === 'html' || type === 'text/html' };
  }
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
  const channel = new OutputNode(out, FEED_TABLE, documentUrl, rootLang);
  const raw = readFeedDocument({
    format,
    channel,
    items: items.map((item) => new OutputNode(item, ITEM_TABLE, documentUrl, channel.lang)),
  });
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
