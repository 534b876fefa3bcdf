/**
 * Main-content extraction on cheerio: `extractArticle(html, url)` returns the article body as text and minimal
 * HTML plus its metadata. Pure: no I/O. The algorithm is in content.ts, class/role hints in hints.ts, metadata in
 * metadata.ts, input bounds in guards.ts, per-site rules (data) in site-rules.ts. `npm run bench:extract` measures
 * it against Readability on the shared benchmark.
 *
 * What counts as body text (decisions the benchmark's ground truth mostly shares):
 * - Body paragraphs, subheadings (h2–h6), lists, quotes, tables and embedded posts (a quoted tweet) inside the body.
 * - Not the headline, the byline and dateline, figure captions and photo credits, share bars, tag lists ("read
 *   more about …") and the heading that introduces them, related/most-read lists, newsletter boxes, comments.
 * - Not a standfirst (subheadline) that the page marks as such: inside the article `<header>`, or classed
 *   standfirst/subheadline/subtitle/dek/kicker/strapline. An unmarked lead paragraph beside the body cannot be told
 *   from a first paragraph and is kept; the page's description stays available as `excerpt`.
 * - A page with no article (a section front, a link hub, an app shell without JSON-LD) gives empty text, never its
 *   navigation or teasers. A page whose body exists only as JSON-LD `articleBody` gives that body.
 */
import * as cheerio from 'cheerio';
import type { Element } from 'domhandler';
import type { ExtractedArticle } from '../types';
import { detectLang, dirForLang, dirForText, normalizeLang } from '../lang';
import { prepareHtml } from './guards';
import {
  type Block,
  type ContentRoots,
  type Walked,
  countText,
  emitBlocks,
  escapeHtml,
  indexOf,
  pickContentRoots,
  walkDocument,
} from './content';
import { absoluteHttpUrl, cleanByline, firstMeta, isoDate, readJsonLd } from './metadata';
import { leadImageOf } from './lead-image';
import { siteRuleFor, type SiteRule, SITE_RULES } from './site-rules';

export { SITE_RULES, siteRuleFor, type SiteRule } from './site-rules';
export { MAX_DEPTH, MAX_ELEMENTS, MAX_HTML_CHARS } from './guards';

/** What extractArticle returns: the shared ExtractedArticle plus how the text was found. */
export interface ArticleExtraction extends ExtractedArticle {
  /** Where `text` came from: the page's markup, its JSON-LD `articleBody`, or nowhere (no article). */
  bodySource: 'dom' | 'json-ld' | 'none';
  /** The input was longer than the extractor reads (see guards.ts). */
  truncated: boolean;
}

/** Below this many non-space characters a page has no article (a link hub, an error page, a paywall stub). */
const MIN_ARTICLE_CHARS = 140;
/** JSON-LD `articleBody` replaces the DOM text when the DOM gives less than this share of it. */
const JSON_LD_PREFERRED_BELOW = 0.5;
const WORDS_PER_MINUTE = 230;
const LANG_SAMPLE_CHARS = 400;

export interface ExtractOptions {
  /** Site rules table (default SITE_RULES); `{}` for generic extraction only. */
  rules?: Readonly<Record<string, SiteRule>>;
  /**
   * cheerio's parser. htmlparser2 (default) is several times faster than parse5 and scores the same on the
   * extraction benchmark (`npm run bench:extract -- --parser parse5` to check); parse5 follows the HTML5 tree
   * construction rules exactly.
   */
  parser?: 'htmlparser2' | 'parse5';
}

