/**
 * The fetch half of the daily run (Step Functions → this Lambda), in three steps the state machine
 * names in the event: `plan` (the date from the schedule's {"scheduledTime": …} or a manual
 * {"date": "YYYY-MM-DD"}, the run lease, the shard list), `shard` (one item of the Distributed
 * Map: fetch one shard's feeds and new article pages into state/articles/<date>/) and `merge` (the
 * day's report from every shard's). An event without `step` does all three in one invocation.
 */
import type { Context } from 'aws-lambda';
import type { Config } from '../src/config/schema';
import { createFetcher } from '../src/http';
import { dateInZone, isValidDate } from '../src/pipeline/dates';
import type { PipelineEvent } from '../src/pipeline/events';
import { fetchShard, mergeShards, runFetchStage, type FetchReport } from '../src/pipeline/fetch-stage';
import { runLeaseKey, RunInProgressError, withRunLease } from '../src/pipeline/run-lease';
import { planShards, type ShardPlan, type ShardRef } from '../src/pipeline/shards';
import { claim } from '../src/store/claims';
import {
  classifyFailure,
  createDeployedStore,
  executionOwner,
  InvalidEventError,
  loadDeployedConfig,
  logger,
  runLeaseFor,
} from './deployment';

export interface FetchEvent {
  /** Set by EventBridge Scheduler: the instant the run was due (retries keep the same date). */
  scheduledTime?: string;
  /** Explicit digest date (a manual re-run of a day). */
  date?: string;
}

/** The state machine's first step: the run's date, id and shards, and the run lease for the execution. */
export interface PlanEvent {
  step: 'plan';
  /** The execution's input: the schedule's {scheduledTime} or a manual {date} (or {}). */
  input?: FetchEvent;
  /** The execution's name: the run lease's owner and the folder of the shard reports. */
  runId: string;
  /** How long the execution may last (its timeout): the lease is held that long, then released by the last step. */
  leaseSeconds: number;
}

/** One item of the Distributed Map: fetch one shard of the feed list. */
export interface ShardEvent {
  step: 'shard';
  shard: ShardRef;
}

/** A map item that failed as a whole (its Catch): which shard, and the error Step Functions caught. */
export interface FailedShardResult {
  failed: true;
  index: number;
  error?: string;
  cause?: string;
}

/** After the map: fold every shard's report into the day's report. */
export interface MergeEvent {
  step: 'merge';
  date: string;
  runId: string;
  count: number;
  results: (ShardOutput | FailedShardResult)[];
}

export interface FetchOutput {
  date: string;
  /** The run (Step Functions execution) whose lease the next steps hold; absent for a one-step fetch. */
  runId?: string;
  stats: FetchReport['stats'];
}

export interface ShardOutput {
  index: number;
  feeds: number;
  deferred: number;
  failed: number;
  stories: number;
}

/** The digest date of an event: explicit, else the scheduled instant's day in digest.timezone, else today. */
export function dateOfEvent(event: FetchEvent, timeZone: string, now: Date): string {
  if (event.date !== undefined) {
    if (!isValidDate(event.date)) throw new InvalidEventError(`date must be YYYY-MM-DD, got ${JSON.stringify(event.date)}`);
    return event.date;
  }
  if (event.scheduledTime !== undefined) {
    const at = new Date(event.scheduledTime);
    if (Number.isNaN(at.getTime()))
      throw new InvalidEventError(`scheduledTime is not a timestamp: ${JSON.stringify(event.scheduledTime)}`);
    return dateInZone(at, timeZone);
  }
  return dateInZone(now, timeZone);
}

export function handler(event: PlanEvent, context?: Context): Promise<ShardPlan & { count: number }>;
export function handler(event: ShardEvent, context?: Context): Promise<ShardOutput>;
export function handler(event: MergeEvent, context?: Context): Promise<FetchOutput>;
export function handler(event?: FetchEvent, context?: Context): Promise<FetchOutput>;
/** One function, four steps: the state machine names the step; a bare event fetches everything at once. */
export async function handler(
  event: FetchEvent | PlanEvent | ShardEvent | MergeEvent = {},
  context?: Context,
): Promise<FetchOutput | ShardOutput | (ShardPlan & { count: number })> {
  if (context) logger.addContext(context);
  const config = loadDeployedConfig();
  const step = (event as { step?: string } | null)?.step;
  try {
    if (step === 'plan') return await plan(config, event as PlanEvent);
    if (step === 'shard') return await fetchOneShard(config, event as ShardEvent, context);
    if (step === 'merge') return await merge(config, event as MergeEvent);
    if (step !== undefined) throw new InvalidEventError(`unknown step ${JSON.stringify(step)}`);
    return await fetchAll(config, (event ?? {}) as FetchEvent, context);
  } catch (err) {
    const failure = classifyFailure(err);
    logger.error('fetch step failed', { step: step ?? 'all', error: failure });
    throw failure;
  }
}

