/**
 * Reading RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 1.0/0.3 and CDF out of the XML tree. Where rss-parser
 * falls short this fills in: roots without a version or with a prefix, xml:base on every
 * element, Atom text constructs (text/html/xhtml, 0.3 "mode"), Atom 0.3 and dcterms dates,
 * dc:author, guid as permalink, rdf:about.
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
import { FeedParseError } from './errors';
import { looksLikeHtml } from './text';
import { childOf, childrenOf, innerXml, textContent, type XmlElement } from './xml-tree';

const RSS = [''];
const ATOM = ['atom', ''];
const ATOM_ONLY = ['atom'];
const DC = ['dc'];
const DCTERMS = ['dcterms'];
const MEDIA = ['media'];

const text = (el: XmlElement | undefined): string | undefined => {
  if (!el) return undefined;
  const t = textContent(el).trim();
  return t || undefined;
};

const texts = (el: XmlElement, ns: readonly string[], names: string[]): string[] => {
  const out: string[] = [];
  for (const name of names)
    for (const c of childrenOf(el, ns, name)) {
      const t = text(c);
      if (t) out.push(t);
    }
  return out;
};

/** A text construct: Atom's type="text|html|xhtml" (and 0.3 mode="escaped|xml|base64"), RSS's naked markup. */
export function textConstruct(el: XmlElement | undefined): { value: string; isHtml: boolean } | undefined {
  if (!el) return undefined;
  const type = (el.attrs['type'] ?? '').toLowerCase().trim();
  const mode = (el.attrs['mode'] ?? '').toLowerCase().trim();
  const hasElements = el.children.some((c) => typeof c !== 'string');
  // Atom 0.3 mode="base64"; in Atom 1.0 a media type that is neither text/* nor XML means base64 (RFC 4287 4.1.3.3).
  const binaryType = /\//.test(type) && !/^text\/|[/+]xml$/.test(type);
  if (mode === 'base64' || (binaryType && !hasElements)) {
    const decoded = Buffer.from(textContent(el).replace(/\s+/g, ''), 'base64').toString('utf8');
    return { value: decoded, isHtml: /html/.test(type) || (binaryType && looksLikeHtml(decoded)) };
  }
  if (type === 'xhtml' || type === 'application/xhtml+xml' || mode === 'xml' || hasElements) {
    // Inline markup: the xhtml <div> wrapper is not part of the content.
    const kids = el.children.filter((c) => typeof c !== 'string' || c.trim());
    const wrapper = kids.length === 1 && typeof kids[0] !== 'string' && kids[0].name === 'div' ? kids[0] : el;
    return { value: innerXml(wrapper), isHtml: true };
  }
  const value = textContent(el);
  if (type === 'html' || type === 'text/html' || mode === 'escaped') return { value, isHtml: true };
  return { value, isHtml: false };
}

function atomLink(el: XmlElement, ns: readonly string[] = ATOM): string | undefined {
  const best = pickAlternateLink(
    childrenOf(el, ns, 'link').map((l) => ({ rel: l.attrs['rel'], type: l.attrs['type'], el: l })),
  )?.el;
  // Atom 0.3 and some 1.0 feeds put the href as text.
  return best ? resolve(best.attrs['href'] ?? textContent(best), best.base) : undefined;
}

/** Every atom:link href of any relation (what a linkless entry may still point to). */
const allLinks = (el: XmlElement, ns: readonly string[]): string[] =>
  childrenOf(el, ns, 'link')
    .map((l) => resolve(l.attrs['href'] ?? textContent(l), l.base))
    .filter((href): href is string => !!href);

/** Atom person constructs (<author><name/><email/><uri/></author>); a bare text author is read as a line. */
function atomPersons(els: XmlElement[]): RawAuthor[] {
  const out: RawAuthor[] = [];
  for (const el of els) {
    const name = text(childOf(el, ATOM, 'name'));
    const email = text(childOf(el, ATOM, 'email'));
    const uriEl = childOf(el, ATOM, 'uri') ?? childOf(el, ATOM, 'url');
    const url = uriEl ? resolve(text(uriEl), uriEl.base) : undefined;
    const person = name || email || url ? { name, email, url } : authorFromText(text(el));
    if (person) out.push(person);
  }
  return out;
}

