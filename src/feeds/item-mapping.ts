/**
 * The one mapping from a feed document to our RawFeed shape, written once for both readers:
 * rss-parser's output (rss-parser-reader.ts) and our XML tree (xml-formats.ts) each present the
 * document as FeedNodes, and everything about which element means what — links, guid as
 * permalink, rdf:about, Atom text constructs and link choice, dates, authors, categories — is
 * decided here. A reader that lacks an element (rss-parser never sees dcterms or CDF: the
 * pre-scan sends those feeds to the tree) simply has no such children.
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

/** Namespace keys: '' is the feed's own vocabulary (RSS), 'atom' Atom, and the usual prefixes. */
export const RSS = [''];
export const ATOM = ['atom', ''];
export const ATOM_ONLY = ['atom'];
export const DC = ['dc'];
export const DCTERMS = ['dcterms'];
export const MEDIA = ['media'];
export const ITUNES = ['itunes'];
export const CONTENT = ['content'];

/** One element of a feed document, as a reader presents it. */
export interface FeedNode {
  /** Child elements called `name` (lower case) in one of the namespaces `ns`, in document order. */
  children(ns: readonly string[], name: string): FeedNode[];
  /** An attribute by lower-case name ("href", "rdf:about", "xml:lang"). */
  attr(name: string): string | undefined;
  /** The text content. */
  text(): string;
  /** The value of a text construct and whether it is HTML (Atom type/mode, naked markup). */
  textConstruct(): { value: string; isHtml: boolean };
  /** The base URL references in this element resolve against (xml:base, else the document URL). */
  readonly base: string;
  /** The language in effect here (xml:lang of the element or an ancestor). */
  readonly lang?: string;
}

/** A feed document: its format, the node that holds the feed's own elements, and its entries. */
export interface FeedDocument {
  format: Exclude<RawFeed['format'], 'json'>;
  channel: FeedNode;
  items: FeedNode[];
}

const childOf = (node: FeedNode | undefined, ns: readonly string[], name: string): FeedNode | undefined =>
  node?.children(ns, name)[0];

const text = (node: FeedNode | undefined): string | undefined => node?.text().trim() || undefined;

function texts(node: FeedNode, ns: readonly string[], names: string[]): string[] {
  const out: string[] = [];
  for (const name of names)
    for (const child of node.children(ns, name)) {
      const t = text(child);
      if (t) out.push(t);
    }
  return out;
}

const textConstruct = (node: FeedNode | undefined): { value: string; isHtml: boolean } | undefined => node?.textConstruct();

/** Atom link choice: rel="alternate" (the default), an HTML type first; Atom 0.3 puts the href as text. */
function atomLink(node: FeedNode, ns: readonly string[] = ATOM): string | undefined {
  const best = pickAlternateLink(
    node.children(ns, 'link').map((l) => ({ rel: l.attr('rel'), type: l.attr('type'), node: l })),
  )?.node;
  return best ? resolve(best.attr('href') ?? best.text(), best.base) : undefined;
}

/** Every link href of any relation (what a linkless entry may still point to). */
const allLinks = (node: FeedNode, ns: readonly string[]): string[] =>
  node
    .children(ns, 'link')
    .map((l) => resolve(l.attr('href') ?? l.text(), l.base))
    .filter((href): href is string => !!href);

/** Atom person constructs (<author><name/><email/><uri/></author>); a bare text author is read as a line. */
function atomPersons(nodes: FeedNode[]): RawAuthor[] {
  const out: RawAuthor[] = [];
  for (const node of nodes) {
    const name = text(childOf(node, ATOM, 'name'));
    const email = text(childOf(node, ATOM, 'email'));
    const uri = childOf(node, ATOM, 'uri') ?? childOf(node, ATOM, 'url');
    const url = uri ? resolve(text(uri), uri.base) : undefined;
    const person = name || email || url ? { name, email, url } : authorFromText(text(node));
    if (person) out.push(person);
  }
  return out;
}

function rssItem(item: FeedNode): RawItem {
  const links: string[] = [];
  for (const l of item.children(RSS, 'link')) {
    const href = resolve(text(l), l.base);
    if (href) links.push(href);
  }
  const alt = atomLink(item, ATOM_ONLY);
  if (alt) links.push(alt);
  const guidNode = childOf(item, RSS, 'guid');
  const guid = text(guidNode);
  if (guid && guidNode && guidIsPermalink(guid, guidNode.attr('ispermalink'))) {
    const href = resolve(guid, guidNode.base);
    if (href) links.push(href);
  }
  const about = item.attr('rdf:about');
  if (about) {
    const href = resolve(about, item.base);
    if (href) links.push(href);
  }
  // Podcasts without a page: the enclosure is the last resort for a link.
  const enclosure = resolve(childOf(item, RSS, 'enclosure')?.attr('url'), item.base);
  if (enclosure) links.push(enclosure);
  const media = childOf(item, MEDIA, 'group') ?? item;
  const title = textConstruct(childOf(item, RSS, 'title') ?? childOf(item, DC, 'title') ?? childOf(media, MEDIA, 'title'));
  const mediaDescription = textConstruct(childOf(media, MEDIA, 'description'));
  const encoded = textConstruct(childOf(item, CONTENT, 'encoded'))?.value.trim() || undefined;
  const description = textConstruct(childOf(item, RSS, 'description'))?.value;
  const atomContent = textConstruct(childOf(item, ATOM_ONLY, 'content') ?? childOf(item, ATOM_ONLY, 'summary'));
  return {
    title: title?.value,
    titleIsHtml: title?.isHtml,
    links,
    otherLinks: allLinks(item, ATOM_ONLY),
    id: guid ?? (about ? (resolve(about, item.base) ?? about) : undefined),
    dates: [
      ...texts(item, RSS, ['pubdate']),
      ...texts(item, DC, ['date']),
      ...texts(item, DCTERMS, ['issued', 'created', 'available', 'date']),
      ...texts(item, ATOM_ONLY, ['published', 'issued', 'created']),
      ...texts(item, DCTERMS, ['modified']),
      ...texts(item, ATOM_ONLY, ['updated', 'modified']),
    ],
    authors: firstAuthors(
      authorsFromTexts(texts(item, RSS, ['author'])),
      authorsFromTexts(texts(item, DC, ['creator', 'author'])),
      atomPersons(item.children(ATOM_ONLY, 'author')),
      authorsFromTexts(texts(item, ITUNES, ['author'])),
    ),
    contentHtml:
      encoded ?? (description?.trim() ? description : undefined) ?? (atomContent?.isHtml ? atomContent.value : undefined),
    contentText:
      (atomContent && !atomContent.isHtml ? atomContent.value : undefined) ?? (mediaDescription?.value.trim() || undefined),
    categories: [...texts(item, RSS, ['category']), ...texts(item, DC, ['subject'])],
    lang: item.lang ?? text(childOf(item, DC, 'language')),
  };
}

