/**
 * A small, bounded XML tree for feeds, built on sax in its forgiving mode (real feeds carry stray
 * "&" and HTML entities such as &nbsp;). Every cost is capped, so parsing a hostile document is
 * linear in its size and stops at a deadline:
 * - entities declared in an inline DTD are expanded by us, with a size limit (billion laughs);
 *   external entities (XXE) are refused and never resolved;
 * - nesting depth, element count and total text are limited;
 * - the input is fed in chunks and the CPU time spent parsing is checked between them.
 * Namespaces are resolved per element, with the usual prefixes (dc:, content:, media:…) accepted
 * even when a feed forgets to declare them. xml:base and xml:lang are resolved as the tree is built.
 */
import sax from 'sax';
import { decodeEntities } from './entities';
import type { ErrorClass } from '../types';

export class XmlLimitError extends Error {
  constructor(
    readonly errorClass: ErrorClass,
    message: string,
  ) {
    super(message);
    this.name = 'XmlLimitError';
  }
}

export interface XmlElement {
  /** Local name, lowercased. */
  name: string;
  /** Canonical namespace key: '' (RSS), 'atom', 'rdf', 'dc', 'dcterms', 'content', 'media', 'xhtml'…, else the URI. */
  ns: string;
  /** Qualified name as written (lowercased). */
  qname: string;
  /** Attributes by "nsKey:local" ("" namespace → just "local"), plus xml:base/xml:lang as "xml:base"/"xml:lang". */
  attrs: Record<string, string>;
  children: XmlNode[];
  /** The effective xml:base (absolute when it could be resolved). */
  base: string;
  lang?: string;
}
export type XmlNode = XmlElement | string;

export interface XmlLimits {
  maxDepth: number;
  maxElements: number;
  /** Characters of text (after entity expansion) the whole document may produce. */
  maxTextChars: number;
  /** Expanded length one DTD entity may reach. */
  maxEntityChars: number;
  /** CPU time the parse may take. */
  deadlineMs: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxDepth: 128,
  maxElements: 400_000,
  maxTextChars: 20_000_000,
  maxEntityChars: 65_536,
  deadlineMs: 3_000,
};

/** Namespace URIs (lowercased, trailing "/" or "#" kept) → the key the feed readers look for. */
const NAMESPACES: Record<string, string> = {
  'http://www.w3.org/2005/atom': 'atom',
  'http://purl.org/atom/ns#': 'atom',
  'http://purl.org/rss/1.0/': '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
  'http://backend.userland.com/rss2': '',
  'http://backend.userland.com/rss': '',
  'http://channel.netscape.com/rdf/simple/0.9/': '',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/elements/1.0/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  'http://www.w3.org/1999/xhtml': 'xhtml',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'http://www.w3.org/xml/1998/namespace': 'xml',
};
const ROOT_SCOPE = Object.create(null) as Record<string, string>;

const nsKeyFor = (uri: string): string =>
  NAMESPACES[uri.toLowerCase()] ?? NAMESPACES[uri.toLowerCase() + '/'] ?? uri.toLowerCase();

const resolveUrl = (ref: string, base: string): string => {
  try {
    return new URL(ref.trim(), base || undefined).toString();
  } catch {
    return base && !ref.trim() ? base : ref.trim();
  }
};

/**
 * Internal general entities of a DTD, expanded to text. External entities are refused. Expansion
 * is memoized and size-checked, so "billion laughs" stops at the first entity over the limit.
 */
export function dtdEntities(doctype: string, maxEntityChars: number): Record<string, string> {
  const declared = new Map<string, string>();
  const declRe = /<!ENTITY\s+(%\s+)?([A-Za-z_:][\w.:-]*)\s+(?:(SYSTEM|PUBLIC)\b|"([^"]*)"|'([^']*)')/g;
  for (let m = declRe.exec(doctype); m; m = declRe.exec(doctype)) {
    if (m[3])
      throw new XmlLimitError(
        'parse',
        `External entity "${m[2]}" refused (the document asks us to read ${m[3] === 'SYSTEM' ? 'a local or remote file' : 'an external resource'})`,
      );
    if (m[1]) continue; // parameter entities only shape the DTD, which we do not process
    if (!declared.has(m[2])) declared.set(m[2], m[4] ?? m[5] ?? '');
  }
  const expanded: Record<string, string> = {};
  const expand = (name: string, depth: number): string => {
    if (name in expanded) return expanded[name];
    if (depth > 16) throw new XmlLimitError('parse', `Entity "${name}" nests too deeply`);
    const raw = declared.get(name)!;
    let out = '';
    let last = 0;
    const refRe = /&(#x[0-9a-fA-F]+|#\d+|[A-Za-z_:][\w.:-]*);/g;
    for (let r = refRe.exec(raw); r; r = refRe.exec(raw)) {
      out += raw.slice(last, r.index);
      last = r.index + r[0].length;
      const ref = r[1];
      if (declared.has(ref)) {
        if (ref === name) throw new XmlLimitError('parse', `Entity "${name}" refers to itself`);
        out += expand(ref, depth + 1);
      } else out += decodeEntities(r[0]);
      if (out.length > maxEntityChars)
        throw new XmlLimitError(
          'parse',
          `Entity "${name}" expands beyond ${maxEntityChars} characters (entity expansion attack?)`,
        );
    }
    out += raw.slice(last);
    if (out.length > maxEntityChars)
      throw new XmlLimitError('parse', `Entity "${name}" expands beyond ${maxEntityChars} characters (entity expansion attack?)`);
    expanded[name] = out;
    return out;
  };
  for (const name of declared.keys()) expand(name, 0);
  return expanded;
}

