/**
 * Input bounds applied to the raw HTML before the parser sees it, so that a hostile or broken page cannot make
 * extraction slow or blow the stack. The fetcher bounds page size too; extraction must be safe on its own.
 */

/** Longest markup we parse after dropping scripts and styles (≈ 4× the biggest real article page we know). */
export const MAX_HTML_CHARS = 2_500_000;
/** Deepest element nesting we keep; real pages stay under ~60, text below this depth is dropped. */
export const MAX_DEPTH = 400;
/** Most elements we look at; the rest of a larger document is ignored. */
export const MAX_ELEMENTS = 150_000;
/**
 * Deepest nesting the parser sees. htmlparser2 keeps its open-element stack with `unshift`, so its cost grows with
 * the square of the depth: 100,000 unclosed `<b>` take a minute. Deeper tags are removed (their text stays).
 */
export const MAX_PARSE_DEPTH = 600;

const JSON_LD_OPEN_RE = /^<script\b[^>]*\btype\s*=\s*["']?application\/ld\+json/i;
// Scripts, styles, comments and inline SVG carry no article text but are often most of a page's bytes; cutting
// them out before parsing is far cheaper than building DOM nodes for them. Each block ends at the first closing
// tag, as the HTML tokenizer does for raw-text elements; an unclosed one swallows the rest, as in a browser.
const NOISE_START_RE = /<(script|style|svg|!--)/gi;
const NOISE_END: Record<string, RegExp> = {
  script: /<\/script[^>]*>/gi,
  style: /<\/style[^>]*>/gi,
  svg: /<\/svg[^>]*>/gi,
  '!--': /-->/g,
};

export interface PreparedHtml {
  /** Markup without scripts, styles, comments and SVG, cut to MAX_HTML_CHARS. */
  html: string;
  /** Raw bodies of `<script type="application/ld+json">` blocks, in document order. */
  jsonLd: string[];
  truncated: boolean;
}

/** Pull JSON-LD out, drop noise and cap the size. Linear in the input. */
export function prepareHtml(raw: string): PreparedHtml {
  const jsonLd: string[] = [];
  // An oversized page is cut before the regexes run, so a 50 MB input costs no more than a 10 MB one.
  let html = raw.length > MAX_HTML_CHARS * 4 ? raw.slice(0, MAX_HTML_CHARS * 4) : raw;
  html = stripNoise(html, jsonLd);
  if (roughMaxDepth(html) > MAX_PARSE_DEPTH) html = flattenBeyond(html, MAX_PARSE_DEPTH);
  const truncated = html.length > MAX_HTML_CHARS;
  if (truncated) html = html.slice(0, MAX_HTML_CHARS);
  return { html, jsonLd, truncated };
}

function stripNoise(html: string, jsonLd: string[]): string {
  const parts: string[] = [];
  let last = 0;
  NOISE_START_RE.lastIndex = 0;
  for (let m = NOISE_START_RE.exec(html); m; m = NOISE_START_RE.exec(html)) {
    const kind = m[1].toLowerCase();
    const start = m.index;
    const endRe = NOISE_END[kind];
    endRe.lastIndex = start + m[0].length;
    const close = endRe.exec(html);
    const end = close ? close.index + close[0].length : html.length;
    if (kind === 'script' && jsonLd.length < 20) {
      const openEnd = html.indexOf('>', start);
      if (openEnd > 0 && openEnd < end && JSON_LD_OPEN_RE.test(html.slice(start, openEnd + 1))) {
        jsonLd.push(html.slice(openEnd + 1, close ? close.index : html.length));
      }
    }
    parts.push(html.slice(last, start), ' ');
    last = end;
    NOISE_START_RE.lastIndex = end;
  }
  if (!last) return html;
  parts.push(html.slice(last));
  return parts.join('');
}

/**
 * An over-estimate of the nesting depth, counting every start tag as +1 and every end tag as -1: ~0.05 ms on a
 * typical page, against ~0.3 ms for the exact scan below, which therefore only runs on suspicious pages.
 */
function roughMaxDepth(html: string): number {
  let depth = 0;
  let max = 0;
  for (let i = html.indexOf('<'); i >= 0; i = html.indexOf('<', i + 1)) {
    const c = html.charCodeAt(i + 1);
    if (c === 47) {
      if (depth > 0) depth--;
    } else if ((c | 32) >= 97 && (c | 32) <= 122 && ++depth > max) max = depth;
  }
  return max;
}

const TAG_RE = /<(\/?)([a-zA-Z][^\s/>]*)[^>]*?(\/?)>/g;
// Elements that never nest (void) or are closed implicitly by their next sibling: they do not add depth.
const FLAT_TAGS = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
  'p',
  'li',
  'dt',
  'dd',
  'option',
  'optgroup',
  'tr',
  'td',
  'th',
  'tbody',
  'thead',
  'tfoot',
  'colgroup',
  'rp',
  'rt',
]);

/** Remove start and end tags nested deeper than `limit`, keeping their text. */
function flattenBeyond(html: string, limit: number): string {
  const parts: string[] = [];
  let last = 0;
  let depth = 0;
  let skipped = 0;
  TAG_RE.lastIndex = 0;
  for (let m = TAG_RE.exec(html); m; m = TAG_RE.exec(html)) {
    if (m[3] || FLAT_TAGS.has(m[2].toLowerCase())) continue;
    let drop = false;
    if (m[1]) {
      if (skipped > 0) {
        skipped--;
        drop = true;
      } else if (depth > 0) depth--;
    } else if (depth >= limit) {
      skipped++;
      drop = true;
    } else depth++;
    if (drop) {
      parts.push(html.slice(last, m.index));
      last = m.index + m[0].length;
    }
  }
  if (!last) return html;
  parts.push(html.slice(last));
  return parts.join('');
}