/** The run's date and shards; the date's run lease is taken for the whole execution. */
async function plan(config: Config, event: PlanEvent): Promise<ShardPlan & { count: number }> {
  if (typeof event.runId !== 'string' || !event.runId) throw new InvalidEventError('plan needs the execution name as runId');
  const leaseSeconds = Number(event.leaseSeconds);
  if (!Number.isFinite(leaseSeconds) || leaseSeconds <= 0) throw new InvalidEventError('plan needs leaseSeconds > 0');
  const date = dateOfEvent(event.input ?? {}, config.digest.timezone, new Date());
  const store = createDeployedStore(config);
  // Released by the summarize step at the end of the execution (same owner); a crashed execution's lease runs out.
  const outcome = await claim(store, runLeaseKey(date), {
    owner: executionOwner(event.runId),
    now: new Date(),
    leaseMs: leaseSeconds * 1000,
  });
  if (!outcome.won) throw new RunInProgressError(date, outcome.holder);
  const shardPlan = planShards(config, date, event.runId);
  logger.info('run planned', { date, runId: event.runId, feeds: config.feeds.length, shards: shardPlan.shards.length });
  return { ...shardPlan, count: shardPlan.shards.length };
}

/** One shard, stopping new requests before the invocation's end so its state and report are written. */
async function fetchOneShard(config: Config, event: ShardEvent, context?: Context): Promise<ShardOutput> {
  const shard = event.shard;
  if (
    !shard ||
    !isValidDate(shard.date) ||
    !Number.isInteger(shard.index) ||
    !Number.isInteger(shard.count) ||
    shard.index >= shard.count
  ) {
    throw new InvalidEventError(`shard must be {date, runId, index, count}, got ${JSON.stringify(shard)}`);
  }
  const report = await fetchShard({
    config,
    store: createDeployedStore(config),
    fetcher: createFetcher(config.network),
    date: shard.date,
    runId: shard.runId,
    shard,
    remainingMs: context ? () => context.getRemainingTimeInMillis() : undefined,
    onEvent: logFeedFailures,
  });
  const output: ShardOutput = {
    index: shard.index,
    feeds: report.feeds.length,
    deferred: report.feeds.filter((f) => f.status === 'deferred').length,
    failed: report.feeds.filter((f) => f.status === 'error').length,
    stories: report.pages.filter((p) => p.status === 'ok' || p.status === 'skipped').length,
  };
  logger.info('shard done', { date: shard.date, ...output });
  return output;
}

/** The day's report from every shard's; shards the map caught failing make their unreported feeds errors. */
async function merge(config: Config, event: MergeEvent): Promise<FetchOutput> {
  if (!isValidDate(event.date) || !event.runId || !Number.isInteger(event.count)) {
    throw new InvalidEventError(
      `merge needs {date, runId, count, results}, got ${JSON.stringify({ ...event, results: undefined })}`,
    );
  }
  const failures = (event.results ?? [])
    .filter((r): r is FailedShardResult => (r as FailedShardResult).failed === true)
    .map((r) => ({
      index: r.index,
      error: shardError(r),
      errorClass: r.error === 'States.Timeout' || r.error === 'Sandbox.Timedout' ? ('timeout' as const) : undefined,
    }));
  const report = await mergeShards({
    config,
    store: createDeployedStore(config),
    date: event.date,
    runId: event.runId,
    shards: event.count,
    failures,
  });
  logger.info('fetch merged', { date: event.date, runId: event.runId, failedShards: failures.length, ...report.stats });
  return { date: event.date, runId: event.runId, stats: report.stats };
}

/** What Step Functions caught, in a line: the error name and the message inside its Cause. */
function shardError(r: FailedShardResult): string {
  let message = r.cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: string };
    if (parsed.errorMessage) message = parsed.errorMessage;
  } catch {
    // a plain-text cause
  }
  return [r.error, message].filter(Boolean).join(': ').slice(0, 500);
}

/** Every step at once in one invocation (a manual run of the function, or a small deployment's test). */
async function fetchAll(config: Config, event: FetchEvent, context?: Context): Promise<FetchOutput> {
  const date = dateOfEvent(event, config.digest.timezone, new Date());
  logger.info('fetch stage starting', { date, feeds: config.feeds.length });
  const store = createDeployedStore(config);
  // One fetch of a date at a time. The lease lasts as long as this invocation can: a retry after a timeout finds it free.
  const report = await withRunLease(store, date, runLeaseFor(context), () =>
    runFetchStage({
      config,
      store,
      fetcher: createFetcher(config.network),
      date,
      remainingMs: context ? () => context.getRemainingTimeInMillis() : undefined,
      onEvent: logFeedFailures,
    }),
  );
  logger.info('fetch stage done', { date, durationMs: report.durationMs, ...report.stats });
  return { date, stats: report.stats };
}

/** URLs in events are redacted by the stage: no feed credential reaches the logs. */
function logFeedFailures(e: PipelineEvent): void {
  if (e.type === 'feed' && e.status === 'error')
    logger.warn('feed failed', { url: e.url, name: e.name, errorClass: e.errorClass, error: e.error });
}
