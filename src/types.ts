/**
 * The data that flows between pipeline stages. Every stage takes and returns these plain
 * objects; nothing here knows about AWS, files or HTTP.
 */

export type TextDirection = 'ltr' | 'rtl';

/** A person an entry names as its author (`name` falls back to the email address). */
export interface Author {
  name: string;
  email?: string;
  url?: string;
}

/** One entry of a parsed feed, normalized (absolute http(s) link, ISO date, clean text). */
export interface FeedItem {
  /** Stable id: GUID, else the link of its own page, else a hash of its title, date and content. */
  id: string;
  title: string;
  /**
   * Absolute http(s) URL of the article page. An entry without one is kept and links elsewhere,
   * as `linkSource` says: its first other link ('other'), the feed's site ('site'), or nothing
   * ('none', `link` empty).
   */
  link: string;
  linkSource?: 'other' | 'site' | 'none';
  /** ISO 8601. Undated items get the fetch time; future dates are clamped to it. */
  publishedAt: string;
  /** The authors' names joined, for a byline. */
  author?: string;
  authors?: Author[];
  /** The feed's own content as HTML (untrusted; never rendered raw). */
  contentHtml?: string;
  /** The feed's own content as plain text. */
  contentText?: string;
  categories?: string[];
  /** Language declared by the feed (channel or item), if any. */
  lang?: string;
}

export interface ParsedFeed {
  title?: string;
  link?: string;
  lang?: string;
  items: FeedItem[];
}

/** What extractArticle returns. */
export interface ExtractedArticle {
  title: string;
  /** Body paragraphs separated by "\n", no boilerplate. Empty when the page has no article. */
  text: string;
  /** Sanitized minimal HTML of the body. */
  html: string;
  byline?: string;
  publishedAt?: string;
  modifiedAt?: string;
  siteName?: string;
  leadImage?: string;
  /** The lead image's size as the page declares it (og:image:width/height), when it does. */
  leadImageWidth?: number;
  leadImageHeight?: number;
  /** The page's description of its lead image (og:image:alt), when it has one. */
  leadImageAlt?: string;
  canonicalUrl?: string;
  lang: string;
  dir: TextDirection;
  wordCount: number;
  readingMinutes: number;
  excerpt?: string;
}

/** 'deferred': not fetched because the run's time ran out; fetched first by the next run. */
export type FeedStatus = 'ok' | 'error' | 'not-modified' | 'deferred';

/** Error classes shared by the fetcher, parsers and the run report. */
export type ErrorClass =
  | 'timeout'
  | 'too-large'
  | 'blocked-address'
  | 'redirects'
  | 'http-4xx'
  | 'http-5xx'
  | 'not-a-feed'
  | 'not-html'
  | 'parse'
  | 'network'
  | 'extract'
  | 'summarize'
  | 'invalid-url'
  | 'mail'
  /** A private feed's credentials are missing (passwordEnv not set) or refused (401/403 with credentials). */
  | 'auth'
  /** The store could not be read or written: nothing was changed for this feed or page. */
  | 'store';

/** An article record as stored by the fetch stage (state/articles/...). */
export interface ArticleRecord {
  /** Story id: hash of the canonical URL. */
  id: string;
  url: string;
  canonicalUrl: string;
  title: string;
  /** Every feed that carried this story, in config order (first = primary: its title is the story's). */
  sources: { feedUrl: string; name: string; category?: string; itemId: string; title?: string }[];
  publishedAt: string;
  fetchedAt: string;
  lang: string;
  dir: TextDirection;
  /** Article body text (paragraphs separated by "\n"). */
  text: string;
  /** Where `text` came from: the fetched page, or the feed's own content as a fallback. */
  contentSource: 'page' | 'feed';
  byline?: string;
  /** The authors the feed named for the entry. */
  authors?: Author[];
  siteName?: string;
  leadImage?: string;
  leadImageWidth?: number;
  leadImageHeight?: number;
  leadImageAlt?: string;
  wordCount: number;
  readingMinutes: number;
  excerpt?: string;
  /** Why the page was not used, when contentSource is 'feed'. */
  pageError?: { errorClass: ErrorClass; message: string };
}

