/**
 * Stage 1 (the fetch Lambda, or the first half of `rss-digest run`): fetch every feed
 * (conditional GET), keep the new items, fetch and extract each new article page, and store
 * article records under state/articles/YYYY/MM/DD/. Nothing here aborts the run: each failed
 * feed or page becomes a counted entry in the report. A feed whose state cannot be read is an
 * error for the day, never a feed with nothing seen (that would bring every old story back).
 *
 * The feed list is split into shards (see shards.ts); each shard has exactly one writer per key:
 *
 *   fetchShard       per shard: its feeds (last run's deferred ones first), each one through
 *                    processFeed, and its report checkpointed to its own key as it goes
 *   processFeed      per feed: read its state → fetch (conditional GET) → parse → store its new
 *                    stories → write its state (an item is "seen" only once its story is stored)
 *   saveRecord       per story: created with a create-if-absent write, or this feed added to the
 *                    sources of the record another run or shard stored (compare-and-put)
 *   mergeShards      the single writer of the day's report and of the deferred feeds list
 *
 * Out of time (a Lambda near its end), no feed or page is started: feeds are reported `deferred`
 * and fetched first by the next run; a page not fetched leaves its item unseen.
 */
import type { Config, FeedConfig } from '../config/schema';
import { extractArticle } from '../extract';
import { parseFeed } from '../feeds';
import { createItemFilter } from '../feeds/filters';
import { FetchError, interleaveByHost, type Fetcher } from '../http';
import { redactText, redactUrl } from '../http/redact';
import { dirForLang, dirForText, detectLang, normalizeLang } from '../lang';
import { getJson, getJsonVersioned, putJson, putJsonIfAbsent, putJsonIfMatch, type Store } from '../store';
import type { ArticleRecord, ErrorClass, FeedItem, FeedStatus } from '../types';
import { endOfDay } from './dates';
import { articlesPrefix, feedId, feedStateKey, fetchReportKey } from './keys';
import { mapLimit } from './limit';
import { canonicalizeUrl, storyIdFor } from './urls';
import type { PipelineEvent } from './events';
import { DEFERRED_FEEDS_KEY, feedsOfShard, planShards, shardReportKey, type DeferredFeeds, type ShardRef } from './shards';

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
  status: 'ok' | 'error' | 'skipped' | 'deferred';
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
    /** Feeds not reached before the invocation's time ran out (fetched first next run). */
    feedsDeferred: number;
    itemsNew: number;
    articlesExtracted: number;
    articlesFromFeed: number;
    pagesFailed: number;
    /** Pages not fetched before the time ran out (their items stay unseen for the next run). */
    pagesDeferred: number;
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
  /** The run's id: shard reports are kept per run (default: from the start time). */
  runId?: string;
  /**
   * Milliseconds this invocation may still run (a Lambda's getRemainingTimeInMillis). No new feed
   * or page is started once fewer than `reserveMsFor(config)` remain; absent, time is unbounded.
   */
  remainingMs?: () => number;
}

/** A page's extracted text shorter than this (and shorter than the feed's own text) is not trusted. */
const MIN_ARTICLE_CHARS = 200;

/** Time for the writes after the last request: feed states, the shard report. */
const WRITE_RESERVE_MS = 30_000;

/** Stories of one feed stored at once (the fetcher's limiter bounds the requests themselves). */
const STORIES_PER_FEED = 4;

/** A shard writes its report at most this often while it works, so a timeout loses little of it. */
const CHECKPOINT_EVERY_MS = 5_000;

/**
 * Time kept back at the end of an invocation: a request started just before may take the whole
 * request timeout, and the writes after it need the rest.
 */
export const reserveMsFor = (config: Config): number => config.network.timeoutMs + WRITE_RESERVE_MS;

export { feedStateKey, articlesPrefix, fetchReportKey };

/** What one shard did: its feeds (with their config positions) and pages, written to its shard report. */
export interface ShardReport {
  shard: ShardRef;
  startedAt: string;
  finishedAt?: string;
  /** False while the shard works (a checkpoint); true once every one of its feeds has a status. */
  complete: boolean;
  feeds: (FeedReport & { configIndex: number })[];
  pages: PageReport[];
  /** The list of feeds deferred by the previous run could not be read: this shard fetched in config order. */
  deferredListError?: string;
}

/**
 * What a shard that failed as a whole tells the merge step (the map's Catch: a timeout, a crash):
 * its feeds without a status become errors for the day.
 */
export interface ShardFailure {
  index: number;
  error: string;
  errorClass?: ErrorClass;
}

/**
 * The whole fetch in one process (`rss-digest run`): the run's shards one after the other (one
 * machine's network limits), then the merge. The deployed run does the same steps in separate
 * invocations (lambdas/fetch.ts): one code path either way.
 */
