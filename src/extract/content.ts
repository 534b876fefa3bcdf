/**
 * The main-content algorithm, on a parsed DOM (domhandler nodes, as cheerio builds them):
 *
 * 1. `walkDocument` — one iterative pass that bounds depth and size, collects metadata signals, drops boilerplate
 *    by markup (tags, roles, microdata, hidden state, class/id words) and counts text, link text and commas per
 *    element bottom-up.
 * 2. `pickContentRoots` — Readability-style candidate scoring: every paragraph-like block gives points (1 + commas +
 *    length) to its ancestors with decay; candidates are discounted by link density and by class hints, the best
 *    one wins and its siblings that look like more of the same article join it.
 * 3. `emitBlocks` — walks the chosen roots in document order and turns blocks into paragraphs, dropping blocks that
 *    are mostly links (tag lists, related lists), bylines and datelines, headings that only introduce dropped
 *    boilerplate, and repeated paragraphs.
 *
 * No step recurses deeper than MAX_DEPTH and each is linear in the number of nodes.
 */
import type { AnyNode, Element, ParentNode } from 'domhandler';
import { MAX_DEPTH, MAX_ELEMENTS } from './guards';
import { BLOCK_TAGS, DROP_TAGS, NOISE_TAGS, Hint, classHint, isArticleBodyMarkup, isBoilerplateByMarkup } from './hints';
import type { PageSignals } from './metadata';

/** Named tunables (Readability style). */
export const DEFAULTS = {
  /** Shortest block (non-space characters) that counts as a paragraph when scoring. */
  minScoredChars: 25,
  /** Ancestor levels that receive a paragraph's score. */
  ancestorLevels: 5,
  /** Siblings join the top candidate when their score reaches this share of the top score. */
  siblingShare: 0.2,
  /** Blocks whose text is more than this share link text are navigation, tag or related lists. */
  maxLinkDensity: 0.5,
  /** Bonus for an element marked up as the article body (itemprop=articleBody). */
  articleBodyBonus: 50,
  classWeight: 25,
};

export interface Walked {
  els: Element[];
  parent: Int32Array;
  /** Non-space characters of text inside the element. */
  chars: Float64Array;
  /** …of which inside links. */
  linkChars: Float64Array;
  /** …directly inside (not in a child element). */
  ownChars: Float64Array;
  commas: Float64Array;
  hasBlockChild: Uint8Array;
  hint: Int8Array;
  /** Boilerplate by class/id (or inside such an element): not counted in the statistics, never emitted. */
  dropped: Uint8Array;
  body: number;
  signals: PageSignals;
}

/** A strongly negative element holding more than this share of the page's text is a wrapper, not boilerplate. */
const STRONG_NEGATIVE_MAX_SHARE = 0.3;

const COMMA_CODES = new Set([0x2c, 0x60c, 0xfe50, 0xfe10, 0xfe11, 0x2e41, 0x2e34, 0x2e32, 0xff0c, 0x3001]);

function countText(s: string): { chars: number; commas: number } {
  let chars = 0;
  let commas = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 160 || c === 0x200b || c === 0x3000) continue;
    chars++;
    if (c === 44 || (c > 0x5ff && COMMA_CODES.has(c))) commas++;
  }
  return { chars, commas };
}

// The element's position in Walked.els, stored on the node itself: a Map lookup per node costs more than the
// rest of the walk.
const INDEX_KEY = '__extractIndex';
type IndexedElement = Element & { [INDEX_KEY]?: number };

/** Index of a kept (walked, not dropped) element, undefined otherwise. */
export function indexOf(w: Walked, el: Element): number | undefined {
  const k = (el as IndexedElement)[INDEX_KEY];
  return k !== undefined && w.els[k] === el && !w.dropped[k] ? k : undefined;
}

const isElement = (n: AnyNode): n is Element => n.type === 'tag' || n.type === 'script' || n.type === 'style';

/**
 * One iterative pass over the document: bounds, metadata, boilerplate removal, text statistics. The relaxed mode,
 * for a second attempt when the strict one finds nothing, keeps header/footer/aside/figure elements and ignores
 * strongly negative classes: broken markup (an unclosed <header>) or misleading classes can swallow a whole page.
 */
