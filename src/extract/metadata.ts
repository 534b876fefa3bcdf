/**
 * Page metadata from JSON-LD (Article types, `@graph`), OpenGraph/Twitter cards, `<meta>` tags and a few in-page
 * elements (`<time datetime>`, `rel=author`, `itemprop=author`). Pure: takes what the DOM walk collected.
 */

/** What the DOM walk gathers for metadata, whether or not the element is later dropped as boilerplate. */
export interface PageSignals {
  /** `<meta>` content by lower-cased name / property / itemprop / http-equiv (first occurrence wins). */
  metas: Map<string, string>;
  /** `<link rel>` href by lower-cased rel token (first occurrence wins). */
  links: Map<string, string>;
  title: string;
  h1: string[];
  htmlLang: string;
  docDir: string;
  /** `<time datetime>` values in document order. */
  times: string[];
  /** Text of `rel=author` / `itemprop=author` elements. */
  authors: string[];
  /** First `<img src>` inside the article body. */
  firstImage?: string;
}

/** The JSON-LD article object's fields we use. */
export interface JsonLdArticle {
  headline?: string;
  articleBody?: string;
  authors: string[];
  datePublished?: string;
  dateModified?: string;
  publisherName?: string;
  image?: string;
  inLanguage?: string;
  url?: string;
  isArticle: boolean;
}

const ARTICLE_TYPE_RE = /article|posting|report|story|review|recipe|webpage|creativework|newsarticle/i;
const STRONG_ARTICLE_TYPE_RE = /article|posting|report|story/i;

/** Parse JSON-LD blocks and pick the best article-like object (articles before pages, richest first). */
export function readJsonLd(blocks: string[]): JsonLdArticle | undefined {
  const objects: Record<string, unknown>[] = [];
  for (const raw of blocks) {
    let data: unknown;
    try {
      data = JSON.parse(raw.trim().replace(/^<!\[CDATA\[|\]\]>$/g, ''));
    } catch {
      try {
        // Raw newlines and tabs inside strings are the common JSON-LD syntax error; replace and retry once.
        data = JSON.parse(raw.replace(/[\u0000-\u001f]+/g, ' '));
      } catch {
        continue;
      }
    }
    collectObjects(data, objects, 0);
  }
  let best: { obj: Record<string, unknown>; rank: number } | undefined;
  for (const obj of objects) {
    const types = ([] as unknown[])
      .concat(obj['@type'] ?? [])
      .map(String)
      .join(' ');
    if (!ARTICLE_TYPE_RE.test(types)) continue;
    const body = typeof obj.articleBody === 'string' ? obj.articleBody.length : 0;
    const rank = (STRONG_ARTICLE_TYPE_RE.test(types) ? 1e9 : 0) + (obj.headline ? 1e8 : 0) + body;
    if (!best || rank > best.rank) best = { obj, rank };
  }
  if (!best) return undefined;
  const o = best.obj;
  const types = ([] as unknown[])
    .concat(o['@type'] ?? [])
    .map(String)
    .join(' ');
  return {
    headline: str(o.headline) ?? str(o.name),
    articleBody: str(o.articleBody) ?? str(o.text),
    authors: names(o.author ?? o.creator),
    datePublished: str(o.datePublished) ?? str(o.dateCreated),
    dateModified: str(o.dateModified),
    publisherName: names(o.publisher)[0],
    image: imageUrl(o.image ?? o.thumbnailUrl),
    inLanguage: typeof o.inLanguage === 'string' ? o.inLanguage : names(o.inLanguage)[0],
    url:
      str(o.url) ??
      (typeof o.mainEntityOfPage === 'string'
        ? o.mainEntityOfPage
        : str((o.mainEntityOfPage as Record<string, unknown> | undefined)?.['@id'])),
    isArticle: STRONG_ARTICLE_TYPE_RE.test(types),
  };
}

function collectObjects(data: unknown, out: Record<string, unknown>[], depth: number): void {
  if (depth > 6 || out.length > 200 || !data || typeof data !== 'object') return;
  if (Array.isArray(data)) {
    for (const d of data) collectObjects(d, out, depth + 1);
    return;
  }
  const obj = data as Record<string, unknown>;
  if (obj['@type']) out.push(obj);
  if (obj['@graph']) collectObjects(obj['@graph'], out, depth + 1);
  if (obj.mainEntity && typeof obj.mainEntity === 'object') collectObjects(obj.mainEntity, out, depth + 1);
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0].trim() || undefined;
  return undefined;
}

function names(v: unknown): string[] {
  const out: string[] = [];
  for (const x of ([] as unknown[]).concat(v ?? [])) {
    if (typeof x === 'string') out.push(x);
    else if (x && typeof x === 'object') {
      const n = (x as Record<string, unknown>).name;
      if (typeof n === 'string') out.push(n);
    }
  }
  return out.map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s && !/^https?:/i.test(s));
}

function imageUrl(v: unknown): string | undefined {
  for (const x of ([] as unknown[]).concat(v ?? [])) {
    if (typeof x === 'string') return x;
    if (x && typeof x === 'object') {
      const u = (x as Record<string, unknown>).url ?? (x as Record<string, unknown>).contentUrl;
      if (typeof u === 'string') return u;
    }
  }
  return undefined;
}

/** An absolute http(s) URL resolved against the page, or undefined. */
export function absoluteHttpUrl(href: string | undefined, base: string): string | undefined {
  if (!href) return undefined;
  try {
    const u = new URL(href.trim(), base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** ISO 8601 (UTC) for a parseable date, undefined otherwise. Keeps year sanity: 1990 … 10 years ahead. */
export function isoDate(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const t = Date.parse(v.trim());
  if (!Number.isFinite(t)) return undefined;
  const year = new Date(t).getUTCFullYear();
  if (year < 1990 || year > new Date().getUTCFullYear() + 10) return undefined;
  return new Date(t).toISOString();
}

export function firstMeta(metas: Map<string, string>, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = metas.get(k);
    if (v) return v;
  }
  return undefined;
}

/** "By Jane Doe and John Roe" → "Jane Doe and John Roe": a cleaned byline, undefined when it is not a name. */
export function cleanByline(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const t = s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(by|par|von|por|di|door|av|af|від|от|автор:?)\s+/i, '');
  if (!t || t.length > 120 || /^https?:/i.test(t)) return undefined;
  return t;
}
