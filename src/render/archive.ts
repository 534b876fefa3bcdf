/** site/archive.html: every day, newest first, grouped by month, with story counts. */
import { cleanLine, markup, safeDir, safeLang } from './html';
import { formatMonth, formatShortDate, plural } from './format';
import { renderShell, type PageContext } from './layout';
import { dayPagePath } from './site-paths';
import { renderWeekLinks } from './weekly';

/** What the archive remembers of one day (kept in state/site/archive.json). */
export interface ArchiveDay {
  date: string;
  title: string;
  stories: number;
  feedsFailed: number;
  top?: { title: string; lang: string; dir: string };
}

/** `weeks`: the weekly editions in the store ("2026-W49"), listed above the days. */
export function renderArchivePage(days: ArchiveDay[], ctx: PageContext, weeks: string[] = []): string {
  const sorted = [...days].sort((a, b) => b.date.localeCompare(a.date));
  const months = new Map<string, ArchiveDay[]>();
  for (const d of sorted) {
    const m = d.date.slice(0, 7);
    months.set(m, [...(months.get(m) ?? []), d]);
  }
  const total = sorted.reduce((n, d) => n + d.stories, 0);
  const main = markup`<h1>Archive</h1>
<p class="lede">${plural(sorted.length, 'day')}, ${plural(total, 'story', 'stories')}. <a href="search.html">Search them all</a>.</p>
${renderWeekLinks(weeks)}
${[...months].map(
  ([
    month,
    list,
  ]) => markup`<section aria-labelledby="m${month}"><h2 id="m${month}">${formatMonth(month)}</h2><ul class="days">${list.map(
    (d) =>
      markup`<li><a href="${dayPagePath(d.date)}"><time datetime="${d.date}">${formatShortDate(d.date)}</time></a> · ${plural(d.stories, 'story', 'stories')}${
        d.top ? markup` · <bdi lang="${safeLang(d.top.lang)}" dir="${safeDir(d.top.dir)}">${cleanLine(d.top.title)}</bdi>` : ''
      }</li>`,
  )}</ul></section>
`,
)}${sorted.length ? '' : markup`<p>No digests yet.</p>\n`}`;
  return renderShell(ctx, {
    title: `Archive — ${ctx.siteTitle}`,
    description: `Every ${ctx.siteTitle} digest.`,
    path: 'archive.html',
    main,
  });
}

export function renderSearchPage(ctx: PageContext): string {
  const main = markup`<h1>Search</h1>
<form id="search-form" role="search" action="search.html" method="get"><label for="search-q">Search every digest (English, Arabic, Hebrew and more)</label><input id="search-q" name="q" type="search" dir="auto" autocomplete="off"><button type="submit">Search</button></form>
<p id="search-status" role="status">Search runs in your browser and needs JavaScript. The <a href="archive.html">archive</a> lists every day.</p>
<ol id="search-results" class="res"></ol>
`;
  return renderShell(ctx, {
    title: `Search — ${ctx.siteTitle}`,
    path: 'search.html',
    main,
    head: markup`<meta name="rss-digest-search" content="search/index.json">\n`,
    tail: markup`<script src="${ctx.assets.searchJs}" defer></script>\n`,
  });
}

/**
 * site/404.html: what CloudFront (and `rss-digest serve`) answer for a page that does not exist.
 * Served at any depth, so its links are root-relative (ctx.root "/").
 */
export function renderNotFoundPage(ctx: PageContext): string {
  const main = markup`<h1>Page not found</h1>
<p class="lede">There is no digest page at this address. The <a href="${ctx.root}index.html">latest digest</a> and the <a href="${ctx.root}archive.html">archive</a> list every day.</p>
`;
  return renderShell(ctx, { title: `Page not found — ${ctx.siteTitle}`, path: '404.html', main });
}
