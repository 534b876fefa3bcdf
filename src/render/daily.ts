/**
 * The daily page: top stories first, then sections by category (or by feed when a story has no
 * category). Every story carries its own lang/dir; source names and other strings of unknown
 * direction sit in <bdi> so punctuation and numbers stay on the right side.
 */
import { chromeFor, type Chrome } from '../i18n';
import { dirForLang } from '../lang';
import type { Digest, DigestFeedStatus, DigestStory } from '../types';
import { cleanLine, markup, primaryLang, safeDir, safeHttpUrl, safeLang, type SafeHtml } from './html';
import { formatLongDate, formatStoryTime, isoOrUndefined } from './format';
import { renderShell, renderSubscribeForm, type PageContext } from './layout';
import { renderLeadImage } from './lead-image';
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
export function sectionsFor(stories: DigestStory[], t: Chrome = chromeFor('en')): DigestSection[] {
  if (stories.length === 0) return [];
  const topCount = stories.length <= 3 ? stories.length : Math.min(MAX_TOP_STORIES, Math.ceil(stories.length / 3));
  const sections: DigestSection[] = [{ id: 'top', heading: t.text('topStories'), stories: stories.slice(0, topCount) }];
  const byName = new Map<string, DigestSection>();
  for (const story of stories.slice(topCount)) {
    const heading = cleanLine(story.category) || cleanLine(story.source) || t.text('moreStories');
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

/** What a story's rendering needs of the page around it. */
export interface StoryContext {
  timeZone: string;
  digestDate: string;
  /** The chrome's language (config digest.lang), used to label the meta line in foreign stories. */
  pageLang: string;
  /** Show lead images (config site.images.page). */
  images?: boolean;
}

/** One story. */
export function renderStory(story: DigestStory, context: StoryContext): SafeHtml {
  const t = chromeFor(context.pageLang);
  const lang = safeLang(story.lang);
  const dir = safeDir(story.dir);
  const href = safeHttpUrl(story.url);
  const title = cleanLine(story.title) || cleanLine(story.url) || t.text('untitled');
  const time = formatStoryTime(story.publishedAt, context.timeZone, context.digestDate, t.locale);
  const iso = isoOrUndefined(story.publishedAt);
  // The meta line is chrome inside the story's direction; it carries the chrome's language when the story's differs.
  const metaLang = primaryLang(lang) === primaryLang(t.lang) ? '' : markup` lang="${t.lang}"`;
  const meta: (SafeHtml | string)[] = [markup`<bdi>${cleanLine(story.source) || t.text('unknownSource')}</bdi>`];
  const byline = cleanLine(story.authors?.map((a) => a.name).join(t.text('listSeparator')) || story.byline);
  if (byline) meta.push(markup`<bdi>${t.text('byline', { names: byline })}</bdi>`);
  if (time && iso) meta.push(markup`<time datetime="${iso}">${time}</time>`);
  if (story.readingMinutes > 0) meta.push(markup`<bdi>${t.count('readingMinutes', story.readingMinutes)}</bdi>`);
  if (isFeedText(story)) meta.push(markup`<bdi class="f">${t.text('fromFeedText')}</bdi>`);
  const summary = (story.summary ?? []).map(cleanLine).filter(Boolean).join(' ');
  // A summary (and title) written in digest.summaryLanguage carries that language and direction;
  // the original title stays beside the translated one.
  const summaryLang = story.summaryLang ? safeLang(story.summaryLang) : '';
  const translatedAttrs = summaryLang ? markup` lang="${summaryLang}" dir="${dirForLang(summaryLang)}"` : '';
  const translated = summaryLang ? cleanLine(story.translatedTitle ?? '') : '';
  const heading = translated ? markup`<span${translatedAttrs}>${translated}</span>` : title;
  const original = translated ? markup`<p class="o"><bdi>${title}</bdi></p>` : '';
  const earlier = story.updateOf && /^\d{4}-\d{2}-\d{2}$/.test(story.updateOf.date);
  if (story.updateOf && earlier) {
    const date = markup`<time datetime="${story.updateOf.date}">${formatLongDate(story.updateOf.date, t.locale)}</time>`;
    meta.push(markup`<bdi>${t.html('updateOf', { date })}</bdi>`);
  }
  const update = story.updateOf ? markup`<span class="up"${metaLang}>${t.text('updateLabel')}</span> ` : '';
  const image = context.images ? renderLeadImage(story) : '';
  return markup`<article lang="${lang}" dir="${dir}"><h3>${update}${href ? markup`<a href="${href}">${heading}</a>` : heading}</h3>${original}<p class="m"${metaLang}>${meta.map((m, i) => (i ? markup` · ${m}` : m))}</p>${renderStorySources(
    story,
    t,
    metaLang,
  )}${image}${summary ? markup`<p${translatedAttrs}>${summary}</p>` : ''}</article>
`;
}

/** The stories of a digest as sections (also the content of the Atom and JSON Feed entries). */
export function renderSections(
  digest: Digest,
  pageLang: string,
  options: { headingId?: boolean; images?: boolean } = {},
): SafeHtml {
  const headingId = options.headingId ?? true;
  const context: StoryContext = { timeZone: digest.timezone, digestDate: digest.date, pageLang, images: options.images };
  return markup`${sectionsFor(digest.stories, chromeFor(pageLang)).map(
    (
      s,
    ) => markup`<section${headingId ? markup` aria-labelledby="${s.id}"` : ''}><h2${headingId ? markup` id="${s.id}"` : ''} dir="auto">${s.heading}</h2>
${s.stories.map((story) => renderStory(story, context))}</section>
`,
  )}`;
}

function renderFailedFeeds(feeds: DigestFeedStatus[], t: Chrome): SafeHtml | string {
  const failed = feeds.filter((f) => f.status === 'error');
  if (failed.length === 0) return '';
  return markup`<details class="ops"><summary>${t.count('feedsFailedToday', failed.length, { total: feeds.length })}</summary><ul>${failed.map(
    (f) => {
      const what = [f.errorClass, f.httpStatus ? `HTTP ${f.httpStatus}` : ''].filter(Boolean).join(', ');
      const message = cleanLine(f.error).slice(0, MAX_ERROR_CHARS);
      return markup`<li><bdi>${cleanLine(f.name) || cleanLine(f.url)}</bdi>${what ? markup` (<span dir="ltr">${what}</span>)` : ''}${message ? markup`: <bdi>${message}</bdi>` : ''}</li>`;
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
  const t = chromeFor(ctx.lang);
  const title = cleanLine(digest.title) || ctx.siteTitle;
  const longDate = formatLongDate(digest.date, t.locale);
  const feedsUsed = new Set(digest.stories.flatMap((s) => (s.sources ?? []).map((x) => x.feedUrl))).size;
  const sections = sectionsFor(digest.stories, t);
  const updated = formatStoryTime(digest.generatedAt, digest.timezone, digest.date, t.locale);
  const notice = options.notice ? markup`<p class="notice" role="status">${cleanLine(options.notice)}</p>\n` : '';
  const empty = options.notice ? '' : markup`<p>${t.text('noNewStories')}</p>\n`;
  const stories = t.count('storyCount', digest.stories.length);
  const counts = feedsUsed ? t.text('storiesFromFeeds', { stories, feeds: t.count('feedCount', feedsUsed) }) : stories;
  const updatedLine = updated
    ? markup` · ${t.html('updatedAt', {
        time: markup`<time datetime="${isoOrUndefined(digest.generatedAt)}">${updated}</time>`,
        zone: markup`<bdi>${cleanLine(digest.timezone)}</bdi>`,
      })}`
    : '';
  const main = markup`${notice}<h1><bdi>${title}</bdi> <time datetime="${digest.date}">${longDate}</time></h1>
<p class="lede">${counts}${updatedLine}${t.text('sentenceEnd')}</p>
${
  sections.length > 1
    ? markup`<nav class="toc" aria-label="${t.text('sectionsNavigation')}">${sections.map((s) => markup`<a href="#${s.id}"><bdi>${s.heading}</bdi></a>`)}</nav>\n`
    : ''
}${digest.stories.length ? renderSections(digest, ctx.lang, { images: ctx.images }) : empty}${renderSubscribeForm(ctx)}`;
  const footer = markup`<nav aria-label="${t.text('daysNavigation')}">${
    options.previousDate ? markup`<a rel="prev" href="${r}${dayPagePath(options.previousDate)}">${t.text('previousDay')}</a>` : ''
  }<a href="${r}archive.html">${t.text('everyDay')}</a><a href="${r}search.html">${t.text('searchButton')}</a></nav>
${renderFailedFeeds(digest.feeds ?? [], t)}`;
  return renderShell(ctx, {
    title: t.text('pageTitle', { title, date: longDate }),
    description: t.text('pageDescription', { title, stories, date: longDate }),
    path: options.path,
    main,
    footer,
  });
}
