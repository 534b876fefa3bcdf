/**
 * Our XML tree (xml-tree.ts) as FeedNodes for the one item mapping (item-mapping.ts). Where
 * rss-parser falls short the tree fills in: roots without a version or with a prefix, xml:base on
 * every element, Atom text constructs (text/html/xhtml, 0.3 "mode", base64), Atom 0.3 and dcterms
 * dates, dc:author, CDF.
 */
import { FeedParseError } from './errors';
import { ATOM, readFeedDocument, RSS, type FeedNode } from './item-mapping';
import type { RawFeed } from './raw';
import { looksLikeHtml } from './text';
import { childOf, childrenOf, innerXml, textContent, type XmlElement } from './xml-tree';

/** A text construct: Atom's type="text|html|xhtml" (and 0.3 mode="escaped|xml|base64"), RSS's naked markup. */
function textConstruct(el: XmlElement): { value: string; isHtml: boolean } {
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

/** An element of the tree as a FeedNode (a class: feeds have many elements, and methods cost no allocation). */
class TreeNode implements FeedNode {
  constructor(private readonly el: XmlElement) {}
  children(ns: readonly string[], name: string): FeedNode[] {
    return childrenOf(this.el, ns, name).map((c) => new TreeNode(c));
  }
  attr(name: string): string | undefined {
    return this.el.attrs[name];
  }
  text(): string {
    return textContent(this.el);
  }
  textConstruct(): { value: string; isHtml: boolean } {
    return textConstruct(this.el);
  }
  get base(): string {
    return this.el.base;
  }
  get lang(): string | undefined {
    return this.el.lang;
  }
}
const treeNode = (el: XmlElement): FeedNode => new TreeNode(el);

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
  const nodes = (els: XmlElement[]): FeedNode[] => els.map(treeNode);
  if (format === 'atom')
    return readFeedDocument({ format, channel: treeNode(root), items: nodes(childrenOf(root, ATOM, 'entry')) });
  if (format === 'cdf') return readFeedDocument({ format, channel: treeNode(root), items: nodes(childrenOf(root, RSS, 'item')) });
  // RSS 0.9x/2.0: items inside <channel>; RSS 1.0/0.90: items are siblings of <channel>.
  const channel = childOf(root, RSS, 'channel') ?? root;
  const items = [...childrenOf(channel, RSS, 'item'), ...(channel !== root ? childrenOf(root, RSS, 'item') : [])];
  return readFeedDocument({ format, channel: treeNode(channel), items: nodes(items) });
}
