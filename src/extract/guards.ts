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

const JSON_LD_OPEN_RE = /^<script\b[^>]*\btype\s*=\s*["']?application\/ld\+json/i;
// Scripts, styles, comments and inline SVG carry no article text but are often most of a page's bytes; cutting
// them out before parsing is far cheaper than building DOM nodes for them. Each block ends at the first closing
// tag, as the HTML tokenizer does for raw-text elements; an unclosed one swallows the rest, as in a browser.
const NOISE_START_RE = /<(script|style|svg|!--)/gi;
const NOISE_END: Record<string, RegExp> = { script: /<\/script[^>]*>/gi, style: /<\/style[^>]*>/gi, svg: /<\/svg[^>]*>/gi, '!--': /-->/g };

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
