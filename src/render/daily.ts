/**
 * The daily page: top stories first, then sections by category (or by feed when a story has no
 * category). Every story carries its own lang/dir; source names and other strings of unknown
 * direction sit in <bdi> so punctuation and numbers stay on the right side.
 */
import { dirForLang } from '../lang';
import type { Digest, DigestFeedStatus, DigestStory } from '../types';
import { cleanLine, markup, primaryLang, safeDir, safeHttpUrl, safeLang, type SafeHtml } from './html';
import { formatLongDate, formatStoryTime, isoOrUndefined, plural } from './format';
import { renderShell, renderSubscribeForm, type PageContext } from './layout';
import { dayPagePath } from './site-paths';
import { renderStorySources } from './story-sources';

/** Stories in "Top stories": a third of the digest, between 1 and this many. */
export const MAX_TOP_STORIES = 5;
/** A failed feed's error message is cut to this many characters in the operator footer. */
const MAX_ERROR_CHARS = 140;

export interface DigestSection {
  id: string;
  heading: string;
  stories: DigestStory[];
}

/** Top stories, then one section per category/feed, ordered by each section's best-ranked story. */
export function sectionsFor(stories: DigestStory[]): DigestSection[] {
  if (stories.length === 0) return [];
  const topCount = stories.length <= 3 ? stories.length : Math.min(MAX_TOP_STORIES, Math.ceil(stories.length / 3));
  const sections: DigestSection[] = [{ id: 'top', heading: 'Top stories', stories: stories.slice(0, topCount) }];
  const byName = new Map<string, DigestSection>();
  for (const story of stories.slice(topCount)) {
    const heading = cleanLine(story.category) || cleanLine(story.source) || 'More stories';
    let section = byName.get(heading);
    if (!section) {
      section = { id: `s${byName.size + 1}`, heading, stories: [] };
      byName.set(heading, section);
      sections.push(section);
    }
    section.stories.push(story);
  }
  return sections;
}

const isFeedText = (s: DigestStory): boolean => s.summaryKind === 'feed' || s.contentSource === 'feed';

/** One story. `pageLang` is the chrome's language, used to label the meta line in foreign stories. */
export function renderStory(story: DigestStory, timeZone: string, digestDate: string, pageLang: string): SafeHtml {
  const lang = safeLang(story.lang);
  const dir = safeDir(story.dir);
  const href = safeHttpUrl(story.url);
  const title = cleanLine(story.title) || cleanLine(story.url) || 'Untitled';
  const time = formatStoryTime(story.publishedAt, timeZone, digestDate);
  const iso = isoOrUndefined(story.publishedAt);
  // The meta line is chrome (English words) inside the story's direction.
  const metaLang = primaryLang(lang) === primaryLang(pageLang) ? '' : markup` lang="${pageLang}"`;
  const meta: (SafeHtml | string)[] = [markup`<bdi>${cleanLine(story.source) || 'Unknown source'}</bdi>`];
  const byline = cleanLine(story.authors?.map((a) => a.name).join(', ') || story.byline);
  if (byline) meta.push(markup`<bdi>by ${byline}</bdi>`);
  if (time && iso) meta.push(markup`<time datetime="${iso}">${time}</time>`);
  if (story.readingMinutes > 0) meta.push(markup`<bdi>${story.readingMinutes} min read</bdi>`);
  if (isFeedText(story)) meta.push(markup`<bdi class="f">summary from feed text</bdi>`);
  const summary = (story.summary ?? []).map(cleanLine).filter(Boolean).join(' ');
  // A summary (and title) written in digest.summaryLanguage carries that language and direction;
  // the original title stays beside the translated one.
  const summaryLang = story.summaryLang ? safeLang(story.summaryLang) : '';
  const translatedAttrs = summaryLang ? markup` lang="${summaryLang}" dir="${dirForLang(summaryLang)}"` : '';
  const translated = summaryLang ? cleanLine(story.translatedTitle ?? '') : '';
  const heading = translated ? markup`<span${translatedAttrs}>${translated}</span>` : title;
  const original = translated ? markup`<p class="o"><bdi>${title}</bdi></p>` : '';
  const earlier = story.updateOf && /^\d{4}-\d{2}-\d{2}$/.test(story.updateOf.date);
  if (story.updateOf && earlier)
    meta.push(
      markup`<bdi>update of a story of <time datetime="${story.updateOf.date}">${formatLongDate(story.updateOf.date)}</time></bdi>`,
    );
  const update = story.updateOf ? markup`<span class="up"${metaLang}>Update:</span> ` : '';
  return markup`<article lang="${lang}" dir="${dir}"><h3>${update}${href ? markup`<a href="${href}">${heading}</a>` : heading}</h3>${original}<p class="m"${metaLang}>${meta.map((m, i) => (i ? markup` · ${m}` : m))}</p>${renderStorySources(
    story,
    metaLang,
  )}${summary ? markup`<p${translatedAttrs}>${summary}</p>` : ''}</article>
`;
}