function rssItem(item: XmlElement): RawItem {
  const links: string[] = [];
  for (const l of childrenOf(item, RSS, 'link')) {
    const href = resolve(text(l), l.base);
    if (href) links.push(href);
  }
  const alt = atomLink(item, ATOM_ONLY);
  if (alt) links.push(alt);
  const guidEl = childOf(item, RSS, 'guid');
  const guid = text(guidEl);
  if (guid && guidEl && guidIsPermalink(guid, guidEl.attrs['ispermalink'])) {
    const href = resolve(guid, guidEl.base);
    if (href) links.push(href);
  }
  const about = item.attrs['rdf:about'];
  if (about) {
    const href = resolve(about, item.base);
    if (href) links.push(href);
  }
  // Podcasts without a page: the enclosure is the last resort for a link.
  const enclosure = resolve(childOf(item, RSS, 'enclosure')?.attrs['url'], item.base);
  if (enclosure) links.push(enclosure);
  const media = childOf(item, MEDIA, 'group') ?? item;
  const title = textConstruct(childOf(item, RSS, 'title') ?? childOf(item, DC, 'title') ?? childOf(media, MEDIA, 'title'));
  const mediaDescription = textConstruct(childOf(media, MEDIA, 'description'));
  const encoded = textConstruct(childOf(item, ['content'], 'encoded'))?.value.trim() || undefined;
  const description = childOf(item, RSS, 'description');
  const descHtml = description ? textConstruct(description)?.value : undefined;
  const atomContent = textConstruct(childOf(item, ATOM_ONLY, 'content') ?? childOf(item, ATOM_ONLY, 'summary'));
  const categories = [...texts(item, RSS, ['category']), ...texts(item, DC, ['subject'])];
  return {
    title: title?.value,
    titleIsHtml: title?.isHtml,
    links,
    id: guid ?? (about ? (resolve(about, item.base) ?? about) : undefined),
    dates: [
      ...texts(item, RSS, ['pubdate']),
      ...texts(item, DC, ['date']),
      ...texts(item, DCTERMS, ['issued', 'created', 'available', 'date']),
      ...texts(item, ATOM_ONLY, ['published', 'issued', 'created']),
      ...texts(item, DCTERMS, ['modified']),
      ...texts(item, ATOM_ONLY, ['updated', 'modified']),
    ],
    otherLinks: allLinks(item, ATOM_ONLY),
    authors: firstAuthors(
      authorsFromTexts(texts(item, RSS, ['author'])),
      authorsFromTexts(texts(item, DC, ['creator', 'author'])),
      atomPersons(childrenOf(item, ATOM_ONLY, 'author')),
      authorsFromTexts(texts(item, ['itunes'], ['author'])),
    ),
    contentHtml: encoded ?? (descHtml?.trim() ? descHtml : undefined) ?? (atomContent?.isHtml ? atomContent.value : undefined),
    contentText:
      (atomContent && !atomContent.isHtml ? atomContent.value : undefined) ?? (mediaDescription?.value.trim() || undefined),
    categories,
    lang: item.lang ?? text(childOf(item, DC, 'language')),
  };
}

