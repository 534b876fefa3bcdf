/**
 * Stage 1 (the fetch Lambda, or the first half of `rss-digest run`): fetch every feed
 * (conditional GET), keep the new items, fetch and extract each new article page, and store
 * article records under state/articles/YYYY/MM/DD/. Nothing here aborts the run: each failed
 * feed or page becomes a counted entry in the report. A feed whose state cannot be read is an
 * error for the day, never a feed with nothing seen (that would bring every old story back).
 *
 *   fetchFeed        per feed: read its state → fetch (conditional GET) → parse → pick new items
 *   storeStory       per story (one canonical URL, every feed that carried it): fetch and extract
 *                    the page, or merge into the record an earlier run stored
 *   saveFeedStates   an item becomes "seen" only once its story is stored
 *   mergeFetchReport the day's report, accumulated over the day's runs
 */
import type { Config, FeedConfig } from '../config/schema';
import { extractArticle } from '../extract';
import { parseFeed } from '../feeds';
import { createItemFilter } from '../feeds/filters';
import { FetchError, interleaveByHost, type Fetcher } from '../http';
import { redactText, redactUrl } from '../http/redact';
import { dirForLang, dirForText, detectLang, normalizeLang } from '../lang';
import { getJson, putJson, type Store } from '../store';
import type { ArticleRecord, ErrorClass, FeedItem, FeedStatus } from '../types';
import { endOfDay } from './dates';
import { articlesPrefix, feedStateKey, fetchReportKey } from './keys';
import { mapLimit } from './limit';
import { canonicalizeUrl, storyIdFor } from './urls';
import type { PipelineEvent } from './events';

export interface FeedState {
  url: string;
  etag?: string;
  lastModified?: string;
  /** Do not fetch before this instant (from Retry-After on 429/503). */
  retryAfterUntil?: string;
  lastFetchedAt?: string;
  /** The feed's own title, so its name survives runs answered 304. */
  title?: string;
  /** Item id → first-seen ISO time. Pruned after `retention.seenDays`. */
  seen: Record<string, string>;
}

export interface FeedReport {
  /** The feed's URL, redacted (no credentials, no secret query values): reports are shown and logged. */
  url: string;
  name: string;
  category?: string;
  status: FeedStatus;
  httpStatus?: number;
  errorClass?: ErrorClass;
  error?: string;
  bytes: number;
  durationMs: number;
  itemsTotal: number;
  itemsNew: number;
  itemsSeen: number;
  itemsTooOld: number;
  /** Items the feed carried that could not be read at all. */
  itemsDropped?: number;
  /** Items kept although they had no http(s) link of their own (they link to another link or the site). */
  itemsWithoutLink?: number;
  /** Items muted by the configured `filters` (marked seen, never in a digest). */
  itemsFiltered?: number;
  /** A problem the feed was read in spite of (a truncated document: only its complete items). */
  warning?: string;
}

export interface PageReport {
  /** Article and feed URLs, redacted. */
  url: string;
  feedUrl: string;
  status: 'ok' | 'error' | 'skipped';
  httpStatus?: number;
  errorClass?: ErrorClass;
  error?: string;
  bytes: number;
  durationMs: number;
  contentSource: 'page' | 'feed';
}

export interface FetchReport {
  date: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  feeds: FeedReport[];
  pages: PageReport[];
  stats: {
    feedsOk: number;
    feedsFailed: number;
    feedsNotModified: number;
    itemsNew: number;
    articlesExtracted: number;
    articlesFromFeed: number;
    pagesFailed: number;
  };
}

export interface FetchStageDeps {
  config: Config;
  store: Store;
  fetcher: Fetcher;
  /** YYYY-MM-DD the new items are filed under. */
  date: string;
  now?: () => Date;
  onEvent?: (event: PipelineEvent) => void;
}

/** A page's extracted text shorter than this (and shorter than the feed's own text) is not trusted. */
const MIN_ARTICLE_CHARS = 200;

export { feedStateKey, articlesPrefix, fetchReportKey };

/**
 * What a feed is called in reports and on the page: its configured name, else its own title (from
 * this response or, after a 304, from its state), else its host and path, so that two failing
 * feeds of one site can be told apart.
 */
