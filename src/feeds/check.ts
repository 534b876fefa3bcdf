/**
 * The health of one subscribed feed, as `rss-digest feeds check` reports it: fetched once through
 * the injected fetcher, read by the same parser as a run, and judged: ok, stale (nothing new in
 * a while), failing (since when, from the store's run reports), or not a feed. A permanent
 * redirect is worth a config change; a temporary one is not.
 */
import type { Fetcher, FetchResult } from '../http';
import { FetchError } from '../http';
import type { ErrorClass } from '../types';
import { FeedParseError } from './errors';
import { inspectFeed } from './index';

export interface FeedHealth {
  url: string;
  name?: string;
  verdict: 'ok' | 'stale' | 'failing' | 'not-a-feed';
  /** One line for people: "ok", "stale: nothing in 45 days", "failing since 2026-11-02: HTTP 404"… */
  message: string;
  httpStatus?: number;
  errorClass?: ErrorClass;
  /** Where the feed was in the end, when that is not `url`. */
  finalUrl?: string;
  /** The first hop was 301/308: the config should name `finalUrl`. */
  permanentRedirect?: boolean;
  items?: number;
  /** Age of the newest dated item, in days. */
  newestAgeDays?: number;
  /** Dated items per day over the span they cover. */
  itemsPerDay?: number;
  /** YYYY-MM-DD of the first run report in the current streak of failures, when the store has reports. */
  failingSince?: string;
}

export interface CheckOptions {
  now: Date;
  /** A feed whose newest item is older than this is stale. */
  staleDays: number;
  /** Answers the first hop only (no redirects followed), to tell a permanent redirect from a temporary one. */
  probe: Fetcher;
  /** Dates (YYYY-MM-DD, newest first) and this feed's status in each run report the store holds. */
  history?: { date: string; status: string }[];
}

export const DEFAULT_STALE_DAYS = 30;
const DAY_MS = 86_400_000;

/** The first date of the streak of failed runs that ends with the latest report. */
function failingSinceFrom(history: CheckOptions['history']): string | undefined {
  let since: string | undefined;
  for (const run of history ?? []) {
    if (run.status !== 'error') break;
    since = run.date;
  }
  return since;
}

async function firstHopIsPermanent(probe: Fetcher, url: string): Promise<boolean> {
  try {
    await probe.fetch(url, { kind: 'feed' });
    return false;
  } catch (err) {
    return err instanceof FetchError && (err.status === 301 || err.status === 308);
  }
}

export async function checkFeed(
  feed: { url: string; name?: string },
  fetcher: Fetcher,
  options: CheckOptions,
): Promise<FeedHealth> {
  const base = { url: feed.url, ...(feed.name ? { name: feed.name } : {}) };
  let res: FetchResult;
  try {
    res = await fetcher.fetch(feed.url, { kind: 'feed' });
  } catch (err) {
    const e = err as Error & { errorClass?: ErrorClass; status?: number };
    // Today's failure counts even when no run has recorded it yet.
    const since = failingSinceFrom(options.history) ?? options.now.toISOString().slice(0, 10);
    return {
      ...base,
      verdict: 'failing',
      message: `failing since ${since}: ${e.message}`,
      failingSince: since,
      errorClass: e.errorClass ?? 'network',
      ...(e.status ? { httpStatus: e.status } : {}),
    };
  }
  const redirect =
    res.url !== feed.url ? { finalUrl: res.url, permanentRedirect: await firstHopIsPermanent(options.probe, feed.url) } : {};
  const fetched = { ...base, httpStatus: res.status, ...redirect };
  let entries;
  try {
    entries = (await inspectFeed(res.text, res.url)).entries;
  } catch (err) {
    const message =
      err instanceof FeedParseError && err.errorClass === 'not-a-feed' ? 'not a feed' : `unreadable: ${(err as Error).message}`;
    return { ...fetched, verdict: 'not-a-feed', message, errorClass: err instanceof FeedParseError ? err.errorClass : 'parse' };
  }
  const times = entries
    .map((e) => (e.published ? Date.parse(e.published) : NaN))
    .filter((t) => Number.isFinite(t) && t <= options.now.getTime());
  const newest = times.length ? Math.max(...times) : undefined;
  const oldest = times.length ? Math.min(...times) : undefined;
  const newestAgeDays = newest === undefined ? undefined : Math.round((options.now.getTime() - newest) / DAY_MS);
  const spanDays = newest !== undefined && oldest !== undefined ? Math.max(1, (newest - oldest) / DAY_MS) : undefined;
  const health: FeedHealth = {
    ...fetched,
    verdict: 'ok',
    message: 'ok',
    items: entries.length,
    ...(newestAgeDays !== undefined ? { newestAgeDays } : {}),
    ...(spanDays ? { itemsPerDay: Math.round((times.length / spanDays) * 10) / 10 } : {}),
  };
  if (entries.length === 0 || (newestAgeDays !== undefined && newestAgeDays >= options.staleDays)) {
    health.verdict = 'stale';
    health.message = entries.length === 0 ? 'stale: no items' : `stale: nothing in ${newestAgeDays} days`;
  }
  if (health.permanentRedirect) health.message += `; moved for good: update the config to ${res.url}`;
  return health;
}