function atomEntry(entry: FeedNode, feedAuthors: RawAuthor[]): RawItem {
  const link = atomLink(entry);
  const id = text(childOf(entry, ATOM, 'id'));
  const links = link ? [link] : [];
  if (!link && id && /^https?:\/\//i.test(id)) links.push(id);
  const media = childOf(entry, MEDIA, 'group') ?? entry;
  const title = textConstruct(childOf(entry, ATOM, 'title') ?? childOf(entry, DC, 'title') ?? childOf(media, MEDIA, 'title'));
  const content = textConstruct(childOf(entry, ATOM, 'content'));
  const summary = textConstruct(childOf(entry, ATOM, 'summary'));
  const body = content?.value.trim()
    ? content
    : summary?.value.trim()
      ? summary
      : textConstruct(childOf(media, MEDIA, 'description'));
  const categories = entry
    .children(ATOM, 'category')
    .map((c) => (c.attr('label') ?? c.attr('term') ?? c.text()).trim())
    .filter(Boolean);
  return {
    title: title?.value,
    titleIsHtml: title?.isHtml,
    links,
    otherLinks: allLinks(entry, ATOM),
    id,
    dates: [
      ...texts(entry, ATOM, ['published', 'issued', 'created']),
      ...texts(entry, DC, ['date']),
      ...texts(entry, DCTERMS, ['issued', 'created', 'date']),
      ...texts(entry, ATOM, ['updated', 'modified']),
      ...texts(entry, DCTERMS, ['modified']),
    ],
    authors: firstAuthors(
      atomPersons(entry.children(ATOM, 'author')),
      atomPersons(childOf(entry, ATOM, 'source')?.children(ATOM, 'author') ?? []),
      authorsFromTexts(texts(entry, DC, ['creator'])),
      feedAuthors,
    ),
    contentHtml: body?.isHtml ? body.value : undefined,
    contentText: body && !body.isHtml ? body.value : undefined,
    categories: [...categories, ...texts(entry, DC, ['subject'])],
    lang: entry.lang ?? text(childOf(entry, DC, 'language')),
  };
}

/** CDF (Microsoft's Channel Definition Format): <CHANNEL HREF> with <ITEM HREF LASTMOD>. */
function cdfItem(item: FeedNode): RawItem {
  const href = resolve(item.attr('href'), item.base);
  const lastmod = item.attr('lastmod');
  return {
    title: text(childOf(item, RSS, 'title')),
    links: href ? [href] : [],
    id: href,
    dates: lastmod ? [lastmod] : [],
    contentText: text(childOf(item, RSS, 'abstract')),
    authors: [],
    categories: [],
    lang: item.lang,
  };
}

export function readFeedDocument({ format, channel, items }: FeedDocument): RawFeed {
  if (format === 'atom') {
    const title = textConstruct(childOf(channel, ATOM, 'title'));
    const feedAuthors = atomPersons(channel.children(ATOM, 'author'));
    return {
      format,
      title: title?.value,
      titleIsHtml: title?.isHtml,
      link: atomLink(channel),
      lang: channel.lang,
      items: items.map((e) => atomEntry(e, feedAuthors)),
    };
  }
  if (format === 'cdf') {
    return {
      format,
      title: text(childOf(channel, RSS, 'title')),
      link: resolve(channel.attr('href'), channel.base),
      lang: channel.lang,
      items: items.map(cdfItem),
    };
  }
  const title = textConstruct(childOf(channel, RSS, 'title') ?? childOf(channel, DC, 'title'));
  const linkNode = childOf(channel, RSS, 'link');
  return {
    format,
    title: title?.value,
    titleIsHtml: title?.isHtml,
    // A channel whose only link is <atom:link rel="alternate"> (the prefix is often undeclared).
    link: resolve(text(linkNode), linkNode?.base ?? channel.base) ?? atomLink(channel, ATOM_ONLY),
    lang: text(childOf(channel, RSS, 'language')) ?? text(childOf(channel, DC, 'language')) ?? channel.lang,
    items: items.map(rssItem),
  };
}