const feedName = (feed: FeedConfig, title?: string): string => {
  if (feed.name) return feed.name;
  if (title?.trim()) return title.trim().slice(0, 200);
  try {
    const url = new URL(redactUrl(feed.url));
    return `${url.host}${url.pathname === '/' ? '' : url.pathname}`.slice(0, 200);
  } catch {
    return redactUrl(feed.url);
  }
};

interface NewItem {
  feed: FeedConfig;
  /** Position of the feed in the config: the first feed that carried a story gives its title and source. */
  configIndex: number;
  feedName: string;
  item: FeedItem;
  storyId: string;
  canonical: string;
}

/** What one run knows while it works: its inputs, clock and limits. */
interface RunContext {
  config: Config;
  store: Store;
  fetcher: Fetcher;
  date: string;
  started: Date;
  /** Item ages are measured from here: the end of the digest's day, or now if earlier. */
  reference: Date;
  maxAgeMs: number;
  emit: (event: PipelineEvent) => void;
  /** `filters` from the config: true for an item a filter mutes. */
  isFiltered: ReturnType<typeof createItemFilter>;
}

/** One feed's result: its report, its state to save (undefined when it could not be read), its new items. */
interface FeedOutcome {
  report: FeedReport;
  state?: FeedState;
  newItems: NewItem[];
}

/** One story's result: its page report and the items now stored (to be marked seen). */
interface StoryOutcome {
  report: PageReport;
  stored: NewItem[];
}

export async function runFetchStage(deps: FetchStageDeps): Promise<FetchReport> {
  const { config, date } = deps;
  const now = deps.now ?? (() => new Date());
  const started = now();
  const run: RunContext = {
    config,
    store: deps.store,
    fetcher: deps.fetcher,
    date,
    started,
    reference: new Date(Math.min(started.getTime(), endOfDay(date, config.digest.timezone).getTime())),
    maxAgeMs: config.digest.maxAgeHours > 0 ? config.digest.maxAgeHours * 3_600_000 : Infinity,
    emit: deps.onEvent ?? (() => undefined),
    isFiltered: createItemFilter(config.filters),
  };

  run.emit({ type: 'stage', stage: 'feeds', total: config.feeds.length });
  // Hosts interleaved so the per-host limit does not idle the pool; results keep the config order.
  const feedOrder = interleaveByHost(
    config.feeds.map((_, i) => i),
    (i) => config.feeds[i].url,
  );
  const fetched = await mapLimit(feedOrder, config.network.concurrency, (i) => fetchFeed(run, config.feeds[i], i));
  const feeds: FeedOutcome[] = new Array(config.feeds.length);
  feedOrder.forEach((configIndex, fetchIndex) => (feeds[configIndex] = fetched[fetchIndex]));

  const stories = groupByStory(feeds.flatMap((f) => f.newItems));
  run.emit({ type: 'stage', stage: 'articles', total: stories.length });
  const storyOutcomes = await mapLimit(
    interleaveByHost(stories, (group) => group[0].item.link),
    config.network.concurrency,
    (group) => storeStory(run, group),
  );

  // Feed state last: an item is only "seen" once its article record is stored.
  await saveFeedStates(run, feeds, storyOutcomes);

  const report = buildFetchReport(
    run,
    now(),
    feeds.map((f) => f.report),
    storyOutcomes.map((s) => s.report),
  );
  await mergeFetchReport(run.store, report);
  return report;
}

/** One feed: state → fetch → parse → new items. Every failure is the feed's report, never a throw. */
async function fetchFeed(run: RunContext, feed: FeedConfig, configIndex: number): Promise<FeedOutcome> {
  const t0 = Date.now();
  const report = emptyFeedReport(feed);
  const outcome: FeedOutcome = { report, newItems: [] };
  try {
    outcome.state = await readFeedState(run.store, feed);
    report.name = feedName(feed, outcome.state.title);
    await readNewItems(run, feed, configIndex, outcome);
  } catch (err) {
    recordFeedError(report, err, outcome.state, run.started);
  } finally {
    report.durationMs = Date.now() - t0;
    run.emit({
      type: 'feed',
      url: report.url,
      name: report.name,
      status: report.status,
      errorClass: report.errorClass,
      error: report.error,
      ...(report.warning ? { warning: report.warning } : {}),
      itemsNew: report.itemsNew,
    });
  }
  return outcome;
}