export function extractArticle(html: string, url: string, options: ExtractOptions = {}): ArticleExtraction {
  const prepared = prepareHtml(html);
  const $ =
    options.parser === 'parse5'
      ? cheerio.load(prepared.html)
      : cheerio.load(prepared.html, { xml: { xmlMode: false, decodeEntities: true } });
  const rule = siteRuleFor(url, options.rules ?? SITE_RULES);
  let ruleBody: Element | undefined;
  if (rule) {
    for (const sel of rule.drop ?? []) $(sel).remove();
    if (rule.body) ruleBody = $(rule.body).get(0) as Element | undefined;
  }

  const w = walkDocument($.root()[0]);
  const s = w.signals;
  const ld = readJsonLd(prepared.jsonLd);

  const ruleIndex = ruleBody ? indexOf(w, ruleBody) : undefined;
  const picked = ruleIndex !== undefined ? { roots: [ruleIndex], main: ruleIndex } : pickContentRoots(w);
  const titleCandidates = [firstMeta(s.metas, ['og:title', 'twitter:title']), ld?.headline, ...s.h1, s.title];
  const authors = [...(ld?.authors ?? []), firstMeta(s.metas, ['author', 'article:author', 'dc.creator', 'byl']), ...s.authors]
    .map((a) => cleanByline(a))
    .filter((a): a is string => !!a);
  const description = firstMeta(s.metas, ['description', 'og:description', 'twitter:description']);
  let blocks = cleanBlocks(emitRoots(w, picked, url), titleCandidates, authors);
  let bodySource: ArticleExtraction['bodySource'] = 'dom';
  let chars = blocks.reduce((a, b) => a + b.chars, 0);
  if (chars < MIN_ARTICLE_CHARS && ruleIndex === undefined) {
    // Nothing found: try again keeping header/footer/aside elements and strongly negative classes (see walkDocument).
    const relaxed = walkDocument($.root()[0], 'relaxed');
    const retry = cleanBlocks(emitRoots(relaxed, pickContentRoots(relaxed), url), titleCandidates, authors);
    const retryChars = retry.reduce((a, b) => a + b.chars, 0);
    if (retryChars >= MIN_ARTICLE_CHARS) {
      blocks = retry;
      chars = retryChars;
    }
  }

  const ldBody = ld?.articleBody ? jsonLdParagraphs(ld.articleBody) : [];
  const ldChars = ldBody.reduce((a, p) => a + countText(p).chars, 0);
  if (ldChars >= MIN_ARTICLE_CHARS && chars < ldChars * JSON_LD_PREFERRED_BELOW) {
    blocks = ldBody.map((t) => ({
      tag: 'p',
      text: t,
      html: escapeHtml(t),
      chars: countText(t).chars,
      linkChars: 0,
      timeChars: 0,
      afterDrop: false,
      afterLinks: false,
      afterHeadline: false,
      inParagraph: true,
    }));
    chars = ldChars;
    bodySource = 'json-ld';
  }
  // Only a page that does not declare itself an article can be a listing.
  const declaredArticle = ld?.isArticle || /article/i.test(firstMeta(s.metas, ['og:type']) ?? '');
  if (chars < MIN_ARTICLE_CHARS || (bodySource === 'dom' && !declaredArticle && looksLikeListing(blocks))) {
    blocks = [];
    bodySource = 'none';
  }

  const text = blocks.map((b) => b.text).join('\n');
  const title = (titleCandidates.find((t) => t && t.trim()) ?? '').replace(/\s+/g, ' ').trim();

  const declared =
    normalizeLang(s.htmlLang) ||
    normalizeLang(firstMeta(s.metas, ['content-language', 'language', 'dc.language'])?.split(',')[0]) ||
    normalizeLang(firstMeta(s.metas, ['og:locale'])) ||
    normalizeLang(ld?.inLanguage);
  const sample = text || `${title}\n${firstMeta(s.metas, ['description', 'og:description']) ?? ''}`;
  let lang = declared;
  // Templates often declare one language for a multilingual site; a declared language written in the other
  // direction than the text itself is certainly wrong.
  if (lang && text.length > 200 && dirForLang(lang) !== dirForText(text)) lang = '';
  // Detection cost grows with the sample; a few hundred characters of body text identify the language reliably.
  if (!lang) lang = detectLang(sample.slice(0, LANG_SAMPLE_CHARS)) || 'und';
  const dir = lang !== 'und' ? dirForLang(lang) : s.docDir === 'rtl' || s.docDir === 'ltr' ? s.docDir : dirForText(sample);

  const words = countWords(text);
  return {
    title,
    text,
    html: blocksToHtml(blocks),
    byline: ld && ld.authors.length > 1 ? ld.authors.slice(0, 4).join(', ') : authors[0],
    publishedAt: isoDate(
      ld?.datePublished ??
        firstMeta(s.metas, [
          'article:published_time',
          'datepublished',
          'og:published_time',
          'pubdate',
          'publishdate',
          'date',
          'dc.date',
          'dc.date.issued',
          'sailthru.date',
          'parsely-pub-date',
        ]) ??
        s.times[0],
    ),
    modifiedAt: isoDate(
      ld?.dateModified ?? firstMeta(s.metas, ['article:modified_time', 'datemodified', 'og:updated_time', 'last-modified']),
    ),
    siteName: firstMeta(s.metas, ['og:site_name', 'application-name']) ?? ld?.publisherName,
    ...leadImageOf(s.metas, ld?.image, url),
    canonicalUrl:
      absoluteHttpUrl(s.links.get('canonical') ?? firstMeta(s.metas, ['og:url']) ?? ld?.url, url) ?? absoluteHttpUrl(url, url),
    lang,
    dir,
    wordCount: words,
    readingMinutes: words ? Math.max(1, Math.round(words / WORDS_PER_MINUTE)) : 0,
    excerpt: excerptOf(description, blocks),
    bodySource,
    truncated: prepared.truncated,
  };
}

