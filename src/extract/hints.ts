/**
 * What an element's markup says about it, independent of the page's language: its tag, ARIA role, schema.org
 * microdata, `hidden` state, and the words in its class and id (which are English-ish on sites in every language,
 * but are only one signal among text density, link density and structure).
 */
import type { Element } from 'domhandler';

/** Elements that never hold readable text, whatever the markup around them (the relaxed pass drops only these). */
export const NOISE_TAGS = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'embed',
  'canvas',
  'video',
  'audio',
  'picture',
  'map',
  'button',
  'input',
  'select',
  'option',
  'textarea',
  'label',
  'nav',
  'dialog',
  'menu',
  'head',
  'link',
  'meta',
  'title',
  'base',
  'img',
  'source',
  'track',
  'area',
  'param',
  'hr',
  'frame',
  'frameset',
  'applet',
  'datalist',
  'output',
  'progress',
  'meter',
]);

/**
 * Elements that never hold article text (or whose text, like captions, is not body text): the noise above plus the
 * page structure around an article, which the relaxed pass keeps in case broken markup wrapped the body in it.
 */
export const DROP_TAGS = new Set([
  ...NOISE_TAGS,
  'aside',
  'footer',
  'header',
  'figure',
  'figcaption',
  'address',
  'fieldset',
  'legend',
]);

export const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'center',
  'dd',
  'details',
  'dialog',
  'dir',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'html',
  'li',
  'main',
  'menu',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
  'br',
  'caption',
  'iframe',
  'noscript',
  'picture',
  'video',
  'img',
]);

const DROP_ROLES = new Set([
  'navigation',
  'banner',
  'contentinfo',
  'complementary',
  'search',
  'menu',
  'menubar',
  'dialog',
  'alertdialog',
  'toolbar',
  'tablist',
  'button',
  'figure',
  'img',
  'presentation-none',
]);

/**
 * Class/id words that mark boilerplate even inside an article container ("article-comments", "post-share").
 * Matched against whole words of the class and id, never substrings, so "shareholders" or "adult" do not match.
 */
const STRONG_NEGATIVE = new Set([
  'comment',
  'comments',
  'commentlist',
  'disqus',
  'discussion',
  'replies',
  'reply',
  'respond',
  'share',
  'shares',
  'sharing',
  'sharebar',
  'social',
  'socials',
  'related',
  'recirc',
  'recirculation',
  'recommended',
  'recommendations',
  'newsletter',
  'newsletters',
  'subscribe',
  'subscription',
  'signup',
  'byline',
  'bylines',
  'caption',
  'captions',
  'credit',
  'credits',
  'promo',
  'promos',
  'ad',
  'ads',
  'adv',
  'advert',
  'adverts',
  'advertisement',
  'advertising',
  'adsense',
  'adslot',
  'dfp',
  'gpt',
  'sponsor',
  'sponsored',
  'outbrain',
  'taboola',
  'breadcrumb',
  'breadcrumbs',
  'cookie',
  'cookies',
  'consent',
  'gdpr',
  'popup',
  'modal',
  'overlay',
  'sronly',
  'visuallyhidden',
  'offscreen',
  'screenreader',
  'standfirst',
  'subheadline',
  'subtitle',
  'dek',
  'kicker',
  'strapline',
  'tags',
  'tag',
  'taglist',
  'keywords',
  'topics',
  'pullquote',
  'trending',
  'popular',
  'mostread',
  'mostpopular',
  'dateline',
  'timestamp',
  'print',
  'toolbar',
  'paywall',
  'login',
  'donate',
  'donation',
  'feedback',
  'rating',
  'reactions',
  'follow',
  'author',
  'authors',
  'bio',
  'avatar',
  'gallery',
  'slideshow',
  'carousel',
  'lightbox',
  'player',
  'embed',
  'outstream',
  'nativead',
  'teaser',
  'teasers',
  'widget',
  'widgets',
  'rail',
  'copyright',
  'disclaimer',
  'sidebar',
  'masthead',
  'navbar',
  'nav',
  'navigation',
  'menu',
  'footer',
  'header',
  'jump',
  'skip',
  'pagination',
  'pager',
  'meta',
  'metadata',
  'published',
  'updated',
  'date',
  'time',
  'tooltip',
  'banner',
  'alert',
  'cta',
  'interstitial',
  'apester',
  'affiliate',
  'photo',
  'image',
  'img',
  'figure',
  'media',
  'video',
  'audio',
  'thumbnail',
  'thumb',
  'icon',
  'logo',
  'badge',
  'label',
]);

/** Words that mark a container of the article body. */
const POSITIVE = new Set([
  'article',
  'articlebody',
  'body',
  'content',
  'contents',
  'entry',
  'main',
  'post',
  'story',
  'storybody',
  'text',
  'prose',
  'blog',
  'richtext',
  'column',
  'page',
  'paragraph',
  'copy',
  'detail',
  'details',
  'news',
  'single',
]);

/**
 * Words that mark boilerplate only when the element is not also marked as a content container: a wrapper
 * "post-meta" is boilerplate, a "main-content" with a "sidebar-layout" modifier is not.
 */