/** The stories of a digest as sections (also the content of the Atom and JSON Feed entries). */
export function renderSections(digest: Digest, pageLang: string, headingId = true): SafeHtml {
  return markup`${sectionsFor(digest.stories).map(
    (
      s,
    ) => markup`<section${headingId ? markup` aria-labelledby="${s.id}"` : ''}><h2${headingId ? markup` id="${s.id}"` : ''} dir="auto">${s.heading}</h2>
${s.stories.map((story) => renderStory(story, digest.timezone, digest.date, pageLang))}</section>
`,
  )}`;
}

function renderFailedFeeds(feeds: DigestFeedStatus[]): SafeHtml | string {
  const failed = feeds.filter((f) => f.status === 'error');
  if (failed.length === 0) return '';
  return markup`<details class="ops"><summary>${plural(failed.length, 'feed')} of ${feeds.length} failed today</summary><ul>${failed.map(
    (f) => {
      const what = [f.errorClass, f.httpStatus ? `HTTP ${f.httpStatus}` : ''].filter(Boolean).join(', ');
      const message = cleanLine(f.error).slice(0, MAX_ERROR_CHARS);
      return markup`<li><bdi>${cleanLine(f.name) || cleanLine(f.url)}</bdi>${what ? markup` (${what})` : ''}${message ? markup`: <bdi>${message}</bdi>` : ''}</li>`;
    },
  )}</ul></details>
`;
}

export interface DailyPageOptions {
  /** Date of the previous digest in the archive, for the "previous day" link. */
  previousDate?: string;
  /** Path of this page relative to the site root ("2026/11/29/index.html" or "index.html"). */
  path: string;
  /** A notice above the stories (the feeds could not be reached: this is an earlier edition). */
  notice?: string;
}

export function renderDailyPage(digest: Digest, ctx: PageContext, options: DailyPageOptions): string {
  const r = ctx.root;
  const title = cleanLine(digest.title) || ctx.siteTitle;
  const longDate = formatLongDate(digest.date);
  const feedsUsed = new Set(digest.stories.flatMap((s) => (s.sources ?? []).map((x) => x.feedUrl))).size;
  const sections = sectionsFor(digest.stories);
  const updated = formatStoryTime(digest.generatedAt, digest.timezone, digest.date);
  const notice = options.notice ? markup`<p class="notice" role="status">${cleanLine(options.notice)}</p>\n` : '';
  const empty = options.notice ? '' : markup`<p>No new stories today.</p>\n`;
  const main = markup`${notice}<h1><bdi>${title}</bdi> <time datetime="${digest.date}">${longDate}</time></h1>
<p class="lede">${plural(digest.stories.length, 'story', 'stories')}${feedsUsed ? ` from ${plural(feedsUsed, 'feed')}` : ''}${
    updated
      ? markup` · updated <time datetime="${isoOrUndefined(digest.generatedAt)}">${updated}</time> <bdi>${cleanLine(digest.timezone)}</bdi>`
      : ''
  }.</p>
${
  sections.length > 1
    ? markup`<nav class="toc" aria-label="Sections">${sections.map((s) => markup`<a href="#${s.id}"><bdi>${s.heading}</bdi></a>`)}</nav>\n`
    : ''
}${digest.stories.length ? renderSections(digest, ctx.lang) : empty}${renderSubscribeForm(ctx)}`;
  const footer = markup`<nav aria-label="Days">${
    options.previousDate ? markup`<a rel="prev" href="${r}${dayPagePath(options.previousDate)}">← Previous day</a>` : ''
  }<a href="${r}archive.html">Every day</a><a href="${r}search.html">Search</a></nav>
${renderFailedFeeds(digest.feeds ?? [])}`;
  return renderShell(ctx, {
    title: `${title} — ${longDate}`,
    description: `${title}: ${plural(digest.stories.length, 'story', 'stories')} on ${longDate}.`,
    path: options.path,
    main,
    footer,
  });
}