export function walkDocument(root: ParentNode, mode: 'strict' | 'relaxed' = 'strict'): Walked {
  const dropTags = mode === 'strict' ? DROP_TAGS : NOISE_TAGS;
  const signals: PageSignals = {
    metas: new Map(),
    links: new Map(),
    title: '',
    h1: [],
    htmlLang: '',
    docDir: '',
    times: [],
    authors: [],
  };
  const els: Element[] = [];
  const parents: number[] = [];
  const own: number[] = [];
  const commasOwn: number[] = [];
  const hints: number[] = [];
  let body = -1;

  // Stack of [node, depth, parent index, or -1 under a dropped element (visited for metadata only)].
  const stackEl: Element[] = [];
  const stackDepth: number[] = [];
  const stackParent: number[] = [];
  const top: AnyNode[] = 'children' in root ? root.children : [];
  for (let i = top.length - 1; i >= 0; i--) {
    const n = top[i];
    if (isElement(n)) {
      stackEl.push(n);
      stackDepth.push(1);
      stackParent.push(-2);
    }
  }
  let visited = 0;
  while (stackEl.length) {
    const el = stackEl.pop()!;
    const depth = stackDepth.pop()!;
    const parentIdx = stackParent.pop()!;
    if (++visited > MAX_ELEMENTS || depth > MAX_DEPTH) {
      el.children = [];
      continue;
    }
    const name = el.name;
    collectSignals(el, name, signals);
    let idx = -1;
    if (parentIdx !== -1 && (name === 'html' || name === 'body' || !(dropTags.has(name) || isBoilerplateByMarkup(el)))) {
      idx = els.length;
      els.push(el);
      (el as IndexedElement)[INDEX_KEY] = idx;
      parents.push(parentIdx >= 0 ? parentIdx : -1);
      own.push(0);
      commasOwn.push(0);
      hints.push(isArticleBodyMarkup(el) ? Hint.Positive : classHint(el));
      if (name === 'body' && body < 0) body = idx;
    }
    const kids = el.children;
    for (let i = kids.length - 1; i >= 0; i--) {
      const k = kids[i];
      if (isElement(k)) {
        stackEl.push(k);
        stackDepth.push(depth + 1);
        stackParent.push(idx);
      } else if (idx >= 0 && k.type === 'text') {
        const { chars, commas } = countText((k as unknown as { data: string }).data);
        own[idx] += chars;
        commasOwn[idx] += commas;
      }
    }
  }

  const n = els.length;
  const parent = Int32Array.from(parents);
  const hint = Int8Array.from(hints);
  // Text of every element before any class-based drop, to tell a wrapper from a component.
  const rawChars = Float64Array.from(own);
  for (let i = n - 1; i > 0; i--) if (parent[i] >= 0) rawChars[parent[i]] += rawChars[i];
  const pageChars = body >= 0 ? rawChars[body] : (rawChars[0] ?? 0);
  // Elements that wrap the article's title or body markup are never dropped by class: wrappers carry feature
  // flags ("modal-enabled", "enable-lightbox", "has-comments") that read as negative.
  // Likewise an embed wrapper ("social-media-embed") around a quoted post: share bars hold no <blockquote>.
  const marker = new Uint8Array(n);
  const quote = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    if (els[i].name === 'h1' || els[i].name === 'main' || isArticleBodyMarkup(els[i])) marker[i] = 1;
    if (els[i].name === 'blockquote') quote[i] = 1;
    if (parent[i] >= 0) {
      if (marker[i]) marker[parent[i]] = 1;
      if (quote[i]) quote[parent[i]] = 1;
    }
  }
  const dropped = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = parent[i];
    if (p >= 0 && dropped[p]) dropped[i] = 1;
    else if (marker[i]) continue;
    else if (hint[i] === Hint.Discussion) dropped[i] = 1;
    // A strongly negative component is small; one holding much of the page is a wrapper with a misleading class.
    else if (hint[i] === Hint.StrongNegative && quote[i]) hint[i] = Hint.None;
    else if (mode === 'strict' && hint[i] === Hint.StrongNegative && rawChars[i] < pageChars * STRONG_NEGATIVE_MAX_SHARE)
      dropped[i] = 1;
  }

  const chars = Float64Array.from(own);
  const linkChars = new Float64Array(n);
  const commas = Float64Array.from(commasOwn);
  const hasBlockChild = new Uint8Array(n);
  // Pre-order: children come after their parent, so one reverse sweep sums subtrees bottom-up.
  for (let i = n - 1; i >= 0; i--) {
    if (dropped[i]) continue;
    if (els[i].name === 'a') linkChars[i] = chars[i];
    const p = parent[i];
    if (p >= 0) {
      chars[p] += chars[i];
      linkChars[p] += linkChars[i];
      commas[p] += commas[i];
      if (BLOCK_TAGS.has(els[i].name)) hasBlockChild[p] = 1;
    }
  }
  return { els, parent, chars, linkChars, ownChars: Float64Array.from(own), commas, hasBlockChild, hint, dropped, body, signals };
}