const WEAK_ONLY: ReadonlySet<string> = new Set([
  'meta',
  'date',
  'time',
  'published',
  'updated',
  'media',
  'image',
  'photo',
  'img',
  'video',
  'audio',
  'figure',
  'label',
  'icon',
  'badge',
  'thumb',
  'thumbnail',
  'logo',
  'embed',
  'widget',
  'widgets',
  'print',
  'header',
  'menu',
  'nav',
  'tag',
  'topics',
  'bio',
  'alert',
  'banner',
  'rail',
  'player',
  'sidebar',
  'teaser',
  'jump',
  'skip',
  'cta',
  'gallery',
]);

// Run-together class names ("relatedposts", "sharebuttons", "commentform") are matched by stem.
const DISCUSSION_PREFIX_RE = /^(related|comment|disqus|recommend|outbrain|taboola|mostread|mostpopular)/;
const STRONG_PREFIX_RE =
  /^(sharing|sharebar|sharebutton|sharetool|shareicon|sharelink|social|newsletter|promo|advert|sponsor|subscri|breadcrumb|byline|caption|cookie|paywall)/;

/** Lower-cased words of a class/id string: "storyBody__text-2" → ["story", "body", "text"]. */
const splitWords = (s: string): string[] =>
  s
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => w.length > 0);

/** The words plus each adjacent pair joined: "most-read", "sr-only", "article-body" match one table entry. */
function withJoinedPairs(parts: string[]): string[] {
  const words = parts.slice();
  for (let i = 0; i + 1 < parts.length; i++) words.push(parts[i] + parts[i + 1]);
  return words;
}

export const enum Hint {
  None = 0,
  Positive = 1,
  Negative = 2,
  /** Negative even inside content ("article-share"), unless it holds much of the page's text. */
  StrongNegative = 3,
  /** Comments and recirculation: negative whatever their size (comment threads can outgrow the article). */
  Discussion = 4,
}

const DISCUSSION = new Set([
  'comment',
  'comments',
  'commentlist',
  'disqus',
  'discussion',
  'replies',
  'respond',
  'related',
  'recirc',
  'recirculation',
  'recommended',
  'recommendations',
  'outbrain',
  'taboola',
  'mostread',
  'mostpopular',
]);

/** How an element's class and id classify it. */
export function classHint(el: Element): Hint {
  const cls = el.attribs.class;
  const id = el.attribs.id;
  if (!cls && !id) return Hint.None;
  let mask = 0;
  if (cls) {
    // Class names repeat across a page far more than whole class attributes do: cache per name.
    let start = 0;
    for (let i = 0; i <= cls.length; i++) {
      const c = i < cls.length ? cls.charCodeAt(i) : 32;
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
        if (i > start) mask |= nameMask(cls.slice(start, i));
        start = i + 1;
      }
    }
  }
  if (id) mask |= nameMask(id);
  return mask & DISCUSSION_BIT
    ? Hint.Discussion
    : mask & STRONG_BIT
      ? Hint.StrongNegative
      : mask & POSITIVE_BIT
        ? Hint.Positive
        : mask & WEAK_BIT
          ? Hint.Negative
          : Hint.None;
}

const POSITIVE_BIT = 1;
const WEAK_BIT = 2;
const STRONG_BIT = 4;
const DISCUSSION_BIT = 8;
const nameCache = new Map<string, number>();

/**
 * One class name (or id). Its last word is its head noun: weak words count only there, so "entry-meta" is metadata
 * of an entry (weakly negative) while "meta-content" is content and "video-container" may hold an embedded quote.
 */
function nameMask(name: string): number {
  const cached = nameCache.get(name);
  if (cached !== undefined) return cached;
  const parts = splitWords(name);
  const words = withJoinedPairs(parts);
  const head = parts[parts.length - 1] ?? '';
  const weakHead = WEAK_ONLY.has(head) && STRONG_NEGATIVE.has(head);
  let mask = weakHead ? WEAK_BIT : 0;
  for (const w of words) {
    if (DISCUSSION.has(w) || DISCUSSION_PREFIX_RE.test(w)) mask |= DISCUSSION_BIT;
    else if (STRONG_PREFIX_RE.test(w)) mask |= STRONG_BIT;
    if (POSITIVE.has(w)) {
      if (!weakHead) mask |= POSITIVE_BIT;
    } else if (STRONG_NEGATIVE.has(w) && !WEAK_ONLY.has(w)) mask |= STRONG_BIT;
  }
  if (nameCache.size > 20_000) nameCache.clear();
  nameCache.set(name, mask);
  return mask;
}

/** Markup that says "not article text" whatever the class names: roles, microdata, hidden state. */
export function isBoilerplateByMarkup(el: Element): boolean {
  const a = el.attribs;
  if (a.hidden !== undefined) return true;
  if (a['aria-hidden'] === 'true') return true;
  const role = a.role;
  if (role && DROP_ROLES.has(role.toLowerCase())) return true;
  const style = a.style;
  if (style && /display\s*:\s*none|visibility\s*:\s*hidden/i.test(style)) return true;
  const itemtype = a.itemtype;
  if (itemtype && /Comment|WPSideBar|WPFooter|WPHeader|SiteNavigationElement|WPAdBlock/i.test(itemtype)) return true;
  const itemprop = a.itemprop;
  if (itemprop && /^(comment|author|creator|datePublished|dateModified|publisher|image|caption|keywords)$/i.test(itemprop))
    return true;
  return false;
}

/** Markup that says "this is the article body". */
export function isArticleBodyMarkup(el: Element): boolean {
  const p = el.attribs.itemprop;
  return !!p && /\barticleBody\b|^text$/i.test(p);
}