export async function runFetchStage(deps: FetchStageDeps): Promise<FetchReport> {
  const now = deps.now ?? (() => new Date());
  const runId = deps.runId ?? `run-${now().toISOString().replace(/[:.]/g, '-')}`;
  const plan = planShards(deps.config, deps.date, runId);
  deps.onEvent?.({ type: 'stage', stage: 'feeds', total: deps.config.feeds.length });
  for (const shard of plan.shards) await fetchShard({ ...deps, shard, announce: false });
  return mergeShards({ config: deps.config, store: deps.store, date: deps.date, runId, shards: plan.shards.length, now });
}

/**
 * One shard: its feeds (those deferred by the last run first), each fetched, its new stories
 * stored, then its state written, feed after feed, so that a shard stopped at any point keeps what
 * it did. Once the time left is below the reserve, the remaining feeds are reported `deferred`
 * and their items stay unseen. The shard's report is checkpointed to its own key as it goes.
 */
export async function fetchShard(deps: FetchStageDeps & { shard: ShardRef; announce?: boolean }): Promise<ShardReport> {
  const { config, date, shard } = deps;
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
    outOfTime: deps.remainingMs ? () => deps.remainingMs!() < reserveMsFor(config) : () => false,
    stories: new Map(),
  };
  const report: ShardReport = { shard, startedAt: started.toISOString(), complete: false, feeds: [], pages: [] };
  const checkpoint = checkpointer(run.store, shard, report);

  const { order, error } = await shardFeedOrder(run, shard);
  if (error) report.deferredListError = error;
  if (deps.announce !== false) run.emit({ type: 'stage', stage: 'feeds', total: order.length });
  await mapLimit(order, config.network.concurrency, async (configIndex) => {
    const outcome = await processFeed(run, config.feeds[configIndex], configIndex);
    report.feeds.push({ ...outcome.feed, configIndex });
    report.pages.push(...outcome.pages);
    await checkpoint(false);
  });
  report.feeds.sort((a, b) => a.configIndex - b.configIndex);
  report.finishedAt = now().toISOString();
  report.complete = true;
  await checkpoint(true);
  return report;
}

/** Writes the shard report now and then (and always when `final`); writes never overlap. */
function checkpointer(store: Store, shard: ShardRef, report: ShardReport): (final: boolean) => Promise<void> {
  let last = 0;
  let writing: Promise<void> = Promise.resolve();
  return (final) => {
    if (!final && Date.now() - last < CHECKPOINT_EVERY_MS) return writing;
    last = Date.now();
    // A checkpoint that fails is not fatal (the next one, or the final write, tries again); the final write is.
    writing = writing.then(() =>
      putJson(store, shardReportKey(shard), report).catch((err) => {
        if (final) throw err;
      }),
    );
    return writing;
  };
}

/**
 * The shard's feeds in the order they are fetched: feeds the last run deferred first, then hosts
 * interleaved so the per-host limit does not idle the pool.
 */
async function shardFeedOrder(run: RunContext, shard: ShardRef): Promise<{ order: number[]; error?: string }> {
  const mine = feedsOfShard(run.config, shard);
  let deferred = new Set<string>();
  let error: string | undefined;
  try {
    deferred = new Set((await getJson<DeferredFeeds>(run.store, DEFERRED_FEEDS_KEY))?.feeds ?? []);
  } catch (err) {
    error = `The feeds deferred by the last run could not be read: ${redactText((err as Error).message)}`;
  }
  const isDeferred = (i: number): boolean => deferred.has(feedId(run.config.feeds[i].url));
  const interleave = (list: number[]): number[] => interleaveByHost(list, (i) => run.config.feeds[i].url);
  return { order: [...interleave(mine.filter(isDeferred)), ...interleave(mine.filter((i) => !isDeferred(i)))], error };
}

/**
 * One feed, start to end: read its state and fetch it, store its new stories, then write its state
 * (an item becomes "seen" only once its story is stored). Past the time limit nothing is started:
 * the feed is `deferred`, and a story not stored leaves its item unseen for the next run.
 */
async function processFeed(
  run: RunContext,
  feed: FeedConfig,
  configIndex: number,
): Promise<{ feed: FeedReport; pages: PageReport[] }> {
  if (run.outOfTime()) {
    const report = { ...emptyFeedReport(feed), status: 'deferred' as const };
    report.error = 'Not fetched: the run was out of time; fetched first next run';
    emitFeed(run, report);
    return { feed: report, pages: [] };
  }
  const outcome = await fetchFeed(run, feed, configIndex);
  const stories = await mapLimit(outcome.newItems, STORIES_PER_FEED, (n) => storeStoryOnce(run, n));
  const stored = outcome.newItems.filter((_, k) => stories[k].stored);
  if (outcome.state) {
    try {
      await saveFeedState(run, outcome, stored);
    } catch (err) {
      // Its items were stored but not marked seen: the next run meets them again and merges, nothing is lost.
      outcome.report.warning = `Feed state could not be saved: ${redactText((err as Error).message)}`;
      outcome.report.errorClass ??= 'store';
    }
  }
  return { feed: outcome.report, pages: stories.flatMap((s) => (s.report ? [s.report] : [])) };
}

