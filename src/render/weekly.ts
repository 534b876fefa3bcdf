/**
 * The weekly edition on the site: site/YYYY/Www/index.html (the week's top stories, one entry per
 * story, ranked by coverage across the week) and site/weekly.xml (Atom, one entry per week). Pure:
 * editions in, text out. The chrome's words are in `WEEKLY_STRINGS`, in one place.
 */
import type { WeeklyEdition, WeeklyStory } from '../types';
import { cleanLine, escapeXml, markup, type SafeHtml } from './html';
import { formatLongDate, formatShortDate } from './format';
import { absoluteSiteUrl, renderShell, renderSubscribeForm, type PageContext } from './layout';
import { renderStory } from './daily';
import { uuidUrn, type FeedContext } from './feeds';
import { dayPagePath } from './site-paths';

/** "1 story", "3 stories" (English: these words are not in the message catalogue yet). */
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export const WEEKLY_STRINGS = Object.freeze({
  heading: (week: string) => `Week ${week.slice(-2).replace(/^0/, '')}, ${week.slice(0, 4)}`,
  range: (from: string, to: string) => `${formatLongDate(from)} to ${formatLongDate(to)}`,
  lede: (stories: number, days: number) =>
    `The week’s top ${plural(stories, 'story', 'stories')}, ranked by how many sources covered them, from ${plural(days, 'daily digest')}.`,
  growing: 'This edition grows through the week: each day’s run adds its stories.',
  ranOn: 'Ran on',
  none: 'No stories this week yet.',
  feedTitle: (title: string) => `${title} — weekly`,
  feedSubtitle: (title: string) => `${title}: one entry per week`,
  archiveHeading: 'Weekly editions',
  topHeading: 'Top stories of the week',
  pageTitle: (heading: string, title: string) => `${heading} — ${title}`,
});

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
function ranOn(story: WeeklyStory, root: string): SafeHtml {
  return markup`<p class="m">${WEEKLY_STRINGS.ranOn} ${story.days.map(
    (d, i) => markup`${i ? ' · ' : ''}<a href="${root}${dayPagePath(d)}"><time datetime="${d}">${formatShortDate(d)}</time></a>`,
  )}</p>`;
}

function renderWeeklyStories(edition: WeeklyEdition, root: string, lang: string, images?: boolean): SafeHtml {
  return markup`${edition.stories.map(
    (s) =>
      markup`${renderStory(s, { timeZone: edition.timezone, digestDate: s.days[0] ?? edition.to, pageLang: lang, images })}${ranOn(s, root)}\n`,
  )}`;
}

export function renderWeeklyPage(edition: WeeklyEdition, ctx: PageContext): string {
  const heading = WEEKLY_STRINGS.heading(edition.week);
  const main = markup`<h1>${heading}</h1>
<p class="lede"><time datetime="${edition.from}">${WEEKLY_STRINGS.range(edition.from, edition.to)}</time>. ${WEEKLY_STRINGS.lede(edition.stories.length, edition.dates.length)} ${WEEKLY_STRINGS.growing}</p>
<section aria-labelledby="top"><h2 id="top">${WEEKLY_STRINGS.topHeading}</h2>
${edition.stories.length ? renderWeeklyStories(edition, ctx.root, ctx.lang, ctx.images) : markup`<p>${WEEKLY_STRINGS.none}</p>`}</section>
${renderSubscribeForm(ctx)}`;
  return renderShell(ctx, {
    title: WEEKLY_STRINGS.pageTitle(heading, ctx.siteTitle),
    description: WEEKLY_STRINGS.range(edition.from, edition.to),
    path: weekPagePath(edition.week),
    main,
    head: markup`<link rel="alternate" type="application/atom+xml" title="${WEEKLY_STRINGS.feedTitle(ctx.siteTitle)}" href="${ctx.root}weekly.xml">\n`,
  });
}

/** The archive's list of weeks, newest first (nothing when there is none). */
export function renderWeekLinks(weeks: string[]): SafeHtml | string {
  if (weeks.length === 0) return '';
  const sorted = [...weeks].sort().reverse();
  return markup`<section aria-labelledby="weeks"><h2 id="weeks">${WEEKLY_STRINGS.archiveHeading}</h2><ul class="days">${sorted.map(
    (w) => markup`<li><a href="${weekPagePath(w)}">${WEEKLY_STRINGS.heading(w)}</a></li>`,
  )}</ul></section>
`;
}

const entryUpdated = (e: WeeklyEdition): string =>
  Number.isFinite(Date.parse(e.generatedAt)) ? new Date(e.generatedAt).toISOString() : `${e.to}T00:00:00.000Z`;

/** site/weekly.xml: editions newest first (the caller passes at most WEEKLY_FEED_ENTRIES); an entry's id stays the same as the week grows. */
export function renderWeeklyAtom(editions: WeeklyEdition[], ctx: FeedContext): string {
  const x = escapeXml;
  const title = cleanLine(ctx.siteTitle);
  const updated = editions.map(entryUpdated).reduce((max, t) => (t > max ? t : max), '1970-01-01T00:00:00.000Z');
  const self = absoluteSiteUrl(ctx, 'weekly.xml');
  const home = absoluteSiteUrl(ctx, '');
  const entries = editions.map((e) => {
    const link = absoluteSiteUrl(ctx, weekPagePath(e.week)) ?? weekPagePath(e.week);
    const id = absoluteSiteUrl(ctx, weekPagePath(e.week)) ?? uuidUrn('rss-digest-weekly', ctx.siteTitle, e.week);
    const summary = `${plural(e.stories.length, 'story', 'stories')}${e.stories.length ? ': ' : '.'}${e.stories
      .slice(0, 5)
      .map((s) => cleanLine(s.title))
      .join(' · ')}`;
    return `  <entry>
    <id>${x(id)}</id>
    <title>${x(`${title} — ${WEEKLY_STRINGS.heading(e.week)}`)}</title>
    <link rel="alternate" type="text/html" href="${x(link)}"/>
    <published>${e.from}T00:00:00.000Z</published>
    <updated>${entryUpdated(e)}</updated>
    <summary>${x(summary)}</summary>
    <content type="html">${x(renderWeeklyStories(e, absoluteSiteUrl(ctx, '') ?? '', ctx.lang).value)}</content>
  </entry>
`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${x(ctx.lang)}">
  <id>${x(self ?? uuidUrn('rss-digest-weekly', ctx.siteTitle))}</id>
  <title>${x(WEEKLY_STRINGS.feedTitle(title))}</title>
  <subtitle>${x(WEEKLY_STRINGS.feedSubtitle(title))}</subtitle>
  <updated>${updated}</updated>
  <author><name>${x(title)}</name></author>
  <generator>rss-digest</generator>
${self ? `  <link rel="self" type="application/atom+xml" href="${x(self)}"/>\n` : ''}  <link rel="alternate" type="text/html" href="${x(home ?? 'index.html')}"/>
${entries.join('')}</feed>
`;
}
