/**
 * Stage 1 (the fetch Lambda, or the first half of `rss-digest run`): fetch every feed
 * (conditional GET), keep the new items, fetch and extract each new article page, and store
 * article records under state/articles/YYYY/MM/DD/. Nothing here aborts the run: each failed
 * feed or page becomes a counted entry in the report.
 */
import type { Config, FeedConfig } from '../config/schema';
import { extractArticle } from '../extract';
import { parseFeed } from '../feeds';
import { createItemFilter } from '../feeds/filters';
import { FetchError, interleaveByHost, type Fetcher } from '../http';
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
  /** Item id → first-seen ISO time. Pruned after `retention.seenDays`. */
  seen: Record<string, string>;
}

export interface FeedReport {
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

const feedName = (feed: FeedConfig, parsedTitle?: string): string => {
  if (feed.name) return feed.name;
  if (parsedTitle?.trim()) return parsedTitle.trim().slice(0, 200);
  try {
    return new URL(feed.url).hostname;
  } catch {
    return feed.url;
  }
};

interface NewItem {
  feed: FeedConfig;
  feedName: string;
  item: FeedItem;
  storyId: string;
  canonical: string;
}

export async function runFetchStage(deps: FetchStageDeps): Promise<FetchReport> {
  const { config, store, fetcher, date } = deps;
  const now = deps.now ?? (() => new Date());
  const emit = deps.onEvent ?? (() => undefined);
  const started = now();
  const reference = new Date(Math.min(started.getTime(), endOfDay(date, config.digest.timezone).getTime()));
  const maxAgeMs = config.digest.maxAgeHours > 0 ? config.digest.maxAgeHours * 3_600_000 : Infinity;
  const seenCutoff = started.getTime() - config.retention.seenDays * 86_400_000;
  const isFiltered = createItemFilter(config.filters);

  emit({ type: 'stage', stage: 'feeds', total: config.feeds.length });
  const newItems: NewItem[] = [];
  const feedStates = new Map<string, FeedState>();

  // Hosts interleaved so the per-host limit does not idle the pool; reports keep the config order.
  const feedOrder = interleaveByHost(
    config.feeds.map((_, i) => i),
    (i) => config.feeds[i].url,
  );
  const feedReportsInFetchOrder = await mapLimit(
    feedOrder.map((i) => config.feeds[i]),
    config.network.concurrency,
    async (feed): Promise<FeedReport> => {
      const t0 = Date.now();
      const report: FeedReport = {
        url: feed.url,
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
      const stateKey = feedStateKey(feed.url);
      let state: FeedState;
      try {
        state = (await getJson<FeedState>(store, stateKey)) ?? { url: feed.url, seen: {} };
      } catch {
        state = { url: feed.url, seen: {} };
      }
      feedStates.set(feed.url, state);
      try {
        if (state.retryAfterUntil && Date.parse(state.retryAfterUntil) > started.getTime()) {
          report.status = 'not-modified';
          report.error = `Server asked us to retry after ${state.retryAfterUntil}`;
          return report;
        }
        const res = await fetcher.fetch(feed.url, { kind: 'feed', etag: state.etag, lastModified: state.lastModified });
        report.httpStatus = res.status;
        report.bytes = res.body.length;
        state.lastFetchedAt = started.toISOString();
        delete state.retryAfterUntil;
        if (res.notModified) {
          report.status = 'not-modified';
          return report;
        }
        const parsed = await parseFeed(res.text, res.url, {
          fetchedAt: started.toISOString(),
          maxItems: 100,
        });
        report.name = feedName(feed, parsed.title);
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
        let taken = 0;
        for (const item of parsed.items) {
          if (state.seen[item.id]) {
            report.itemsSeen++;
            continue;
          }
          if (isFiltered(item, { url: feed.url, name: report.name })) {
            report.itemsFiltered++;
            state.seen[item.id] = started.toISOString();
            continue;
          }
          const age = reference.getTime() - Date.parse(item.publishedAt);
          if (age > maxAgeMs) {
            report.itemsTooOld++;
            state.seen[item.id] = started.toISOString();
            continue;
          }
          if (taken >= config.digest.itemsPerFeed) continue; // left unseen: may enter a later digest
          taken++;
          report.itemsNew++;
          // An entry without a page of its own is its own story: its link (the feed's site…) is shared.
          const canonical = item.linkSource ? `${feed.url}#${item.id}` : canonicalizeUrl(item.link);
          if (!item.lang && parsed.lang) item.lang = parsed.lang;
          newItems.push({ feed, feedName: report.name, item, storyId: storyIdFor(canonical), canonical });
        }
        return report;
      } catch (err) {
        report.status = 'error';
        const e = err as Error & { errorClass?: ErrorClass; status?: number; retryAfter?: string };
        report.errorClass = e.errorClass ?? 'network';
        report.error = e.message;
        if (e.status) report.httpStatus = e.status;
        if (err instanceof FetchError && err.retryAfter && (err.status === 429 || err.status === 503)) {
          const until = retryAfterToDate(err.retryAfter, started);
          if (until) state.retryAfterUntil = until.toISOString();
        }
        return report;
      } finally {
        report.durationMs = Date.now() - t0;
        emit({
          type: 'feed',
          url: feed.url,
          name: report.name,
          status: report.status,
          errorClass: report.errorClass,
          error: report.error,
          ...(report.warning ? { warning: report.warning } : {}),
          itemsNew: report.itemsNew,
        });
      }
    },
  );

  const feedReports: FeedReport[] = new Array(config.feeds.length);
  feedOrder.forEach((configIndex, fetchIndex) => (feedReports[configIndex] = feedReportsInFetchOrder[fetchIndex]));

  // One story per canonical URL, listing every feed that carried it.
  const stories = new Map<string, NewItem[]>();
  for (const n of newItems) {
    const list = stories.get(n.storyId);
    if (list) list.push(n);
    else stories.set(n.storyId, [n]);
  }

  emit({ type: 'stage', stage: 'articles', total: stories.size });
  const prefix = articlesPrefix(date);
  const pageReports = await mapLimit(
    interleaveByHost([...stories.values()], (group) => group[0].item.link),
    config.network.concurrency,
    async (group): Promise<PageReport> => {
      const first = group[0];
      const key = `${prefix}/${first.storyId}.json`;
      const existing = await getJson<ArticleRecord>(store, key).catch(() => undefined);
      const page = existing ? mergeSources(existing, group) : await buildRecord(first, group, fetcher, started);
      await putJson(store, key, page.record);
      for (const n of group) feedStates.get(n.feed.url)!.seen[n.item.id] = started.toISOString();
      emit({
        type: 'article',
        url: first.item.link,
        title: page.record.title,
        contentSource: page.record.contentSource,
        errorClass: page.report.errorClass,
      });
      return page.report;
    },
  );

  // Feed state last: an item is only "seen" once its article record is stored.
  await Promise.all(
    [...feedStates.values()].map((state) => {
      for (const [id, at] of Object.entries(state.seen)) if (Date.parse(at) < seenCutoff) delete state.seen[id];
      return putJson(store, feedStateKey(state.url), state);
    }),
  );

  const finished = now();
  const report: FetchReport = {
    date,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
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
  await mergeFetchReport(store, report);
  return report;
}

/**
 * The day's feed report accumulates across runs: a feed's latest status wins, except that a
 * "not modified" answer keeps the item counts of the run that fetched the feed earlier that day.
 */
async function mergeFetchReport(store: Store, report: FetchReport): Promise<void> {
  const previous = await getJson<FetchReport>(store, fetchReportKey(report.date)).catch(() => undefined);
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

function mergeSources(record: ArticleRecord, group: NewItem[]): { record: ArticleRecord; report: PageReport } {
  for (const n of group) {
    if (!record.sources.some((s) => s.feedUrl === n.feed.url)) {
      record.sources.push({ feedUrl: n.feed.url, name: n.feedName, category: n.feed.category, itemId: n.item.id });
    }
  }
  return {
    record,
    report: {
      url: record.url,
      feedUrl: group[0].feed.url,
      status: 'skipped',
      bytes: 0,
      durationMs: 0,
      contentSource: record.contentSource,
    },
  };
}

async function buildRecord(
  first: NewItem,
  group: NewItem[],
  fetcher: Fetcher,
  fetchedAt: Date,
): Promise<{ record: ArticleRecord; report: PageReport }> {
  const { item } = first;
  const t0 = Date.now();
  const report: PageReport = {
    url: item.link,
    feedUrl: first.feed.url,
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
    report.error = e.message;
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
    sources: group
      .filter((n, i) => group.findIndex((m) => m.feed.url === n.feed.url) === i)
      .map((n) => ({ feedUrl: n.feed.url, name: n.feedName, category: n.feed.category, itemId: n.item.id })),
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
    wordCount: usePage && extracted ? extracted.wordCount : words,
    readingMinutes: usePage && extracted ? extracted.readingMinutes : Math.max(1, Math.round(words / 230)),
    excerpt: extracted?.excerpt,
  };
  if (!usePage && report.errorClass) record.pageError = { errorClass: report.errorClass, message: report.error ?? '' };
  return { record, report };
}
