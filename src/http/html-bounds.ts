/**
 * Bounds an HTML page before a DOM library sees it. cheerio's parse is quadratic on very deep
 * nesting and `.text()` overflows the stack from about 3,000 levels, so elements nested deeper
 * than `maxDepth` lose their tags (their text is kept, flattened into the ancestor at the limit).
 * One linear pass: each "<" is looked at once and the search for its ">" never rescans.
 */
export interface HtmlBounds {
  maxDepth?: number;
  /** Characters kept from the start of the page. */
  maxChars?: number;
}

export const DEFAULT_MAX_HTML_DEPTH = 200;
export const DEFAULT_MAX_HTML_CHARS = 3_000_000;

const VOID = new Set([
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
  'keygen',
  'command',
  'basefont',
  'frame',
  'isindex',
]);
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);
/** Start tags that end an open element of the same name (<p>…<p>, <li>…<li>). */
const SELF_CLOSING_SIBLINGS = new Set(['p', 'li', 'dt', 'dd', 'option', 'tr', 'td', 'th']);

export function boundHtml(html: string, bounds: HtmlBounds = {}): string {
  const maxDepth = bounds.maxDepth ?? DEFAULT_MAX_HTML_DEPTH;
  const maxChars = bounds.maxChars ?? DEFAULT_MAX_HTML_CHARS;
  const input = html.slice(0, maxChars);
  const out: string[] = [];
  const stack: string[] = [];
  const open = new Map<string, number>();
  let copiedUpTo = 0;
  // Stryker disable next-line StringLiteral: a position that is not "<" is no tag, and the scan jumps from it to the next "<" (starting there costs one step).
  let i = input.indexOf('<');
  const push = (name: string): void => {
    stack.push(name);
    open.set(name, (open.get(name) ?? 0) + 1);
  };
  const pop = (): void => {
    const name = stack.pop()!;
    open.set(name, open.get(name)! - 1);
  };
  const drop = (from: number, to: number): void => {
    out.push(input.slice(copiedUpTo, from));
    copiedUpTo = to;
  };
  while (i !== -1) {
    if (input.startsWith('<!--', i)) {
      const end = input.indexOf('-->', i + 4);
      if (end === -1) break;
      // Stryker disable next-line StringLiteral: a position that is not "<" is no tag, and the scan jumps from it to the next "<" (starting there costs one step).
      i = input.indexOf('<', end + 3);
      continue;
    }
    const gt = input.indexOf('>', i + 1);
    if (gt === -1) break; // no ">" anywhere after: nothing further can be a tag
    // Stryker disable next-line MethodExpression: a longer slice changes nothing (the match is anchored, at most 63 characters, and stops at ">").
    const tagEnd = Math.min(gt + 1, i + 64);
    const m = /^<(\/?)([A-Za-z][A-Za-z0-9:-]{0,60})/.exec(input.slice(i, tagEnd));
    if (!m) {
      i = input.indexOf('<', i + 1);
      continue;
    }
    const closing = m[1] === '/';
    const name = m[2].toLowerCase();
    // Stryker disable next-line ArithmeticOperator: the search for the next "<" may start at gt - 1 too: "<>" there is no tag.
    let next = gt + 1;
    if (closing) {
      if (open.get(name)) {
        while (stack[stack.length - 1] !== name) pop();
        pop();
      } else {
        drop(i, gt + 1);
      }
    } else if (RAW_TEXT.has(name)) {
      const endRe = new RegExp(`</${name}`, 'gi');
      // Stryker disable next-line ArithmeticOperator: no "</" can start at gt - 1 or at the ">" itself.
      endRe.lastIndex = gt + 1;
      const end = endRe.exec(input);
      next = end ? end.index : input.length;
      if (stack.length >= maxDepth) drop(i, gt + 1);
      else push(name);
    } else if (!VOID.has(name) && input[gt - 1] !== '/') {
      if (SELF_CLOSING_SIBLINGS.has(name) && stack[stack.length - 1] === name) pop();
      if (stack.length >= maxDepth) drop(i, gt + 1);
      else push(name);
    }
    // Stryker disable next-line StringLiteral: a position that is not "<" is no tag, and the scan jumps from it to the next "<" (starting there costs one step).
    i = input.indexOf('<', next);
  }
  out.push(input.slice(copiedUpTo));
  return out.join('');
}