/**
 * Blocks of the content roots in document order. A root that joined the main one as its sibling but reads as a
 * list of teasers (a "more stories" box styled like the article) is left out.
 */
function emitRoots(w: Walked, { roots, main }: ContentRoots, url: string): Block[] {
  if (roots.length < 2) return emitBlocks(w, roots, url);
  const bodyChars = roots.reduce((a, r) => a + w.chars[r], 0);
  return roots.flatMap((r) => {
    const blocks = emitBlocks(w, [r], url, bodyChars);
    return r === main || !looksLikeListing(blocks) ? blocks : [];
  });
}

/**
 * A section front or search page: what survives is teaser summaries, each right after a dropped headline link.
 * In an article, paragraphs follow paragraphs; an inline "related" link between two of them is the exception.
 */
function looksLikeListing(blocks: Block[]): boolean {
  if (blocks.length < LISTING_MIN_BLOCKS) return false;
  const afterLinks = blocks.filter((b) => b.afterLinks).length;
  const meanChars = blocks.reduce((a, b) => a + b.chars, 0) / blocks.length;
  return afterLinks / blocks.length >= LISTING_AFTER_LINKS_SHARE && meanChars < LISTING_MAX_MEAN_CHARS;
}
/** Teaser summaries are a sentence or two. */
const LISTING_MAX_MEAN_CHARS = 300;
const LISTING_MIN_BLOCKS = 4;
const LISTING_AFTER_LINKS_SHARE = 0.6;

const normalizeForCompare = (t: string): string => t.replace(/\s+/g, ' ').trim().toLowerCase();

/** Drop titles, bylines, datelines, headings that introduce dropped boilerplate, and repeats. */
function cleanBlocks(blocks: Block[], titles: (string | undefined)[], authors: string[]): Block[] {
  const titleSet = new Set(titles.filter((t): t is string => !!t).map(normalizeForCompare));
  const authorSet = authors.map(normalizeForCompare).filter((a) => a.length >= 3);
  const seen = new Set<string>();
  const kept: Block[] = [];
  for (const b of blocks) {
    const norm = normalizeForCompare(b.text);
    if (titleSet.has(norm)) continue;
    if (b.timeChars / b.chars > 0.4 && b.chars < 120) continue;
    if (b.chars < 80 && authorSet.some((a) => norm.includes(a))) continue;
    if (b.chars > 20 && seen.has(norm)) continue;
    // A word or two loose in a div between paragraphs: an ad label ("Advertisement"), a "share" prompt.
    if (!b.inParagraph && b.chars < LOOSE_LABEL_MAX_CHARS && !SENTENCE_END_RE.test(b.text)) continue;
    seen.add(norm);
    kept.push(b);
  }
  // A heading that is followed by dropped boilerplate, by a heading of the same or a higher level, or by nothing,
  // titled something we removed ("Read more about", "Comments").
  const out: Block[] = [];
  for (let i = 0; i < kept.length; i++) {
    const b = kept[i];
    if (b.tag === 'h2' || b.tag === 'h3' || b.tag === 'h4') {
      const next = kept[i + 1];
      if (!next || next.afterDrop || (isHeading(next) && next.tag <= b.tag)) continue;
    }
    out.push(b);
  }
  return trimEdges(out);
}