function emptyFeedReport(feed: FeedConfig): FeedReport {
  return {
    url: redactUrl(feed.url),
    name: feedName(feed),
    category: feed.category,
    status: 'ok',
    bytes: 0,
    durationMs: 0,
    itemsTotal: 0,
    itemsNew: 0,
    itemsSeen: 0,
    itemsTooOld: 0,
  };
}

/** A store error while reading state: the feed is skipped for the day, and its state is left as it is. */
class FeedStateError extends Error {
  readonly errorClass: ErrorClass = 'store';
  constructor(cause: unknown) {
    super(`Feed state could not be read (nothing changed; tried again next run): ${(cause as Error).message}`, { cause });
    this.name = 'FeedStateError';
  }
}

async function readFeedState(store: Store, feed: FeedConfig): Promise<FeedState> {
  try {
    return (await getJson<FeedState>(store, feedStateKey(feed.url))) ?? { url: feed.url, seen: {} };
  } catch (err) {
    throw new FeedStateError(err);
  }
}

/** Fetches and parses the feed into `outcome` (report, state, new items); throws on a failed fetch. */
async function readNewItems(run: RunContext, feed: FeedConfig, configIndex: number, outcome: FeedOutcome): Promise<void> {
  const { report } = outcome;
  const state = outcome.state!;
  if (state.retryAfterUntil && Date.parse(state.retryAfterUntil) > run.started.getTime()) {
    report.status = 'not-modified';
    report.error = `Server asked us to retry after ${state.retryAfterUntil}`;
    return;
  }
  const res = await run.fetcher.fetch(feed.url, {
    kind: 'feed',
    etag: state.etag,
    lastModified: state.lastModified,
    auth: resolveFeedAuth(feed),
  });
  report.httpStatus = res.status;
  report.bytes = res.body.length;
  state.lastFetchedAt = run.started.toISOString();
  delete state.retryAfterUntil;
  if (res.notModified) {
    report.status = 'not-modified';
    return;
  }
  const parsed = await parseFeed(res.text, res.url, { fetchedAt: run.started.toISOString(), maxItems: 100 });
  if (parsed.title?.trim()) state.title = parsed.title.trim().slice(0, 200);
  report.name = feedName(feed, state.title);
  report.itemsTotal = parsed.items.length;
  report.itemsDropped = parsed.itemsDropped;
  report.itemsWithoutLink = parsed.itemsWithoutLink;
  report.itemsFiltered = 0;
  if (parsed.warning) {
    report.warning = parsed.warning;
    report.errorClass = 'parse';
  }
  // Validators are stored only once the body parsed whole, so a broken response is fetched again next time.
  state.etag = parsed.warning ? undefined : res.headers['etag'] || undefined;
  state.lastModified = parsed.warning ? undefined : res.headers['last-modified'] || undefined;
  outcome.newItems = pickNewItems(run, feed, configIndex, report, state, parsed);
}

/** The feed's unseen items within the age limit, at most `digest.itemsPerFeed`; too old ones are marked seen. */
function pickNewItems(
  run: RunContext,
  feed: FeedConfig,
  configIndex: number,
  report: FeedReport,
  state: FeedState,
  parsed: { items: FeedItem[]; lang?: string },
): NewItem[] {
  const picked: NewItem[] = [];
  for (const item of parsed.items) {
    if (state.seen[item.id]) {
      report.itemsSeen++;
      continue;
    }
    if (run.isFiltered(item, { url: feed.url, name: report.name })) {
      // Muted: counted in the report, and marked seen so it is not counted again every day.
      report.itemsFiltered = (report.itemsFiltered ?? 0) + 1;
      state.seen[item.id] = run.started.toISOString();
      continue;
    }
    if (run.reference.getTime() - Date.parse(item.publishedAt) > run.maxAgeMs) {
      report.itemsTooOld++;
      state.seen[item.id] = run.started.toISOString();
      continue;
    }
    if (picked.length >= run.config.digest.itemsPerFeed) continue; // left unseen: may enter a later digest
    // An entry without a page of its own is its own story: its link (the feed's site…) is shared.
    const canonical = item.linkSource ? `${feed.url}#${item.id}` : canonicalizeUrl(item.link);
    if (!item.lang && parsed.lang) item.lang = parsed.lang;
    picked.push({ feed, configIndex, feedName: report.name, item, storyId: storyIdFor(canonical), canonical });
  }
  report.itemsNew = picked.length;
  return picked;
}