export interface XmlDocument {
  root: XmlElement;
  /**
   * Set when the document ended with elements still open (a cut-off transfer, a stray `</feed`):
   * the tree keeps the root, the channel and every element that closed; the unfinished entry is
   * dropped, since its title or link may be cut short.
   */
  truncated?: string;
}

/**
 * Parse `text` into a tree. `onRoot` sees the root element as soon as it opens, so a caller can
 * refuse an HTML page or an unknown format without parsing the rest.
 */
export async function parseXml(
  text: string,
  documentUrl: string,
  limits: XmlLimits = DEFAULT_XML_LIMITS,
  onRoot?: (root: XmlElement) => void,
): Promise<XmlDocument> {
  const parser = sax.parser(false, {
    lowercase: true,
    trim: false,
    normalize: false,
    position: false,
    noscript: true,
  } as sax.SAXOptions);
  const stack: { el: XmlElement; scope: Record<string, string> }[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  let textChars = 0;
  let failure: Error | undefined;
  let aliasNamespace: [string, string] | undefined;
  const fail = (err: Error): void => {
    failure ??= err;
  };

  parser.ondoctype = (doctype: string) => {
    if (failure) return;
    try {
      const entities = dtdEntities(doctype, limits.maxEntityChars);
      const table = (parser as unknown as { ENTITIES: Record<string, string> }).ENTITIES;
      for (const [name, value] of Object.entries(entities)) table[name] = value;
    } catch (err) {
      fail(err as Error);
    }
  };

  const addText = (t: string): void => {
    if (failure || !t) return;
    textChars += t.length;
    if (textChars > limits.maxTextChars)
      return fail(new XmlLimitError('too-large', `Document expands to more than ${limits.maxTextChars} characters of text`));
    const top = stack[stack.length - 1];
    if (!top) return; // whitespace or junk outside the root
    const kids = top.el.children;
    if (typeof kids[kids.length - 1] === 'string') kids[kids.length - 1] += t;
    else kids.push(t);
  };
  parser.ontext = addText;
  parser.oncdata = addText;

  parser.onopentag = (tag) => {
    if (failure) return;
    if (++elements > limits.maxElements)
      return fail(new XmlLimitError('too-large', `More than ${limits.maxElements} XML elements`));
    if (stack.length >= limits.maxDepth)
      return fail(new XmlLimitError('parse', `XML nested deeper than ${limits.maxDepth} levels`));
    if (root && stack.length === 0) return; // a second root: ignore it
    const parent = stack[stack.length - 1];
    const rawAttrs = tag.attributes as Record<string, string>;
    let scope = parent?.scope ?? ROOT_SCOPE;
    let ownScope = false;
    for (const [name, value] of Object.entries(rawAttrs)) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        if (!ownScope) {
          scope = Object.create(scope) as Record<string, string>;
          ownScope = true;
        }
        scope[name === 'xmlns' ? '' : name.slice(6)] = nsKeyFor(value);
      }
    }
    // An undeclared prefix is keyed by its own name: "dc:creator" works without xmlns:dc.
    const keyFor = (qname: string, isAttr: boolean): [string, string] => {
      const colon = qname.indexOf(':');
      if (colon === -1) return [isAttr ? '' : (scope[''] ?? ''), qname];
      const prefix = qname.slice(0, colon);
      return [prefix === 'xml' ? 'xml' : (scope[prefix] ?? prefix), qname.slice(colon + 1)];
    };
    const qualified = keyFor(tag.name, false);
    const name = qualified[1];
    let ns = qualified[0];
    if (!parent && ns && /[:/]/.test(ns)) {
      // An unknown namespace on a feed root (an Atom draft, "http://purl.org/rss/2.0/") is still that format.
      if (name === 'feed') aliasNamespace = [ns, 'atom'];
      else if (name === 'rss' || name === 'channel') aliasNamespace = [ns, ''];
    }
    if (aliasNamespace && ns === aliasNamespace[0]) ns = aliasNamespace[1];
    const attrs: Record<string, string> = {};
    for (const [qname, value] of Object.entries(rawAttrs)) {
      if (qname === 'xmlns' || qname.startsWith('xmlns:')) continue;
      const [rawNs, local] = keyFor(qname, true);
      const ans = aliasNamespace && rawNs === aliasNamespace[0] ? aliasNamespace[1] : rawNs;
      attrs[ans ? `${ans}:${local}` : local] = value;
    }
    const parentBase = parent?.el.base ?? documentUrl;
    const el: XmlElement = {
      name,
      ns,
      qname: tag.name,
      attrs,
      children: [],
      base: attrs['xml:base'] !== undefined ? resolveUrl(attrs['xml:base'], parentBase) : parentBase,
      lang: attrs['xml:lang']?.trim() || parent?.el.lang,
    };
    if (parent) parent.el.children.push(el);
    else {
      root = el;
      try {
        onRoot?.(el);
      } catch (err) {
        return fail(err as Error);
      }
    }
    stack.push({ el, scope });
  };

  parser.onclosetag = () => {
    if (failure) return;
    stack.pop();
  };

  parser.onerror = (err: Error) => {
    // The forgiving mode only reports what it cannot recover from; note it and carry on.
    fail(new XmlLimitError('parse', `XML error: ${err.message.split('\n')[0]}`));
    (parser as unknown as { error: null }).error = null;
  };

  // Chunks of 64 KiB (a few ms each) with a turn of the event loop between them, so a big feed
  // never stalls the fetches running beside it; only the time spent in our chunks counts.
  const CHUNK = 64 * 1024;
  let cpuMs = 0;
  for (let i = 0; i < text.length && !failure; i += CHUNK) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    const t0 = performance.now();
    parser.write(text.slice(i, i + CHUNK));
    cpuMs += performance.now() - t0;
    if (cpuMs > limits.deadlineMs) fail(new XmlLimitError('timeout', `Parsing took more than ${limits.deadlineMs} ms of CPU`));
  }
  if (failure) throw failure;
  if (!root) throw new XmlLimitError('not-a-feed', 'No XML root element');
  if (stack.length === 0) return { root };
  // Unclosed elements at the end: a truncated document. Keep the containers (the root and an RSS
  // <channel>) and cut the first unfinished element below them, with everything inside it.
  const truncated = `Truncated XML: <${stack[stack.length - 1].el.qname}> and ${stack.length - 1} more elements never closed`;
  let keep = 1;
  while (keep < stack.length && stack[keep].el.name === 'channel') keep++;
  if (keep < stack.length) {
    const parent = stack[keep - 1].el;
    parent.children = parent.children.filter((c) => c !== stack[keep].el);
  }
  return { root, truncated };
}