/**
 * The folded report of the run: every shard's report (feeds in config order, pages, counts once),
 * a shard that failed or never wrote making its feeds errors for the day. The merge step is the
 * single writer of the day's report and of the list of deferred feeds.
 */
export async function mergeShards(input: {
  config: Config;
  store: Store;
  date: string;
  runId: string;
  shards: number;
  failures?: ShardFailure[];
  now?: () => Date;
}): Promise<FetchReport> {
  const { config, store, date, runId } = input;
  const now = input.now ?? (() => new Date());
  const failures = new Map((input.failures ?? []).map((f) => [f.index, f]));
  const byIndex = new Map<number, FeedReport>();
  const pages: PageReport[] = [];
  let startedAt: string | undefined;
  for (let index = 0; index < input.shards; index++) {
    // A report that cannot be read fails the merge (retried): its feeds must not become errors on a read error.
    const report = await getJson<ShardReport>(store, shardReportKey({ date, runId, index }));
    if (report) {
      for (const f of report.feeds) {
        const { configIndex, ...feed } = f;
        byIndex.set(configIndex, feed);
      }
      pages.push(...report.pages);
      if (!startedAt || report.startedAt < startedAt) startedAt = report.startedAt;
    }
    if (report?.complete) continue;
    const failure = failures.get(index);
    const why = failure
      ? `Its shard (${index + 1} of ${input.shards}) failed: ${redactText(failure.error)}`
      : `Its shard (${index + 1} of ${input.shards}) did not finish`;
    for (const i of feedsOfShard(config, { index, count: input.shards })) {
      if (byIndex.has(i)) continue;
      byIndex.set(i, {
        ...emptyFeedReport(config.feeds[i]),
        status: 'error',
        errorClass: failure?.errorClass ?? 'timeout',
        error: why,
      });
    }
  }
  const feeds = config.feeds.map(
    (f, i) =>
      byIndex.get(i) ?? { ...emptyFeedReport(f), status: 'error' as const, errorClass: 'timeout' as const, error: 'Not fetched' },
  );
  const finished = now();
  const started = startedAt ? new Date(startedAt) : finished;
  const report = buildFetchReport(date, started, finished, feeds, pages);
  const deferred: DeferredFeeds = {
    date,
    runId,
    writtenAt: finished.toISOString(),
    feeds: config.feeds.filter((_, i) => feeds[i].status === 'deferred').map((f) => feedId(f.url)),
  };
  await putJson(store, DEFERRED_FEEDS_KEY, deferred);
  await mergeFetchReport(store, report);
  return report;
}

function emitFeed(run: RunContext, report: FeedReport): void {
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

/** What one shard knows while it works: its inputs, clock and limits. */
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
  /** True once no new request may start (the invocation's time is nearly up). */
  outOfTime: () => boolean;
  /** Stories this shard is storing or has stored: a second feed carrying one waits for the first. */
  stories: Map<string, Promise<StoryOutcome>>;
}

/** One feed's result: its report, its state to save (undefined when it could not be read), its new items. */
interface FeedOutcome {
  report: FeedReport;
  state?: FeedState;
  newItems: NewItem[];
}