function collectSignals(el: Element, name: string, s: PageSignals): void {
  const a = el.attribs;
  switch (name) {
    case 'meta': {
      const content = a.content;
      if (content === undefined) return;
      for (const key of [a.property, a.name, a.itemprop, a['http-equiv']]) {
        if (!key) continue;
        for (const k of key.toLowerCase().split(/\s+/)) if (k && !s.metas.has(k)) s.metas.set(k, content.trim());
      }
      return;
    }
    case 'link': {
      if (!a.rel || !a.href) return;
      for (const k of a.rel.toLowerCase().split(/\s+/)) if (k && !s.links.has(k)) s.links.set(k, a.href);
      return;
    }
    case 'html':
      if (a.lang || a['xml:lang']) s.htmlLang ||= a.lang || a['xml:lang'];
      if (a.dir) s.docDir ||= a.dir.toLowerCase();
      return;
    case 'body':
      if (a.dir) s.docDir ||= a.dir.toLowerCase();
      return;
    case 'title':
      if (!s.title) s.title = textOf(el, 3);
      return;
    case 'h1':
      if (s.h1.length < 5) s.h1.push(textOf(el, 10));
      return;
    case 'time':
      if (a.datetime && s.times.length < 10) s.times.push(a.datetime);
      return;
    default:
      if (s.authors.length < 5 && ((a.rel && /\bauthor\b/i.test(a.rel)) || a.itemprop === 'author')) {
        const t = textOf(el, 10);
        if (t && t.length < 100) s.authors.push(t);
      }
  }
}

