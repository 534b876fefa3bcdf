/** site/archive.html: every day, newest first, grouped by month, with story counts. */
import { chromeFor, type Chrome } from '../i18n';
import { cleanLine, markup, safeDir, safeLang } from './html';
import { formatMonth, formatShortDate } from './format';
import { renderShell, type PageContext } from './layout';
import type { SearchScriptMessages } from './search-script';
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
  const t = chromeFor(ctx.lang);
  const sorted = [...days].sort((a, b) => b.date.localeCompare(a.date));
  const months = new Map<string, ArchiveDay[]>();
  for (const d of sorted) {
    const m = d.date.slice(0, 7);
    months.set(m, [...(months.get(m) ?? []), d]);
  }
  const total = sorted.reduce((n, d) => n + d.stories, 0);
  const counts = t.text('archiveCounts', { days: t.count('dayCount', sorted.length), stories: t.count('storyCount', total) });
  const main = markup`<h1>${t.text('archiveHeading')}</h1>
<p class="lede">${counts} <a href="search.html">${t.text('searchThemAll')}</a>${t.text('sentenceEnd')}</p>
${renderWeekLinks(weeks, ctx.lang)}
${[...months].map(
  ([
    month,
    list,
  ]) => markup`<section aria-labelledby="m${month}"><h2 id="m${month}">${formatMonth(month, t.locale)}</h2><ul class="days">${list.map(
    (d) =>
      markup`<li><a href="${dayPagePath(d.date)}"><time datetime="${d.date}">${formatShortDate(d.date, t.locale)}</time></a> · ${t.count('storyCount', d.stories)}${
        d.top ? markup` · <bdi lang="${safeLang(d.top.lang)}" dir="${safeDir(d.top.dir)}">${cleanLine(d.top.title)}</bdi>` : ''
      }</li>`,
  )}</ul></section>
`,
)}${sorted.length ? '' : markup`<p>${t.text('noDigestsYet')}</p>\n`}`;
  return renderShell(ctx, {
    title: t.text('archiveTitle', { title: ctx.siteTitle }),
    description: t.text('archiveDescription', { title: ctx.siteTitle }),
    path: 'archive.html',
    main,
  });
}

/** The words the search script shows, in the chrome's language (the script itself is one file for every language). */
export function searchScriptMessages(t: Chrome): SearchScriptMessages {
  return {
    lang: t.locale,
    prompt: t.text('searchPrompt'),
    searching: t.text('searching'),
    nothing: t.text('searchNothing'),
    failed: t.text('searchFailed'),
    found: t.forms('searchFound'),
    foundFirst: t.forms('searchFoundFirst'),
  };
}

export function renderSearchPage(ctx: PageContext): string {
  const t = chromeFor(ctx.lang);
  const archive = markup`<a href="archive.html">${t.text('searchArchiveLink')}</a>`;
  const main = markup`<h1>${t.text('searchHeading')}</h1>
<form id="search-form" role="search" action="search.html" method="get"><label for="search-q">${t.text('searchEveryDigest')}</label><input id="search-q" name="q" type="search" dir="auto" autocomplete="off"><button type="submit">${t.text('searchButton')}</button></form>
<p id="search-status" role="status" data-messages="${JSON.stringify(searchScriptMessages(t))}">${t.html('searchNeedsScript', { archive })}</p>
<ol id="search-results" class="res"></ol>
`;
  return renderShell(ctx, {
    title: t.text('searchTitle', { title: ctx.siteTitle }),
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
  const t = chromeFor(ctx.lang);
  const latest = markup`<a href="${ctx.root}index.html">${t.text('notFoundLatest')}</a>`;
  const archive = markup`<a href="${ctx.root}archive.html">${t.text('notFoundArchive')}</a>`;
  const main = markup`<h1>${t.text('notFoundHeading')}</h1>
<p class="lede">${t.html('notFoundText', { latest, archive })}</p>
`;
  return renderShell(ctx, { title: t.text('notFoundTitle', { title: ctx.siteTitle }), path: '404.html', main });
}