/** The credentials of a private feed; the password from the environment when the config names a variable. */
function resolveFeedAuth(feed: FeedConfig): { username: string; password: string } | undefined {
  if (!feed.auth) return undefined;
  if (feed.auth.password !== undefined) return { username: feed.auth.username, password: feed.auth.password };
  const password = process.env[feed.auth.passwordEnv!];
  if (password === undefined) {
    throw Object.assign(new Error(`Environment variable ${feed.auth.passwordEnv} (feeds[].auth.passwordEnv) is not set`), {
      errorClass: 'auth' as ErrorClass,
    });
  }
  return { username: feed.auth.username, password };
}

function recordFeedError(report: FeedReport, err: unknown, state: FeedState | undefined, started: Date): void {
  const e = err as Error & { errorClass?: ErrorClass; status?: number };
  report.status = 'error';
  report.errorClass = e.errorClass ?? 'network';
  report.error = redactText(e.message);
  if (e.status) report.httpStatus = e.status;
  if (state && err instanceof FetchError && err.retryAfter && (err.status === 429 || err.status === 503)) {
    const until = retryAfterToDate(err.retryAfter, started);
    if (until) state.retryAfterUntil = until.toISOString();
  }
}

/** One group per canonical URL, its items in config order: the first feed in the config leads the story. */
function groupByStory(items: NewItem[]): NewItem[][] {
  const groups = new Map<string, NewItem[]>();
  for (const n of items) {
    const group = groups.get(n.storyId);
    if (group) group.push(n);
    else groups.set(n.storyId, [n]);
  }
  return [...groups.values()].map((group) => group.sort((a, b) => a.configIndex - b.configIndex));
}

/** One story: merged into the record an earlier run stored, or fetched and extracted; then stored. */
async function storeStory(run: RunContext, group: NewItem[]): Promise<StoryOutcome> {
  const first = group[0];
  const key = `${articlesPrefix(run.date)}/${first.storyId}.json`;
  let page: { record: ArticleRecord; report: PageReport };
  try {
    const existing = await getJson<ArticleRecord>(run.store, key);
    page = existing ? mergeSources(existing, group, run.config) : await buildRecord(first, group, run.fetcher, run.started);
    await putJson(run.store, key, page.record);
  } catch (err) {
    // Not stored: its items stay unseen, so the next run tries the story again.
    return { report: storeErrorReport(first, err), stored: [] };
  }
  run.emit({
    type: 'article',
    url: page.report.url,
    title: page.record.title,
    contentSource: page.record.contentSource,
    errorClass: page.report.errorClass,
  });
  return { report: page.report, stored: group };
}

function storeErrorReport(first: NewItem, err: unknown): PageReport {
  return {
    url: redactUrl(first.item.link),
    feedUrl: redactUrl(first.feed.url),
    status: 'error',
    errorClass: 'store',
    error: `Article record could not be stored: ${redactText((err as Error).message)}`,
    bytes: 0,
    durationMs: 0,
    contentSource: 'feed',
  };
}

/**
 * Marks stored items seen, prunes old seen ids, and writes each readable feed state once. A feed
 * with a new item that could not be stored forgets its validators, so the next run gets the whole
 * feed again rather than a 304 that would hide the item until the feed changes.
 */
async function saveFeedStates(run: RunContext, feeds: FeedOutcome[], stories: StoryOutcome[]): Promise<void> {
  const seenAt = run.started.toISOString();
  for (const story of stories) {
    for (const n of story.stored) {
      const state = feeds[n.configIndex].state;
      if (state) state.seen[n.item.id] = seenAt;
    }
  }
  const seenCutoff = run.started.getTime() - run.config.retention.seenDays * 86_400_000;
  await Promise.all(
    feeds.map((f) => {
      if (!f.state) return undefined;
      if (f.newItems.some((n) => !f.state!.seen[n.item.id])) {
        delete f.state.etag;
        delete f.state.lastModified;
      }
      for (const [id, at] of Object.entries(f.state.seen)) if (Date.parse(at) < seenCutoff) delete f.state.seen[id];
      return putJson(run.store, feedStateKey(f.state.url), f.state);
    }),
  );
}