/** Text of an element, whitespace collapsed, descending at most `maxDepth` levels (for small elements only). */
export function textOf(el: Element, maxDepth: number): string {
  const parts: string[] = [];
  const walk = (n: AnyNode, d: number): void => {
    if (n.type === 'text') parts.push((n as unknown as { data: string }).data);
    else if (isElement(n) && d < maxDepth && n.name !== 'script' && n.name !== 'style')
      for (const c of n.children) walk(c, d + 1);
  };
  walk(el, 0);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

const TAG_BASE: Record<string, number> = {
  div: 5,
  article: 5,
  section: 2,
  main: 5,
  pre: 3,
  td: 3,
  blockquote: 3,
  address: -3,
  ol: -3,
  ul: -3,
  dl: -3,
  dd: -3,
  dt: -3,
  li: -3,
  form: -3,
  h1: -5,
  h2: -5,
  h3: -5,
  h4: -5,
  h5: -5,
  h6: -5,
  th: -5,
};
const MAX_CROSS_CANDIDATES = 50;
const SCORED_TAGS = new Set(['p', 'pre', 'td', 'section', 'h2', 'h3', 'h4', 'h5', 'h6']);
const DIV_LIKE = new Set(['div', 'article', 'section', 'main', 'span', 'font', 'center']);

/** The elements (one, or siblings in document order) that hold the article, and the best of them. */
export interface ContentRoots {
  /** Elements holding the article, in document order (empty when nothing qualifies). */
  roots: number[];
  /** The best-scoring one among them (-1 when none). */
  main: number;
}

export function pickContentRoots(w: Walked, opts = DEFAULTS): ContentRoots {
  const n = w.els.length;
  const score = new Float64Array(n);
  const isCandidate = new Uint8Array(n);
  const initCandidate = (i: number): void => {
    if (isCandidate[i]) return;
    isCandidate[i] = 1;
    const el = w.els[i];
    let s = TAG_BASE[el.name] ?? 0;
    const h = w.hint[i];
    if (h === Hint.Positive) s += opts.classWeight;
    else if (h !== Hint.None) s -= opts.classWeight;
    if (isArticleBodyMarkup(el)) s += opts.articleBodyBonus;
    score[i] = s;
  };

  for (let i = 0; i < n; i++) {
    if (w.dropped[i]) continue;
    const el = w.els[i];
    const name = el.name;
    let len: number;
    // Text directly in a div that also has block children (`<div>text<br>text<div class=ad>…`) is an implicit
    // paragraph whose parent is the div itself (Readability wraps such runs in <p> for the same effect).
    let first = w.parent[i];
    if (SCORED_TAGS.has(name)) len = w.chars[i];
    else if (DIV_LIKE.has(name) && !w.hasBlockChild[i]) len = w.chars[i];
    else if (DIV_LIKE.has(name) && w.ownChars[i] >= opts.minScoredChars) {
      len = w.ownChars[i];
      first = i;
    } else continue;
    if (len < opts.minScoredChars) continue;
    const s = 1 + Math.min(w.commas[i], 30) + Math.min(3, Math.floor(len / 100));
    let a = first;
    for (let level = 0; a >= 0 && level < opts.ancestorLevels; level++, a = w.parent[a]) {
      initCandidate(a);
      score[a] += s / (level === 0 ? 1 : level === 1 ? 2 : level * 3);
    }
  }

  let best = -1;
  for (let i = 0; i < n; i++) {
    if (!isCandidate[i]) continue;
    const ld = w.chars[i] ? w.linkChars[i] / w.chars[i] : 0;
    score[i] *= 1 - ld;
    if (best < 0 || score[i] > score[best]) best = i;
  }
  if (best < 0 || score[best] <= 0) return { roots: [], main: -1 };

  // Several near-equal candidates (an article split by ad slots) → their common ancestor.
  // (Capped, like the other cross-candidate loops below, so that a page of thousands of look-alike blocks stays linear.)
  const close: number[] = [];
  for (let i = 0; i < n && close.length < MAX_CROSS_CANDIDATES; i++)
    if (isCandidate[i] && i !== best && score[i] >= score[best] * 0.75) close.push(i);
  if (close.length >= 3) {
    for (let a = w.parent[best]; a >= 0 && a !== w.body; a = w.parent[a]) {
      const contains = close.filter((c) => isAncestor(w, a, c)).length;
      if (contains >= 3) {
        best = a;
        break;
      }
    }
  }
  // Scores rising again a few levels up mean more of the article lies beside the candidate (Readability's climb).
  {
    let last = score[best];
    const floor = last / 3;
    for (let a = w.parent[best]; a >= 0 && a !== w.body; a = w.parent[a]) {
      if (!isCandidate[a]) continue;
      if (score[a] < floor) break;
      if (score[a] > last) {
        best = a;
        break;
      }
      last = score[a];
    }
  }
  // A lone child carries no more information than its parent; the parent may hold siblings we want.
  while (w.parent[best] >= 0 && w.parent[best] !== w.body && elementChildren(w, w.parent[best]).length === 1)
    best = w.parent[best];

  const parent = w.parent[best];
  if (parent < 0) return { roots: [best], main: best };
  const threshold = Math.max(10, score[best] * opts.siblingShare);
  const bestClass = w.els[best].attribs.class ?? '';
  const roots: number[] = [];
  for (const s of elementChildren(w, parent)) {
    if (s === best) {
      roots.push(s);
      continue;
    }
    let bonus = 0;
    if (bestClass && (w.els[s].attribs.class ?? '') === bestClass) bonus = score[best] * 0.2;
    if (isCandidate[s] && score[s] + bonus >= threshold) {
      roots.push(s);
      continue;
    }
    // A paragraph beside the body container (a lead paragraph in its own div, a paragraph after an ad slot).
    if (w.els[s].name === 'p' || (DIV_LIKE.has(w.els[s].name) && !w.hasBlockChild[s])) {
      const len = w.chars[s];
      const ld = len ? w.linkChars[s] / len : 0;
      if ((len > 80 && ld < 0.25) || (len > 0 && len <= 80 && ld === 0 && /[.!?。！？؟]\s*$/.test(textOf(w.els[s], 4))))
        roots.push(s);
    }
  }
  // An article split into chunks by ad slots or layout grids often repeats the body container's class on each
  // chunk, at any level: take every element with the same tag and class that holds paragraph text.
  if (bestClass) {
    const name = w.els[best].name;
    const extra: number[] = [];
    for (let i = 0; i < n; i++) {
      if (w.dropped[i] || i === best || w.els[i].name !== name || w.els[i].attribs.class !== bestClass) continue;
      if (w.chars[i] < opts.minScoredChars * 4 || w.linkChars[i] / w.chars[i] > 0.3) continue;
      if (roots.some((r) => r === i || isAncestor(w, r, i) || isAncestor(w, i, r))) continue;
      if (extra.some((r) => isAncestor(w, r, i))) continue;
      extra.push(i);
      if (extra.length >= MAX_CROSS_CANDIDATES) break;
    }
    if (extra.length) return { roots: [...roots, ...extra].sort((a, b) => a - b), main: best };
  }
  return { roots, main: best };
}

function isAncestor(w: Walked, a: number, i: number): boolean {
  for (let p = w.parent[i]; p >= 0; p = w.parent[p]) if (p === a) return true;
  return false;
}

/** Kept element children of an indexed element, as indexes. */
export function elementChildren(w: Walked, i: number): number[] {
  const out: number[] = [];
  for (const c of w.els[i].children) {
    if (!isElement(c)) continue;
    const k = indexOf(w, c);
    if (k !== undefined) out.push(k);
  }
  return out;
}

/** One output paragraph. */
export interface Block {
  tag: 'p' | 'h2' | 'h3' | 'h4' | 'li' | 'pre' | 'blockquote';
  /** Nearest list, for grouping `li` blocks in the HTML output. */
  list?: { ordered: boolean; id: number };
  text: string;
  /** Inline HTML: escaped text with absolute http(s) links. */
  html: string;
  chars: number;
  linkChars: number;
  /** Characters inside `<time>`. */
  timeChars: number;
  /** Boilerplate with text was dropped right before this block (used to drop headings that introduce it). */
  afterDrop: boolean;
  /** A link-dense block (a headline link, a link list) was dropped right before this block. */
  afterLinks: boolean;
  /** …and that block was a linked heading (a teaser's headline). */
  afterHeadline: boolean;
  /** The text sat in a <p>, table cell, heading, list item or quote, not loose in a div or span. */
  inParagraph: boolean;
}

/** Elements whose short text is content in its own right (a paragraph, a table cell, a definition). */
const TEXT_CELL = new Set(['p', 'td', 'th', 'dd', 'dt', 'caption']);
const HEADING_TAG: Record<string, Block['tag']> = { h2: 'h2', h3: 'h3', h4: 'h4', h5: 'h4', h6: 'h4' };
const LIST_LIKE = new Set([
  'ul',
  'ol',
  'dl',
  'table',
  'tbody',
  'thead',
  'tr',
  'td',
  'div',
  'section',
  'article',
  'aside',
  'nav',
  'center',
]);

/**
 * Turn the content roots into paragraphs, in document order. `bodyChars` is the size of the whole body (all roots)
 * when only some of them are emitted; weakly negative blocks are judged against it.
 */
export function emitBlocks(w: Walked, roots: number[], baseUrl: string, bodyChars?: number, opts = DEFAULTS): Block[] {
  const blocks: Block[] = [];
  let text: string[] = [];
  let html: string[] = [];
  let linkChars = 0;
  let timeChars = 0;
  let inLink = 0;
  let hasLink = false;
  let inTime = 0;
  let droppedSinceLast = false;
  let linksSinceLast = false;
  let headlineSinceLast = false;
  let blockTag: Block['tag'] = 'p';
  let paragraphDepth = 0;
  let list: Block['list'];
  let listCounter = 0;

  const flush = (): void => {
    if (!text.length) return;
    // Preformatted text keeps its line breaks (as separate lines of `text`); everything else is reflowed.
    const t =
      blockTag === 'pre'
        ? text
            .join('')
            .replace(/\r\n?/g, '\n')
            .replace(/[^\S\n]+$/gm, '')
            .replace(/\n{2,}/g, '\n')
            .replace(/^\n+|\s+$/g, '')
        : text.join('').replace(/\s+/g, ' ').trim();
    // Most blocks have no link: their HTML is the escaped text, built once instead of per text node.
    const h = hasLink
      ? html
          .map((x) => (x.charCodeAt(0) === 0 ? x.slice(1) : escapeHtml(x)))
          .join('')
          .replace(/\s+/g, ' ')
          .trim()
      : escapeHtml(t);
    hasLink = false;
    const lc = linkChars;
    const tc = timeChars;
    text = [];
    html = [];
    linkChars = 0;
    timeChars = 0;
    if (!t) return;
    const chars = countText(t).chars;
    if (!chars) return;
    // A lone link ("Read more: …") is navigation; a list item in a list that passed the list-level check, or a
    // long paragraph with a long link in it, is text.
    const ld = lc / chars;
    if (ld > opts.maxLinkDensity && (blockTag === 'li' || chars >= 200 ? ld > 0.8 : true)) {
      droppedSinceLast = true;
      linksSinceLast = true;
      if (blockTag === 'h2' || blockTag === 'h3' || blockTag === 'h4') headlineSinceLast = true;
      return;
    }
    blocks.push({
      tag: blockTag,
      list,
      text: t,
      html: h,
      chars,
      linkChars: lc,
      timeChars: tc,
      afterDrop: droppedSinceLast,
      afterLinks: linksSinceLast,
      afterHeadline: headlineSinceLast,
      inParagraph: paragraphDepth > 0 || blockTag !== 'p',
    });
    droppedSinceLast = false;
    linksSinceLast = false;
    headlineSinceLast = false;
  };

  const visit = (el: Element, i: number, depth: number): void => {
    const name = el.name;
    const len = w.chars[i];
    if (name === 'h1') {
      flush();
      return;
    }
    // Weakly negative blocks ("entry-meta", "photo-credit-wrap") unless they hold most of the article.
    if ((w.hint[i] === Hint.Negative || w.hint[i] === Hint.StrongNegative) && len < rootChars * 0.5) {
      flush();
      if (len) droppedSinceLast = true;
      return;
    }
    // Lists of links (tags, "related", "most read"), and other link-heavy blocks.
    if (LIST_LIKE.has(name) && len > 0 && w.linkChars[i] / len > opts.maxLinkDensity) {
      flush();
      droppedSinceLast = true;
      linksSinceLast = true;
      return;
    }
    const isBlock = BLOCK_TAGS.has(name);
    const savedTag = blockTag;
    const savedList = list;
    if (isBlock) {
      flush();
      if (name === 'br') return;
      if (name === 'ul' || name === 'ol') list = { ordered: name === 'ol', id: ++listCounter };
      else if (name === 'li') blockTag = 'li';
      else if (HEADING_TAG[name]) blockTag = HEADING_TAG[name];
      else if (name === 'pre') blockTag = 'pre';
      else if (name === 'blockquote') blockTag = 'blockquote';
      else if (name === 'p' && blockTag !== 'li' && blockTag !== 'blockquote') blockTag = 'p';
      if (TEXT_CELL.has(name)) paragraphDepth++;
    }
    const href = name === 'a' ? linkHref(el.attribs.href, baseUrl) : undefined;
    if (name === 'a') inLink++;
    if (name === 'time') inTime++;
    // Markup pieces start with NUL so flush() can tell them from text (text nodes never contain NUL after parsing).
    if (href) {
      html.push(`\u0000<a href="${escapeHtml(href)}">`);
      hasLink = true;
    }
    for (const c of el.children) {
      if (c.type === 'text') {
        const data = (c as unknown as { data: string }).data;
        text.push(data);
        html.push(data.charCodeAt(0) === 0 ? data.replace(/^\u0000+/, '') : data);
        if (inLink || inTime) {
          const k = countText(data).chars;
          if (inLink) linkChars += k;
          if (inTime) timeChars += k;
        }
      } else if (isElement(c)) {
        const k = indexOf(w, c);
        if (k === undefined) {
          // Dropped boilerplate with text counts as a break (it separated the blocks around it).
          if (c.children.length) droppedSinceLast = true;
          continue;
        }
        if (depth < MAX_DEPTH) visit(c, k, depth + 1);
      }
    }
    if (href) html.push('\u0000</a>');
    if (name === 'a') inLink--;
    if (name === 'time') inTime--;
    if (isBlock) {
      flush();
      blockTag = savedTag;
      if (TEXT_CELL.has(name)) paragraphDepth--;
      list = savedList;
    }
  };

  let rootChars = bodyChars ?? 0;
  if (bodyChars === undefined) for (const r of roots) rootChars += w.chars[r];
  for (const r of roots) {
    flush();
    visit(w.els[r], r, 0);
  }
  flush();
  return blocks;
}

function linkHref(href: string | undefined, base: string): string | undefined {
  if (!href || href.startsWith('#')) return undefined;
  try {
    const u = new URL(href, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));

export { countText };
