/**
 * Shards of the feed list: how one day's fetch is split between function invocations (a Step
 * Functions Distributed Map deployed; one after the other in `rss-digest run`), so a list of
 * thousands of feeds never rides on one 15-minute Lambda.
 *
 * A feed's shard is a stable hash of its host, so every feed of one host is fetched by the same
 * shard and the per-host politeness limit (network.perHostConcurrency) still holds across the run.
 * Shards carry no feed list: each invocation works out its own feeds from the configuration it was
 * deployed with, so the map's items stay a few bytes each whatever the number of feeds.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/schema';

/** One shard of one run: which part of the feed list an invocation fetches. */
export interface ShardRef {
  date: string;
  /** The run (a Step Functions execution name, or the CLI run's id): shard reports are kept per run. */
  runId: string;
  /** 0-based shard number, below `count`. */
  index: number;
  count: number;
}

/** The shards of one run, as the Plan step hands them to the map. */
export interface ShardPlan {
  date: string;
  runId: string;
  shards: ShardRef[];
}

/** How many shards a feed list needs: about `feedsPerShard` feeds each, at least one. */
export const shardCountFor = (feedCount: number, feedsPerShard: number): number =>
  Math.max(1, Math.ceil(feedCount / Math.max(1, feedsPerShard)));

/** The host a feed is fetched from (its whole URL when it has none we can read). */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return url;
  }
}

/** The shard of a feed URL among `count`: the same for every feed of one host, on every machine. */
export function shardOfUrl(url: string, count: number): number {
  if (count <= 1) return 0;
  const digest = createHash('sha256').update(hostOf(url)).digest();
  return digest.readUInt32BE(0) % count;
}

/** Config positions of the feeds one shard fetches, in config order. */
export function feedsOfShard(config: Config, shard: Pick<ShardRef, 'index' | 'count'>): number[] {
  const out: number[] = [];
  config.feeds.forEach((feed, i) => {
    if (shardOfUrl(feed.url, shard.count) === shard.index) out.push(i);
  });
  return out;
}

/** The plan of a run: `scale.feedsPerShard` decides the number of shards. */
export function planShards(config: Config, date: string, runId: string): ShardPlan {
  const count = shardCountFor(config.feeds.length, config.scale.feedsPerShard);
  return { date, runId, shards: Array.from({ length: count }, (_, index) => ({ date, runId, index, count })) };
}

/** A run id usable in store keys: letters, digits, dot, dash and underscore. */
export const safeRunId = (runId: string): string => runId.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 120) || 'run';

/** Where a shard keeps its report (one writer: that shard), folded by the merge step. */
export const shardReportKey = (shard: Pick<ShardRef, 'date' | 'runId' | 'index'>): string =>
  `state/runs/${shard.date}/shards/${safeRunId(shard.runId)}/${String(shard.index).padStart(4, '0')}.json`;

/** Feeds a run did not reach before its time ran out; the next run fetches them first. One writer: the merge step. */
export const DEFERRED_FEEDS_KEY = 'state/feeds/deferred.json';

export interface DeferredFeeds {
  date: string;
  runId: string;
  writtenAt: string;
  /** Feed state ids (see feedStateKey): no URL, so no credential, is written here. */
  feeds: string[];
}
