/**
 * Main-content extraction on cheerio. (Foundation version; issue 4 replaces the algorithm.)
 */
import * as cheerio from 'cheerio';
import type { ExtractedArticle } from '../types';
import { detectLang, dirForLang, normalizeLang } from '../lang';

const BOILERPLATE = 'script,style,noscript,template,iframe,svg,form,nav,header,footer,aside,figure,figcaption,button,input,select,textarea,[role=navigation],[role=banner],[role=contentinfo],[role=complementary],[aria-hidden=true]';
const BAD_HINT = /comment|share|social|related|tags?\b|byline|author|caption|credit|promo|newsletter|subscribe|sidebar|breadcrumb|footer|header|menu|nav|ad-|advert|most-read|popular|search/i;

export function extractArticle(html: string, url: string): ExtractedArticle {
  const $ = cheerio.load(html);
  const meta = (sel: string): string | undefined => $(sel).first().attr('content')?.trim() || undefined;
  const title = meta('meta[property="og:title"]') ?? ($('h1').first().text().trim() || $('title').text().trim());
  const publishedAt = meta('meta[property="article:published_time"]') ?? $('time[datetime]').first().attr('datetime');
  $(BOILERPLATE).remove();
  $('[class],[id]').each((_, el) => {
    const hint = `${$(el).attr('class') ?? ''} ${$(el).attr('id') ?? ''}`;
    if (BAD_HINT.test(hint) && !/article|content|body|main|post/i.test(hint)) $(el).remove();
  });
  const root = $('article').first().length ? $('article').first() : $('main').first().length ? $('main').first() : $('body');
  const paras: string[] = [];
  root.find('p, h2, h3, h4, li, blockquote').each((_, el) => {
    if ($(el).parents('p, li, blockquote').length) return;
    const t = $(el).text().replace(/\s+/g, ' ').trim();
    if (t.length > 1) paras.push(t);
  });
  const text = paras.join('\n');
  const declared = normalizeLang($('html').attr('lang')) || normalizeLang(meta('meta[http-equiv="content-language" i]'));
  const lang = declared || detectLang(text) || 'und';
  const words = text.split(/\s+/).filter(Boolean).length;
  let canonicalUrl: string | undefined;
  try {
    const c = $('link[rel=canonical]').attr('href');
    if (c) canonicalUrl = new URL(c, url).toString();
  } catch {
    canonicalUrl = undefined;
  }
  return {
    title,
    text,
    html: paras.map((p) => `<p>${escapeHtml(p)}</p>`).join(''),
    byline: meta('meta[name=author]'),
    publishedAt,
    siteName: meta('meta[property="og:site_name"]'),
    leadImage: meta('meta[property="og:image"]'),
    canonicalUrl,
    lang,
    dir: declared && $('html').attr('dir') === 'rtl' ? 'rtl' : dirForLang(lang),
    wordCount: words,
    readingMinutes: Math.max(1, Math.round(words / 230)),
    excerpt: paras[0]?.slice(0, 300),
  };
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