function buildFetchReport(run: RunContext, finished: Date, feedReports: FeedReport[], pageReports: PageReport[]): FetchReport {
  return {
    date: run.date,
    startedAt: run.started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - run.started.getTime(),
    feeds: feedReports,
    pages: pageReports,
    stats: {
      feedsOk: feedReports.filter((f) => f.status === 'ok').length,
      feedsFailed: feedReports.filter((f) => f.status === 'error').length,
      feedsNotModified: feedReports.filter((f) => f.status === 'not-modified').length,
      itemsNew: feedReports.reduce((a, f) => a + f.itemsNew, 0),
      articlesExtracted: pageReports.filter((p) => p.status === 'ok' && p.contentSource === 'page').length,
      articlesFromFeed: pageReports.filter((p) => p.contentSource === 'feed').length,
      pagesFailed: pageReports.filter((p) => p.status === 'error').length,
    },
  };
}

/**
 * The day's feed report accumulates across runs: a feed's latest status wins, except that a
 * "not modified" answer keeps the item counts of the run that fetched the feed earlier that day.
 */
async function mergeFetchReport(store: Store, report: FetchReport): Promise<void> {
  // A report that cannot be read fails the stage: writing over it would lose the day's earlier runs.
  const previous = await getJson<FetchReport>(store, fetchReportKey(report.date));
  const merged: FetchReport = { ...report, feeds: report.feeds.map((f) => ({ ...f })), pages: [...report.pages] };
  if (previous) {
    const before = new Map(previous.feeds.map((f) => [f.url, f]));
    for (const f of merged.feeds) {
      const old = before.get(f.url);
      if (old && f.status !== 'error') {
        f.itemsTotal = Math.max(f.itemsTotal, old.itemsTotal);
        f.itemsNew += old.itemsNew;
        if (old.itemsFiltered) f.itemsFiltered = (f.itemsFiltered ?? 0) + old.itemsFiltered;
        if (old.itemsWithoutLink) f.itemsWithoutLink = Math.max(f.itemsWithoutLink ?? 0, old.itemsWithoutLink);
      }
    }
    const pageUrls = new Set(merged.pages.map((p) => p.url));
    merged.pages.push(...previous.pages.filter((p) => !pageUrls.has(p.url)));
  }
  await putJson(store, `state/runs/${report.date}/fetch-${report.startedAt.replace(/[:.]/g, '-')}.json`, report);
  await putJson(store, fetchReportKey(report.date), merged);
}

/** A title for an untitled, linkless entry: the start of its text. */
const feedTextTitle = (text: string): string => (text.length > 80 ? `${text.slice(0, 79)}…` : text) || 'Untitled';

function retryAfterToDate(value: string, now: Date): Date | undefined {
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return new Date(now.getTime() + Math.min(secs, 7 * 86_400) * 1000);
  const t = Date.parse(value);
  if (Number.isFinite(t)) return new Date(Math.min(t, now.getTime() + 7 * 86_400_000));
  return undefined;
}

/**
 * A story stored by an earlier run today, now carried by more feeds: their sources are added, in
 * config order, and the story takes the title of the first feed in the config that carried it.
 */
