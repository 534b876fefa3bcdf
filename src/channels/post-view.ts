/**
 * What a chat post of the day holds, whatever the platform: the digest's title and date, its best
 * ranked stories (title, source, link, the summary's first sentence) and a link to the day's page
 * for the rest. The platforms' formatters (slack.ts, discord.ts…) lay this out.
 */
import { chromeFor } from '../i18n';
import { cleanLine, primaryLang, safeHttpUrl } from '../render/html';
import { segmentSentences } from '../summarize/sentences';
import type { Digest, DigestStory, TextDirection } from '../types';

export interface PostStory {
  title: string;
  /** The feed that carried it (the story's best source). */
  source: string;
  /** An absolute http(s) link, or undefined (an entry without a page of its own). */
  url?: string;
  /** The summary's first sentence (may be empty). */
  sentence: string;
  lang: string;
  dir: TextDirection;
}

export interface PostView {
  /** The post's own words, in the digest's language. */
  labels: PostLabels;
  title: string;
  date: string;
  /** The day's page on the site. */
  dayUrl: string;
  stories: PostStory[];
  /** Stories of the day that the post does not hold (the page has them). */
  more: number;
}

/** Words of the post that are not the digest's, from the catalogue of the chrome's language (digest.lang). */
export interface PostLabels {
  readAll: string;
  /** "And 75 more stories on the site" */
  more(count: number): string;
  /** "3 stories" */
  stories(count: number): string;
}

export function postLabels(lang: string): PostLabels {
  const t = chromeFor(lang);
  return {
    readAll: t.text('postReadAll'),
    more: (count) => t.count('postMore', count),
    stories: (count) => t.count('storyCount', count),
  };
}

/** The day's `maxStories` best stories, as every platform's post starts from; its words in `lang` (English when absent). */
export function postView(digest: Digest, options: { dayUrl: string; maxStories: number; lang?: string }): PostView {
  const chosen = digest.stories.slice(0, options.maxStories);
  return {
    labels: postLabels(options.lang ?? 'en'),
    title: cleanLine(digest.title),
    date: digest.date,
    dayUrl: options.dayUrl,
    stories: chosen.map(postStory),
    more: digest.stories.length - chosen.length,
  };
}

/** The same post with only its first `count` stories (a platform's limits leave no room for more). */
export const firstStories = (view: PostView, count: number): PostView => ({
  ...view,
  stories: view.stories.slice(0, count),
  more: view.more + Math.max(0, view.stories.length - count),
});

/**
 * The largest post, in stories, that `fits` (a platform's limits), laid out by `render`. Stories
 * are dropped from the end (the lowest ranked); the "and K more" line counts them.
 */
export function fitPost<T>(view: PostView, render: (view: PostView) => T, fits: (payload: T) => boolean): T {
  for (let count = view.stories.length; count > 0; count--) {
    const payload = render(firstStories(view, count));
    if (fits(payload)) return payload;
  }
  return render(firstStories(view, 0));
}

function postStory(story: DigestStory): PostStory {
  const summaryLang = story.summaryLang ?? story.lang;
  return {
    title: cleanLine(story.translatedTitle ?? story.title),
    source: cleanLine(story.source),
    url: safeHttpUrl(story.url),
    sentence: firstSentence(story.summary[0] ?? '', summaryLang),
    lang: story.lang,
    dir: story.dir,
  };
}

/** An LLM summary may come as one string of several sentences: the first, split by the news-aware splitter. */
function firstSentence(text: string, lang: string): string {
  const clean = cleanLine(text);
  if (!clean) return '';
  return segmentSentences(clean, primaryLang(lang) || 'und')[0]?.text ?? clean;
}

/**
 * `text` cut so that `measure(escape(result))` is at most `max`, at a character (never inside a
 * surrogate pair), with "…" marking the cut. `measure` defaults to UTF-16 code units, as Slack,
 * Discord and Telegram count.
 */
export function fitText(
  text: string,
  max: number,
  escape: (s: string) => string = (s) => s,
  measure: (s: string) => number = (s) => s.length,
): string {
  if (measure(escape(text)) <= max) return text;
  const chars = Array.from(text);
  let low = 0;
  let high = chars.length;
  // Escaped length grows with the prefix: the longest prefix that fits, by bisection.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(escape(chars.slice(0, mid).join('').trimEnd() + '…')) <= max) low = mid;
    else high = mid - 1;
  }
  return low === 0 ? '' : chars.slice(0, low).join('').trimEnd() + '…';
}
