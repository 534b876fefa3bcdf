/**
 * The weekly edition on the site: site/YYYY/Www/index.html (the week's top stories, one entry per
 * story, ranked by coverage across the week) and site/weekly.xml (Atom, one entry per week). Pure:
 * editions in, text out. The chrome's words come from the catalogue of the page's language.
 */
import { chromeFor, type Chrome } from '../i18n';
import type { WeeklyEdition, WeeklyStory } from '../types';
import { cleanLine, escapeXml, markup, type SafeHtml } from './html';
import { formatLongDate, formatShortDate } from './format';
import { absoluteSiteUrl, renderShell, renderSubscribeForm, type PageContext } from './layout';
import { renderStory } from './daily';
import { uuidUrn, type FeedContext } from './feeds';
import { dayPagePath } from './site-paths';

/** "Week 49, 2026" for "2026-W49", in the chrome's words and digits (the year without grouping). */
export function weekHeading(week: string, t: Chrome): string {
  const year = new Intl.NumberFormat(t.locale, { useGrouping: false }).format(Number(week.slice(0, 4)));
  return t.text('weekHeading', { week: t.number(Number(week.slice(-2))), year });
}

/** "Monday, 30 November 2026 to Sunday, 6 December 2026", dates as the daily page writes them. */
const weekRange = (from: string, to: string, t: Chrome): string =>
  t.text('weekRange', { from: formatLongDate(from, t.locale), to: formatLongDate(to, t.locale) });

/** Weekly editions carried by site/weekly.xml. */
export const WEEKLY_FEED_ENTRIES = 10;

/** "2026/W49" for "2026-W49": the week's folder under site/. */
export const weekPath = (week: string): string => week.replace('-', '/');
/** The week's page relative to the site root: "2026/W49/index.html". */
export const weekPagePath = (week: string): string => `${weekPath(week)}/index.html`;
/** site/2026/W49/weekly.json: the edition's data */
export const weeklyKey = (week: string): string => `site/${weekPath(week)}/weekly.json`;
const WEEKLY_KEY = /^site\/(\d{4})\/W(\d{2})\/weekly\.json$/;

/** The weeks that have an edition in the store ("2026-W49"), from a listing of site/. */
export const weeksIn = (keys: string[]): string[] =>
  keys.flatMap((k) => {
    const m = WEEKLY_KEY.exec(k);
    return m ? [`${m[1]}-W${m[2]}`] : [];
  });

/** "Ran on Mon 30 Nov · Tue 1 Dec", each day linked to its page. */
function ranOn(story: WeeklyStory, root: string, t: Chrome): SafeHtml {
  const days = markup`${story.days.map(
    (d, i) =>
      markup`${i ? ' · ' : ''}<a href="${root}${dayPagePath(d)}"><time datetime="${d}">${formatShortDate(d, t.locale)}</time></a>`,
  )}`;
  return markup`<p class="m">${t.html('weekRanOn', { days })}</p>`;
}

function renderWeeklyStories(edition: WeeklyEdition, root: string, lang: string, images?: boolean): SafeHtml {
  const t = chromeFor(lang);
  return markup`${edition.stories.map(
    (s) =>
      markup`${renderStory(s, { timeZone: edition.timezone, digestDate: s.days[0] ?? edition.to, pageLang: lang, images })}${ranOn(s, root, t)}\n`,
  )}`;
}