function mergeSources(record: ArticleRecord, group: NewItem[], config: Config): { record: ArticleRecord; report: PageReport } {
  for (const n of group) {
    if (!record.sources.some((s) => s.feedUrl === n.feed.url)) record.sources.push(sourceOf(n));
  }
  const position = (feedUrl: string): number => {
    const i = config.feeds.findIndex((f) => f.url === feedUrl);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  record.sources.sort((a, b) => position(a.feedUrl) - position(b.feedUrl));
  const leadTitle = record.sources[0]?.title;
  if (leadTitle) record.title = leadTitle;
  return {
    record,
    report: {
      url: redactUrl(record.url),
      feedUrl: redactUrl(group[0].feed.url),
      status: 'skipped',
      bytes: 0,
      durationMs: 0,
      contentSource: record.contentSource,
    },
  };
}

const sourceOf = (n: NewItem): ArticleRecord['sources'][number] => ({
  feedUrl: n.feed.url,
  name: n.feedName,
  category: n.feed.category,
  itemId: n.item.id,
  ...(n.item.title ? { title: n.item.title } : {}),
});

async function buildRecord(
  first: NewItem,
  group: NewItem[],
  fetcher: Fetcher,
  fetchedAt: Date,
): Promise<{ record: ArticleRecord; report: PageReport }> {
  const { item } = first;
  const t0 = Date.now();
  const report: PageReport = {
    url: redactUrl(item.link),
    feedUrl: redactUrl(first.feed.url),
    status: 'ok',
    bytes: 0,
    durationMs: 0,
    contentSource: 'page',
  };
  const feedText = (item.contentText ?? '').trim();
  let extracted: ReturnType<typeof extractArticle> | undefined;
  try {
    // An entry without a page of its own is summarized from the feed's text: its link is not its article.
    if (item.linkSource) throw new FetchError('not-html', 'The entry has no page of its own; its feed text is used');
    const res = await fetcher.fetch(item.link, { kind: 'page' });
    report.httpStatus = res.status;
    report.bytes = res.body.length;
    // A non-HTML page (a PDF, an image) never gets here: the fetcher refuses it as `not-html` before the download.
    try {
      // extractArticle bounds depth and size itself before cheerio sees the page (src/extract/guards.ts).
      extracted = extractArticle(res.text, res.url);
    } catch (err) {
      report.status = 'error';
      report.errorClass = 'extract';
      report.error = `Extraction failed: ${(err as Error).message}`;
    }
  } catch (err) {
    const e = err as Error & { errorClass?: ErrorClass; status?: number };
    report.status = e.errorClass === 'not-html' ? 'skipped' : 'error';
    report.errorClass = e.errorClass ?? 'network';
    report.error = redactText(e.message);
    if (e.status) report.httpStatus = e.status;
  }
  const pageText = extracted?.text.trim() ?? '';
  const usePage = pageText.length >= MIN_ARTICLE_CHARS || (pageText.length > 0 && pageText.length >= feedText.length);
  if (extracted && !usePage && report.status === 'ok') {
    report.errorClass = 'extract';
    report.error = 'Page had no article text';
  }
  const text = usePage ? pageText : feedText;
  report.contentSource = usePage ? 'page' : 'feed';
  report.durationMs = Date.now() - t0;

  const declared = normalizeLang(usePage ? extracted?.lang : item.lang) || normalizeLang(item.lang);
  const lang = (declared && declared !== 'und' ? declared : detectLang(`${item.title}\n${text}`)) || 'und';
  const dir = lang === 'und' ? dirForText(`${item.title} ${text}`) : usePage && extracted ? extracted.dir : dirForLang(lang);
  const words = text ? text.split(/\s+/).filter(Boolean).length : 0;
  const record: ArticleRecord = {
    id: first.storyId,
    url: item.link,
    canonicalUrl: first.canonical,
    title: item.title || extracted?.title || item.link || feedTextTitle(feedText),
    sources: group.filter((n, i) => group.findIndex((m) => m.feed.url === n.feed.url) === i).map(sourceOf),
    publishedAt: item.publishedAt,
    fetchedAt: fetchedAt.toISOString(),
    lang,
    dir,
    text,
    contentSource: report.contentSource,
    byline: (usePage ? extracted?.byline : undefined) ?? item.author,
    ...(item.authors ? { authors: item.authors } : {}),
    siteName: extracted?.siteName,
    leadImage: extracted?.leadImage,
    ...(extracted?.leadImageWidth
      ? { leadImageWidth: extracted.leadImageWidth, leadImageHeight: extracted.leadImageHeight }
      : {}),
    ...(extracted?.leadImageAlt ? { leadImageAlt: extracted.leadImageAlt } : {}),
    wordCount: usePage && extracted ? extracted.wordCount : words,
    readingMinutes: usePage && extracted ? extracted.readingMinutes : Math.max(1, Math.round(words / 230)),
    excerpt: extracted?.excerpt,
  };
  if (!usePage && report.errorClass) record.pageError = { errorClass: report.errorClass, message: report.error ?? '' };
  return { record, report };
}