/** One item's story: stored (its item may be marked seen) or not, and the page report of the feed that fetched it. */
interface StoryOutcome {
  report?: PageReport;
  stored: boolean;
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
    emitFeed(run, report);
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

/**
 * The story of one new item, stored once per shard: the first feed to meet it fetches the page
 * (or merges into a record stored earlier); another feed of this shard carrying the same story
 * waits for that, then adds itself as a source.
 */
async function storeStoryOnce(run: RunContext, n: NewItem): Promise<StoryOutcome> {
  const pending = run.stories.get(n.storyId);
  if (!pending) {
    const first = storeStory(run, n);
    run.stories.set(n.storyId, first);
    return first;
  }
  const earlier = await pending;
  if (!earlier.stored) return { stored: false };
  try {
    await saveRecord(run, n, async () => {
      throw new Error('stored by this shard a moment ago');
    });
    return { stored: true };
  } catch (err) {
    return { report: storeErrorReport(n, err), stored: false };
  }
}

/** One story: fetched and extracted, or merged into the record stored earlier (another run or shard). */
async function storeStory(run: RunContext, n: NewItem): Promise<StoryOutcome> {
  try {
    const page = await saveRecord(run, n, async () => {
      if (run.outOfTime()) throw new DeferredError();
      return buildRecord(n, run.fetcher, run.started);
    });
    run.emit({
      type: 'article',
      url: page.report.url,
      title: page.record.title,
      contentSource: page.record.contentSource,
      errorClass: page.report.errorClass,
    });
    return { report: page.report, stored: true };
  } catch (err) {
    // Not stored: its item stays unseen, so the next run tries the story again.
    if (err instanceof DeferredError) return { report: deferredPageReport(n), stored: false };
    return { report: storeErrorReport(n, err), stored: false };
  }
}

/** A page not fetched because the invocation was out of time. */
class DeferredError extends Error {
  constructor() {
    super('Not fetched: the run was out of time; tried again next run');
    this.name = 'DeferredError';
  }
}

/** Races lost in a row on one record before giving up (each loss: another shard just added a source). */
const MAX_RECORD_ATTEMPTS = 6;

/**
 * Stores the record of `n`'s story: created with a create-if-absent write (two shards meeting the
 * same story never overwrite each other), or, when it exists, `n`'s feed added to its sources with
 * a compare-and-put. `build` (the page fetch) runs only for a story not stored yet.
 */
async function saveRecord(
  run: RunContext,
  n: NewItem,
  build: () => Promise<{ record: ArticleRecord; report: PageReport }>,
): Promise<{ record: ArticleRecord; report: PageReport }> {
  const key = `${articlesPrefix(run.date)}/${n.storyId}.json`;
  for (let attempt = 0; attempt < MAX_RECORD_ATTEMPTS; attempt++) {
    // A record that cannot be read is an error, never "not stored yet".
    const current = await getJsonVersioned<ArticleRecord>(run.store, key);
    if (!current) {
      const built = await build();
      if (await putJsonIfAbsent(run.store, key, built.record)) return built;
      continue; // another shard stored it meanwhile: add our source to theirs
    }
    const merged = mergeSources(current.value, [n], run.config);
    if (!merged.changed) return merged;
    if (await putJsonIfMatch(run.store, key, merged.record, current.version)) return merged;
  }
  throw new Error(`Article record ${key} kept changing under other writers`);
}

function storeErrorReport(n: NewItem, err: unknown): PageReport {
  return {
    url: redactUrl(n.item.link),
    feedUrl: redactUrl(n.feed.url),
    status: 'error',
    errorClass: 'store',
    error: `Article record could not be stored: ${redactText((err as Error).message)}`,
    bytes: 0,
    durationMs: 0,
    contentSource: 'feed',
  };
}

function deferredPageReport(n: NewItem): PageReport {
  return {
    url: redactUrl(n.item.link),
    feedUrl: redactUrl(n.feed.url),
    status: 'deferred',
    error: new DeferredError().message,
    bytes: 0,
    durationMs: 0,
    contentSource: 'feed',
  };
}

/**
 * Marks the feed's stored items seen, prunes old seen ids, and writes its state. A feed with a new
 * item that could not be stored forgets its validators, so the next run gets the whole feed again
 * rather than a 304 that would hide the item until the feed changes.
 */
async function saveFeedState(run: RunContext, outcome: FeedOutcome, stored: NewItem[]): Promise<void> {
  const state = outcome.state!;
  const seenAt = run.started.toISOString();
  for (const n of stored) state.seen[n.item.id] = seenAt;
  if (outcome.newItems.some((n) => !state.seen[n.item.id])) {
    delete state.etag;
    delete state.lastModified;
  }
  const seenCutoff = run.started.getTime() - run.config.retention.seenDays * 86_400_000;
  for (const [id, at] of Object.entries(state.seen)) if (Date.parse(at) < seenCutoff) delete state.seen[id];
  await putJson(run.store, feedStateKey(state.url), state);
}

function buildFetchReport(
  date: string,
  started: Date,
  finished: Date,
  feedReports: FeedReport[],
  pageReports: PageReport[],
): FetchReport {
  return {
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
      feedsDeferred: feedReports.filter((f) => f.status === 'deferred').length,
      itemsNew: feedReports.reduce((a, f) => a + f.itemsNew, 0),
      articlesExtracted: pageReports.filter((p) => p.status === 'ok' && p.contentSource === 'page').length,
      articlesFromFeed: pageReports.filter((p) => p.contentSource === 'feed' && p.status !== 'deferred').length,
      pagesFailed: pageReports.filter((p) => p.status === 'error').length,
      pagesDeferred: pageReports.filter((p) => p.status === 'deferred').length,
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
function mergeSources(
  record: ArticleRecord,
  group: NewItem[],
  config: Config,
): { record: ArticleRecord; report: PageReport; changed: boolean } {
  let changed = false;
  for (const n of group) {
    if (record.sources.some((s) => s.feedUrl === n.feed.url)) continue;
    record.sources.push(sourceOf(n));
    changed = true;
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
    changed,
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
    sources: [sourceOf(first)],
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