const LOOSE_LABEL_MAX_CHARS = 14;
const SENTENCE_END_RE = /[.!?。！？؟…"'”’»)\]]$/;
/** Below this many characters, an unpunctuated block (or any loose in a div) at the edge of the body is a label
 * (section kicker, "Share this:", "Like Loading…", article id, "Comments") rather than a sentence. */
const EDGE_LABEL_MAX_CHARS = 50;

/** Drop label-like blocks (short, and unpunctuated or loose in a div) before the first and after the last paragraph. */
function trimEdges(blocks: Block[]): Block[] {
  const isLabel = (b: Block): boolean =>
    b.tag === 'p' && b.chars < EDGE_LABEL_MAX_CHARS && (!b.inParagraph || !SENTENCE_END_RE.test(b.text));
  let start = 0;
  let end = blocks.length;
  while (start < end && isLabel(blocks[start])) start++;
  while (end > start && isLabel(blocks[end - 1])) end--;
  // A run of teasers closing the body ("more from the blog": headline link, excerpt, headline link, excerpt …),
  // recognised by structure alone, whatever its class names say.
  let run = 0;
  while (end - run > start && blocks[end - 1 - run].afterHeadline && blocks[end - 1 - run].chars < TEASER_MAX_CHARS) run++;
  if (run >= TEASER_RUN_MIN && end - run - start >= TEASER_RUN_MIN) end -= run;
  return start === 0 && end === blocks.length ? blocks : blocks.slice(start, end);
}
const TEASER_MAX_CHARS = 400;
const TEASER_RUN_MIN = 2;

const isHeading = (b: Block): boolean => b.tag === 'h2' || b.tag === 'h3' || b.tag === 'h4';

/** `articleBody` is plain text by schema.org, but some sites put HTML in it. */
function jsonLdParagraphs(body: string): string[] {
  const plain = /<\/?[a-z][^>]*>/i.test(body)
    ? cheerio
        .load(body.replace(/<\/(p|div|h[1-6]|li|blockquote)>|<br\s*\/?>/gi, '$&\n'), {
          xml: { xmlMode: false, decodeEntities: true },
        })
        .root()
        .text()
    : body;
  return plain
    .split(/\n+/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
}

function blocksToHtml(blocks: Block[]): string {
  const out: string[] = [];
  let openList: Block['list'];
  for (const b of blocks) {
    if (openList && (b.tag !== 'li' || b.list?.id !== openList.id)) {
      out.push(openList.ordered ? '</ol>' : '</ul>');
      openList = undefined;
    }
    if (b.tag === 'li') {
      if (!openList) {
        openList = b.list ?? { ordered: false, id: -1 };
        out.push(openList.ordered ? '<ol>' : '<ul>');
      }
      out.push(`<li>${b.html}</li>`);
    } else if (b.tag === 'blockquote') out.push(`<blockquote><p>${b.html}</p></blockquote>`);
    else if (b.tag === 'pre') out.push(`<pre>${escapeHtml(b.text)}</pre>`);
    else out.push(`<${b.tag}>${b.html}</${b.tag}>`);
  }
  if (openList) out.push(openList.ordered ? '</ol>' : '</ul>');
  return out.join('\n');
}

/** Words: runs of non-space characters; Chinese and Japanese characters count as half a word each (so the
 * 230 words a minute reading speed becomes ≈ 460 characters a minute). A manual scan: this runs on every page. */
export function countWords(text: string): number {
  let words = 0;
  let cjk = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32 || c === 160 || c === 0x3000) {
      inWord = false;
    } else if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) {
      cjk++;
      inWord = false;
    } else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  return words + Math.round(cjk / 2);
}

function excerptOf(description: string | undefined, blocks: Block[]): string | undefined {
  const d = description?.replace(/\s+/g, ' ').trim();
  if (d) return d.length > 300 ? cut(d, 300) : d;
  const first = blocks.find((b) => b.tag === 'p' && b.chars >= 40) ?? blocks[0];
  return first ? cut(first.text, 300) : undefined;
}

function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const sp = s.lastIndexOf(' ', max - 1);
  return `${s.slice(0, sp > max / 2 ? sp : max - 1)}…`;
}