export function renderWeeklyPage(edition: WeeklyEdition, ctx: PageContext): string {
  const t = chromeFor(ctx.lang);
  const heading = weekHeading(edition.week, t);
  const range = weekRange(edition.from, edition.to, t);
  const lede = t.count('weekLede', edition.stories.length, { digests: t.count('dailyDigestCount', edition.dates.length) });
  const main = markup`<h1>${heading}</h1>
<p class="lede"><time datetime="${edition.from}">${range}</time>${t.text('sentenceEnd')} ${lede} ${t.text('weekGrowing')}</p>
<section aria-labelledby="top"><h2 id="top">${t.text('weekTopHeading')}</h2>
${edition.stories.length ? renderWeeklyStories(edition, ctx.root, ctx.lang, ctx.images) : markup`<p>${t.text('weekNone')}</p>`}</section>
${renderSubscribeForm(ctx)}`;
  return renderShell(ctx, {
    title: t.text('weekPageTitle', { week: heading, title: ctx.siteTitle }),
    description: range,
    path: weekPagePath(edition.week),
    main,
    head: markup`<link rel="alternate" type="application/atom+xml" title="${t.text('weekFeedTitle', { title: ctx.siteTitle })}" href="${ctx.root}weekly.xml">\n`,
  });
}

/** The archive's list of weeks, newest first (nothing when there is none). */
export function renderWeekLinks(weeks: string[], lang: string): SafeHtml | string {
  if (weeks.length === 0) return '';
  const t = chromeFor(lang);
  const sorted = [...weeks].sort().reverse();
  return markup`<section aria-labelledby="weeks"><h2 id="weeks">${t.text('weekArchiveHeading')}</h2><ul class="days">${sorted.map(
    (w) => markup`<li><a href="${weekPagePath(w)}">${weekHeading(w, t)}</a></li>`,
  )}</ul></section>
`;
}

const entryUpdated = (e: WeeklyEdition): string =>
  Number.isFinite(Date.parse(e.generatedAt)) ? new Date(e.generatedAt).toISOString() : `${e.to}T00:00:00.000Z`;

/** site/weekly.xml: editions newest first (the caller passes at most WEEKLY_FEED_ENTRIES); an entry's id stays the same as the week grows. */
export function renderWeeklyAtom(editions: WeeklyEdition[], ctx: FeedContext): string {
  const x = escapeXml;
  const t = chromeFor(ctx.lang);
  const title = cleanLine(ctx.siteTitle);
  const updated = editions.map(entryUpdated).reduce((max, t) => (t > max ? t : max), '1970-01-01T00:00:00.000Z');
  const self = absoluteSiteUrl(ctx, 'weekly.xml');
  const home = absoluteSiteUrl(ctx, '');
  const entries = editions.map((e) => {
    const link = absoluteSiteUrl(ctx, weekPagePath(e.week)) ?? weekPagePath(e.week);
    const id = absoluteSiteUrl(ctx, weekPagePath(e.week)) ?? uuidUrn('rss-digest-weekly', ctx.siteTitle, e.week);
    const stories = t.count('storyCount', e.stories.length);
    const titles = e.stories
      .slice(0, 5)
      .map((s) => cleanLine(s.title))
      .join(' · ');
    const summary = e.stories.length ? t.text('feedEntrySummary', { stories, titles }) : t.text('feedEntryEmpty', { stories });
    return `  <entry>
    <id>${x(id)}</id>
    <title>${x(t.text('weekEntryTitle', { title, week: weekHeading(e.week, t) }))}</title>
    <link rel="alternate" type="text/html" href="${x(link)}"/>
    <published>${e.from}T00:00:00.000Z</published>
    <updated>${entryUpdated(e)}</updated>
    <summary>${x(summary)}</summary>
    <content type="html">${x(renderWeeklyStories(e, absoluteSiteUrl(ctx, '') ?? '', ctx.lang).value)}</content>
  </entry>
`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${x(t.lang)}">
  <id>${x(self ?? uuidUrn('rss-digest-weekly', ctx.siteTitle))}</id>
  <title>${x(t.text('weekFeedTitle', { title }))}</title>
  <subtitle>${x(t.text('weekFeedSubtitle', { title }))}</subtitle>
  <updated>${updated}</updated>
  <author><name>${x(title)}</name></author>
  <generator>rss-digest</generator>
${self ? `  <link rel="self" type="application/atom+xml" href="${x(self)}"/>\n` : ''}  <link rel="alternate" type="text/html" href="${x(home ?? 'index.html')}"/>
${entries.join('')}</feed>
`;
}