/** One source of a story: a feed and the article it carried (a story of one event has several). */
export interface DigestStorySource {
  name: string;
  feedUrl: string;
  /** The article's own link, title and date (absent in digests made before stories were clustered). */
  url?: string;
  title?: string;
  publishedAt?: string;
}

export interface DigestStory {
  id: string;
  title: string;
  url: string;
  /** Name of the primary feed. */
  source: string;
  /** Every feed that carried the story, with the article each carried (first = `source`, the best source). */
  sources: DigestStorySource[];
  category?: string;
  lang: string;
  dir: TextDirection;
  publishedAt: string;
  /** The title in `summaryLang` (digest.translateTitles); `title` stays the original. */
  translatedTitle?: string;
  summary: string[];
  /** Who wrote the summary: `extractive` (also an LLM's fallback), `bedrock`, `openai`, or `feed` (extractive over the feed's text). */
  summaryKind: 'extractive' | 'bedrock' | 'openai' | 'feed';
  /** The language of `summary` when it is not `lang` (digest.summaryLanguage). */
  summaryLang?: string;
  contentSource: 'page' | 'feed';
  readingMinutes: number;
  wordCount: number;
  byline?: string;
  /** The authors the feed named for the entry. */
  authors?: Author[];
  /** The best source's lead image (https only when shown), its declared size and alt text. */
  leadImage?: string;
  leadImageWidth?: number;
  leadImageHeight?: number;
  leadImageAlt?: string;
  /** Articles in the story's cluster (1 when it was told by one article). */
  clusterSize?: number;
  /** The earlier story (id and digest date) this one updates; then `summary` says what is new. */
  updateOf?: { id: string; date: string };
}

export interface DigestFeedStatus {
  url: string;
  name: string;
  status: FeedStatus;
  httpStatus?: number;
  error?: string;
  errorClass?: ErrorClass;
  /** Read in spite of a problem (a truncated document: only its complete items were taken). */
  warning?: string;
  /** Items in the feed document after parsing (capped). */
  itemsTotal: number;
  /** Items not seen in earlier runs. */
  itemsNew: number;
  /** Stories from this feed in this digest. */
  itemsInDigest: number;
  /** Items muted by the configured `filters`. */
  itemsFiltered?: number;
  /** Items without a page of their own, kept and linked to another link or the feed's site. */
  itemsWithoutLink?: number;
}

/** site/YYYY/MM/DD/digest.json */
export interface Digest {
  version: 1;
  title: string;
  /** YYYY-MM-DD in the digest's timezone. */
  date: string;
  timezone: string;
  generatedAt: string;
  stories: DigestStory[];
  feeds: DigestFeedStatus[];
  stats: {
    feedsOk: number;
    feedsFailed: number;
    feedsNotModified: number;
    /** Feeds the run did not reach before its time ran out (fetched first by the next run); absent when none. */
    feedsDeferred?: number;
    articlesExtracted: number;
    articlesFromFeed: number;
    stories: number;
  };
}

/** One story of a weekly edition: the story as it first ran, with its sources over the whole week. */
export interface WeeklyStory extends DigestStory {
  /** The digest dates (YYYY-MM-DD) the story ran on, first to last (an update counts as the same story). */
  days: string[];
  /** Distinct articles behind it over the week. */
  articles: number;
}

/** site/YYYY/Www/weekly.json: a week's top stories, ranked by coverage across the week. */
export interface WeeklyEdition {
  version: 1;
  title: string;
  /** ISO week, "2026-W49". */
  week: string;
  /** First and last calendar day covered (the ISO week's Monday and Sunday; for a mail, the 7 days ending that day). */
  from: string;
  to: string;
  /** Days of the range that have a digest. */
  dates: string[];
  timezone: string;
  generatedAt: string;
  stories: WeeklyStory[];
}