/** Children of `el` with a namespace key in `ns` and local name `name`. */
export function childrenOf(el: XmlElement, ns: readonly string[], name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (typeof c !== 'string' && c.name === name && ns.includes(c.ns)) out.push(c);
  return out;
}

export const childOf = (el: XmlElement, ns: readonly string[], name: string): XmlElement | undefined => {
  for (const c of el.children) if (typeof c !== 'string' && c.name === name && ns.includes(c.ns)) return c;
  return undefined;
};

/** Concatenated text of an element and its descendants. */
export function textContent(el: XmlElement): string {
  let out = '';
  for (const c of el.children) out += typeof c === 'string' ? c : textContent(c);
  return out;
}

const escapeText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string): string => escapeText(s).replace(/"/g, '&quot;');

/** The children of an element serialized back to markup (for inline XHTML content). */
export function innerXml(el: XmlElement): string {
  let out = '';
  for (const c of el.children) {
    if (typeof c === 'string') out += escapeText(c);
    else {
      const attrs = Object.entries(c.attrs)
        .filter(([k]) => !k.startsWith('xml:'))
        .map(([k, v]) => ` ${k.includes(':') ? k.slice(k.lastIndexOf(':') + 1) : k}="${escapeAttr(v)}"`)
        .join('');
      out += `<${c.name}${attrs}>${innerXml(c)}</${c.name}>`;
    }
  }
  return out;
}
