/**
 * Turning untrusted feed strings into clean plain text: HTML to text in one linear pass (an
 * unmatched "<" costs nothing extra), control and bidi-override characters removed, and length
 * limited on grapheme boundaries so a cut never splits an emoji or a combining sequence.
 */
import { decodeEntities } from './entities';

/** C0/C1 controls except tab and newline, and the bidi embedding/override/isolate controls. */
const UNSAFE_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/g;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** At most `max` UTF-16 units, cut at a grapheme boundary, with "…" when something was cut. */
export function truncateGraphemes(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  for (const { segment, index } of segmenter.segment(text.slice(0, max + 32))) {
    if (index + segment.length > max - 1) break;
    end = index + segment.length;
  }
  return text.slice(0, end).trimEnd() + '…';
}

/** Unsafe characters removed, lone surrogates replaced. */
export function stripUnsafeChars(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(/\r\n?/g, '\n').replace(UNSAFE_CHARS, '');
}

/** One line of text: unsafe characters removed, whitespace collapsed, length-limited. */
export function cleanLine(text: string | undefined, max: number): string {
  if (!text) return '';
  return truncateGraphemes(
    stripUnsafeChars(text.length > max * 4 ? text.slice(0, max * 4) : text)
      .replace(/\s+/g, ' ')
      .trim(),
    max,
  );
}

const BLOCK_TAGS =
  /^(p|div|br|li|ul|ol|h[1-6]|blockquote|pre|tr|table|section|article|header|footer|figure|figcaption|hr|dd|dt|dl)$/;
const SKIPPED_CONTENT = /^(script|style|head|template|noscript|title)$/;

/** Plain text of an HTML fragment; paragraphs separated by "\n". Linear in the input. */
export function htmlToText(html: string, max = 100_000): string {
  const input = html.length > max * 4 ? html.slice(0, max * 4) : html;
  const parts: string[] = [];
  let i = 0;
  while (i < input.length) {
    const lt = input.indexOf('<', i);
    if (lt === -1) {
      parts.push(decodeEntities(input.slice(i)));
      break;
    }
    if (lt > i) parts.push(decodeEntities(input.slice(i, lt)));
    const tag = /^<(\/?)([A-Za-z][A-Za-z0-9:-]*)|^<!--|^<[!?]/.exec(input.slice(lt, lt + 40));
    if (!tag) {
      // A "<" that starts no tag is text ("a < b").
      parts.push('<');
      i = lt + 1;
      continue;
    }
    if (tag[0] === '<!--') {
      const end = input.indexOf('-->', lt + 4);
      i = end === -1 ? input.length : end + 3;
      continue;
    }
    const gt = input.indexOf('>', lt);
    if (gt === -1) break; // no ">" anywhere after: the rest is an unterminated tag
    const name = (tag[2] ?? '').toLowerCase();
    i = gt + 1;
    if (BLOCK_TAGS.test(name)) parts.push('\n');
    if (!tag[1] && SKIPPED_CONTENT.test(name)) {
      const endRe = new RegExp(`</${name}\\s*>`, 'gi');
      endRe.lastIndex = i;
      const end = endRe.exec(input);
      i = end ? end.index + end[0].length : input.length;
    }
  }
  const text = stripUnsafeChars(parts.join(''))
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
  return truncateGraphemes(text, max);
}

/** Whether a string meant as plain text is really HTML (tags or entity references). */
export function looksLikeHtml(text: string): boolean {
  return /<\/?(a|abbr|b|big|blockquote|br|cite|code|div|em|font|h[1-6]|hr|i|img|li|ol|p|pre|q|s|small|span|strike|strong|sub|sup|table|td|tr|u|ul)\b[^>]*>|&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});/i.test(
    text,
  );
}
