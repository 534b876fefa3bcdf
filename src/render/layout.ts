/** The page shell every site page shares: head, masthead with navigation and search, footer. */
import { chromeFor, type Chrome } from '../i18n';
import { markup, safeHttpUrl, type SafeHtml } from './html';
import { renderPreferenceFields, type PreferenceFieldChoices } from './preference-fields';

/** Where the site's own files are, relative to the page being rendered. */
export interface PageContext {
  /** Relative path from this page to the site root: "" for site/index.html, "../../../" for a day. */
  root: string;
  /** Asset paths relative to the site root (content-hashed names). */
  assets: { css: string; icon: string; searchJs: string };
  /** Digest title (from config; escaped like everything else). */
  siteTitle: string;
  /** Public base URL, without trailing slash, when known. */
  siteUrl?: string;
  /** Subscription endpoint base ("…/api"). */
  subscribeEndpoint?: string;
  /** Language of the page chrome (config `digest.lang`; its catalogue, or English when there is none). */
  lang: string;
  /** What the subscribe form lets a reader choose (topics, frequency, stories per mail); absent: the address only. */
  subscribeChoices?: SubscribeChoices;
  /** Lead images on the page (config `site.images.page`). */
  images?: boolean;
}

export type SubscribeChoices = PreferenceFieldChoices & { defaultMaxStories: number };

export interface ShellOptions {
  title: string;
  description?: string;
  /** Path of this page relative to the site root (for the canonical link). */
  path: string;
  main: SafeHtml;
  /** Extra markup at the end of <head>. */
  head?: SafeHtml;
  /** Footer content above the generator line. */
  footer?: SafeHtml;
  /** Extra markup at the very end of <body> (the search page's script tag). */
  tail?: SafeHtml;
}

/** Absolute URL of a site path when the site URL is known. */
export function absoluteSiteUrl(ctx: Pick<PageContext, 'siteUrl'>, path: string): string | undefined {
  if (!ctx.siteUrl) return undefined;
  return safeHttpUrl(`${ctx.siteUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
}

export function renderShell(ctx: PageContext, page: ShellOptions): string {
  const r = ctx.root;
  const t = chromeFor(ctx.lang);
  const canonical = absoluteSiteUrl(ctx, page.path);
  const doc = markup`<!doctype html>
<html lang="${t.lang}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${page.title}</title>
${page.description ? markup`<meta name="description" content="${page.description}">\n` : ''}<link rel="stylesheet" href="${r}${ctx.assets.css}">
<link rel="icon" href="${r}${ctx.assets.icon}" type="image/svg+xml">
<link rel="alternate" type="application/atom+xml" title="${t.text('atomFeedTitle', { title: ctx.siteTitle })}" href="${r}feed.xml">
<link rel="alternate" type="application/feed+json" title="${t.text('jsonFeedTitle', { title: ctx.siteTitle })}" href="${r}feed.json">
${canonical ? markup`<link rel="canonical" href="${canonical}">\n` : ''}${page.head ?? ''}</head>
<body>
<a class="skip" href="#main">${t.text('skipToContent')}</a>
<header class="top"><div class="w">
<a class="brand" href="${r}index.html"><bdi>${ctx.siteTitle}</bdi></a>
<nav aria-label="${t.text('siteNavigation')}"><a href="${r}index.html">${t.text('navLatest')}</a><a href="${r}archive.html">${t.text('navArchive')}</a><a href="${r}feed.xml">${t.text('navFeed')}</a></nav>
<form role="search" action="${r}search.html" method="get"><label class="vh" for="site-q">${t.text('searchAllDigests')}</label><input id="site-q" name="q" type="search" placeholder="${t.text('searchAllDigests')}" dir="auto"><button type="submit">${t.text('searchButton')}</button></form>
</div></header>
<main id="main" class="w">
${page.main}
</main>
<footer class="w">
${page.footer ?? ''}<p>${t.text('madeBy')} · <a href="${r}feed.xml">${t.text('atomFeed')}</a> · <a href="${r}feed.json">${t.text('jsonFeed')}</a></p>
</footer>
${page.tail ?? ''}</body>
</html>
`;
  return doc.value;
}

/** The plain HTML subscribe form (works without JavaScript); nothing when no endpoint is set. */
export function renderSubscribeForm(ctx: PageContext): SafeHtml | string {
  const endpoint = ctx.subscribeEndpoint ? safeHttpUrl(`${ctx.subscribeEndpoint.replace(/\/+$/, '')}/subscribe`) : undefined;
  if (!endpoint) return '';
  const t = chromeFor(ctx.lang);
  return markup`<aside class="sub" aria-labelledby="sub-h"><h2 id="sub-h">${t.text('subscribeHeading')}</h2>
<form method="post" action="${endpoint}"><label for="sub-email">${t.text('subscribeLabel')}</label><input id="sub-email" name="email" type="email" required maxlength="254" autocomplete="email" dir="ltr">${renderSubscribeChoices(ctx.subscribeChoices, t)}<button type="submit">${t.text('subscribeButton')}</button></form>
</aside>
`;
}

/** The optional choices of the subscribe form, folded away: the address alone is enough. */
function renderSubscribeChoices(choices: SubscribeChoices | undefined, t: Chrome): SafeHtml | string {
  if (!choices) return '';
  const defaults = { frequency: 'daily' as const, weekday: choices.weekdays[0] ?? '', maxStories: choices.defaultMaxStories };
  return markup`<details class="choices"><summary>${t.text('prefSubscribeChoices')}</summary>
${renderPreferenceFields(defaults, choices, t, 'sub')}</details>`;
}