function atomEntry(entry: XmlElement, feedAuthors: RawAuthor[]): RawItem {
  const link = atomLink(entry);
  const idEl = childOf(entry, ATOM, 'id');
  const id = text(idEl);
  const links = link ? [link] : [];
  if (!link && id && /^https?:\/\//i.test(id)) links.push(id);
  const title = textConstruct(
    childOf(entry, ATOM, 'title') ??
      childOf(entry, DC, 'title') ??
      childOf(childOf(entry, MEDIA, 'group') ?? entry, MEDIA, 'title'),
  );
  const content = textConstruct(childOf(entry, ATOM, 'content'));
  const summary = textConstruct(childOf(entry, ATOM, 'summary'));
  const media = childOf(entry, MEDIA, 'group') ?? entry;
  const body = content?.value.trim()
    ? content
    : summary?.value.trim()
      ? summary
      : textConstruct(childOf(media, MEDIA, 'description'));
  const categories = childrenOf(entry, ATOM, 'category')
    .map((c) => (c.attrs['label'] ?? c.attrs['term'] ?? textContent(c)).trim())
    .filter(Boolean);
  return {
    title: title?.value,
    titleIsHtml: title?.isHtml,
    links,
    id,
    dates: [
      ...texts(entry, ATOM, ['published', 'issued', 'created']),
      ...texts(entry, DC, ['date']),
      ...texts(entry, DCTERMS, ['issued', 'created', 'date']),
      ...texts(entry, ATOM, ['updated', 'modified']),
      ...texts(entry, DCTERMS, ['modified']),
    ],
    otherLinks: allLinks(entry, ATOM),
    authors: firstAuthors(
      atomPersons(childrenOf(entry, ATOM, 'author')),
      atomPersons(childrenOf(childOf(entry, ATOM, 'source') ?? entry, ATOM, 'author')),
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
function cdfItem(item: XmlElement): RawItem {
  const href = resolve(item.attrs['href'], item.base);
  return {
    title: text(childOf(item, RSS, 'title')),
    links: href ? [href] : [],
    id: href,
    dates: item.attrs['lastmod'] ? [item.attrs['lastmod']] : [],
    contentText: text(childOf(item, RSS, 'abstract')),
    authors: [],
    categories: [],
    lang: item.lang,
  };
}

export type XmlFeedFormat = 'rss' | 'rdf' | 'atom' | 'cdf';

/** Recognize a feed root as soon as it opens; anything else is "not a feed". */
export function formatOfRoot(root: XmlElement): XmlFeedFormat {
  const n = root.name;
  if (n === 'rss' && (root.ns === '' || root.ns === 'rss')) return 'rss';
  if (n === 'rdf' && root.ns === 'rdf') return 'rdf';
  if (n === 'rdf' || (n === 'rss' && root.ns !== '')) return n === 'rss' ? 'rss' : 'rdf';
  if (n === 'feed' && (root.ns === 'atom' || root.ns === '')) return 'atom';
  if (n === 'channel') return 'cdf';
  if (n === 'html' || n === 'body' || n === 'head') throw new FeedParseError('not-a-feed', 'An HTML page, not a feed');
  throw new FeedParseError('not-a-feed', `Not a feed: the document root is <${root.qname}>`);
}

export function readXmlFeed(root: XmlElement, format: XmlFeedFormat): RawFeed {
  if (format === 'atom') {
    const title = textConstruct(childOf(root, ATOM, 'title'));
    const feedAuthors = atomPersons(childrenOf(root, ATOM, 'author'));
    return {
      format,
      title: title?.value,
      titleIsHtml: title?.isHtml,
      link: atomLink(root),
      lang: root.lang,
      items: childrenOf(root, ATOM, 'entry').map((e) => atomEntry(e, feedAuthors)),
    };
  }
  if (format === 'cdf') {
    return {
      format,
      title: text(childOf(root, RSS, 'title')),
      link: resolve(root.attrs['href'], root.base),
      lang: root.lang,
      items: childrenOf(root, RSS, 'item').map(cdfItem),
    };
  }
  // RSS 0.9x/2.0: items inside <channel>; RSS 1.0/0.90: items are siblings of <channel>.
  const channel = childOf(root, RSS, 'channel') ?? root;
  const itemEls = [...childrenOf(channel, RSS, 'item'), ...(channel !== root ? childrenOf(root, RSS, 'item') : [])];
  const title = textConstruct(childOf(channel, RSS, 'title') ?? childOf(channel, DC, 'title'));
  const linkEl = childOf(channel, RSS, 'link');
  return {
    format,
    title: title?.value,
    titleIsHtml: title?.isHtml,
    // A channel whose only link is <atom:link rel="alternate"> (the prefix is often undeclared).
    link: resolve(text(linkEl), linkEl?.base ?? channel.base) ?? atomLink(channel, ATOM_ONLY),
    lang: text(childOf(channel, RSS, 'language')) ?? text(childOf(channel, DC, 'language')) ?? channel.lang,
    items: itemEls.map(rssItem),
  };
}
