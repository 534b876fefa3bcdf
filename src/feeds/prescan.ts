/**
 * A cheap, linear pre-scan of an XML feed that decides which reader gets it:
 * - rss-parser (the parser of record) for well-formed RSS 2.0 / 0.9x with a version, Atom 1.0 and
 *   RSS 1.0 with the usual `rdf:RDF` root;
 * - our sax tree reader (xml-tree.ts + xml-formats.ts) for the cases rss-parser gets wrong (see
 *   issue 3: roots without a version, CDF, prefixed roots, xhtml titles, Atom 0.3, dcterms dates,
 *   dc:author, xml:base, inline DTD entities) and for anything that could make it costly: deep
 *   nesting, too many elements, or content whose `contentSnippet` (which rss-parser always
 *   computes, with a regex that is quadratic on an unmatched "<") would cost too much.
 * The hostile-input bounds are therefore applied before rss-parser sees the text: the tree reader
 * enforces them and reports the error class. The scan is an approximation of XML (attribute
 * values holding ">" can shift it), which is safe: a wrong guess only picks a reader, and
 * rss-parser still runs under a CPU deadline with the tree reader as its fallback.
 */

export interface PrescanLimits {
  maxDepth: number;
  maxElements: number;
  /** Upper bound of the character steps rss-parser's snippet regex may take (see snippetCost). */
  maxSnippetCost: number;
}

export type PrescanResult =
  { route: 'rss-parser'; format: 'rss' | 'atom' | 'rdf'; lang?: string } | { route: 'tree'; reason: string };

const ATOM_10 = 'http://www.w3.org/2005/atom';
const RSS_10 = 'http://purl.org/rss/1.0/';

/** Markers of the cases rss-parser is known to get wrong, searched case-insensitively. */
const GAP_MARKERS: [RegExp, string][] = [
  [/<!ENTITY/i, 'inline-dtd-entities'],
  [/\sxml:base\s*=/i, 'xml:base'],
  [/\stype\s*=\s*["'](?:xhtml|application\/xhtml\+xml)["']/i, 'xhtml-text-construct'],
  [/\smode\s*=\s*["'](?:xml|base64|escaped)["']/i, 'atom-0.3-mode'],
  // A text construct typed with a binary media type is base64 (RFC 4287 4.1.3.3): rss-parser passes it through.
  [
    /<(?:[\w.-]+:)?(?:title|subtitle|summary|content|rights)\s[^>]*\btype\s*=\s*["'](?!text\/)[\w.+-]+\/(?![\w.+-]*xml["'])/i,
    'binary-text-construct',
  ],
  [/purl\.org\/atom\/ns#/i, 'atom-0.3'],
  [/purl\.org\/dc\/terms|<dcterms:/i, 'dcterms'],
  [/<dc:author\b/i, 'dc:author'],
];

/** Attributes of a start tag's text (`<rss version="2.0" xmlns:x="…"`), names lowercased. */
function attributesOf(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  const re = /([^\s=/<>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  for (let m = re.exec(tag); m; m = re.exec(tag)) attrs[m[1].toLowerCase()] = m[2] ?? m[3] ?? '';
  return attrs;
}

/**
 * Upper bound of the work rss-parser's `stripHtml` does on the document's text: its
 * `/<(?:.|\n)*?>/` scans, for every "<" in a decoded text, up to the next ">". In the raw XML a
 * text "<" is "<" (CDATA, or a tag) or "&lt;", and the next text ">" is at or after the next ">"
 * or "&gt;", so summing those distances bounds the cost (numeric references to "<" aside). Linear.
 */
export function snippetCost(text: string): number {
  let cost = 0;
  let pending = 0;
  let pendingSum = 0;
  const re = /<|&lt;|>|&gt;/gi;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0] === '<' || (m[0].length === 4 && m[0][1].toLowerCase() === 'l')) {
      pending++;
      pendingSum += m.index;
    } else if (pending) {
      cost += pending * m.index - pendingSum;
      pending = 0;
      pendingSum = 0;
    }
  }
  return cost + pending * text.length - pendingSum;
}

export function prescanFeed(body: string, limits: PrescanLimits): PrescanResult {
  let i = 0;
  let depth = 0;
  let elements = 0;
  let rootTag: string | undefined;
  const n = body.length;
  while (i < n) {
    const lt = body.indexOf('<', i);
    if (lt === -1) break;
    if (body.startsWith('<!--', lt)) {
      const end = body.indexOf('-->', lt + 4);
      if (end === -1) return { route: 'tree', reason: 'unclosed-comment' };
      i = end + 3;
      continue;
    }
    if (body.startsWith('<![CDATA[', lt)) {
      const end = body.indexOf(']]>', lt + 9);
      if (end === -1) return { route: 'tree', reason: 'unclosed-cdata' };
      i = end + 3;
      continue;
    }
    if (body.startsWith('<!', lt)) {
      const end = body.indexOf('>', lt);
      if (end === -1) return { route: 'tree', reason: 'truncated' };
      // An internal DTD subset ("<!DOCTYPE rss [ … ]>") declares entities: the tree reader bounds them.
      if (/^<!DOCTYPE[^>]*\[/i.test(body.slice(lt, end + 1))) return { route: 'tree', reason: 'inline-dtd' };
      i = end + 1;
      continue;
    }
    if (body.startsWith('<?', lt)) {
      const end = body.indexOf('?>', lt);
      if (end === -1) return { route: 'tree', reason: 'truncated' };
      i = end + 2;
      continue;
    }
    const gt = body.indexOf('>', lt);
    if (gt === -1) return { route: 'tree', reason: 'truncated' };
    if (body[lt + 1] === '/') depth--;
    else {
      if (!rootTag) rootTag = body.slice(lt, gt + 1);
      if (++elements > limits.maxElements) return { route: 'tree', reason: 'too-many-elements' };
      if (body[gt - 1] !== '/' && ++depth > limits.maxDepth) return { route: 'tree', reason: 'too-deep' };
    }
    i = gt + 1;
  }
  if (!rootTag) return { route: 'tree', reason: 'no-root' };
  if (depth !== 0) return { route: 'tree', reason: 'unbalanced' };

  const rootName = /^<([^\s/>]+)/.exec(rootTag)?.[1] ?? '';
  const attrs = attributesOf(rootTag);
  const lang = attrs['xml:lang']?.trim() || undefined;
  if (rootName === 'rss') {
    if (!/^(2|0\.9)/.test(attrs['version']?.trim() ?? '')) return { route: 'tree', reason: 'rss-without-version' };
  } else if (rootName === 'feed') {
    if ((attrs['xmlns'] ?? '').trim().toLowerCase() !== ATOM_10) return { route: 'tree', reason: 'atom-namespace' };
  } else if (rootName === 'rdf:RDF') {
    if ((attrs['xmlns'] ?? '').trim().toLowerCase() !== RSS_10) return { route: 'tree', reason: 'rdf-namespace' };
  } else {
    return { route: 'tree', reason: `root <${rootName}>` };
  }
  for (const [re, reason] of GAP_MARKERS) if (re.test(body)) return { route: 'tree', reason };
  if (snippetCost(body) > limits.maxSnippetCost) return { route: 'tree', reason: 'snippet-cost' };
  return { route: 'rss-parser', format: rootName === 'feed' ? 'atom' : rootName === 'rss' ? 'rss' : 'rdf', lang };
}
