/**
 * The daily run's time budget, derived from the configuration in one place: each step's function
 * and task timeouts, its retries, and an execution timeout longer than the worst case of all of
 * them together. So a step always fails (and the run reaches RecordFailure) before the execution
 * itself times out, which no Catch can see.
 *
 * Worst case of one step: every attempt runs to its task timeout, and every retry waits its full
 * backoff (FULL jitter waits at most the interval). The shards run in waves of
 * `scale.maxConcurrency`, each wave as long as its slowest shard.
 */
import type { Config } from '../src/config/schema';
import { shardCountFor } from '../src/pipeline/shards';

/** Retries of transient errors (Lambda's own and our TransientError): interval, attempts after the first, growth. */
export interface RetryBudget {
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
}

export interface StepBudget {
  /** The Lambda function's own timeout (the fetch function runs plan, shards and merge: the longest of them). */
  functionSeconds: number;
  /** The task's TimeoutSeconds: a little over the function's, so the function's own timeout error is the one reported. */
  taskSeconds: number;
  retry: RetryBudget;
}

export interface RunBudget {
  shards: number;
  maxConcurrency: number;
  plan: StepBudget;
  shard: StepBudget;
  merge: StepBudget;
  summarize: StepBudget;
  /** Time RecordFailure may take after the last step failed. */
  recordFailureSeconds: number;
  /** Worst cases, per step and in all. */
  worstCase: { plan: number; shards: number; merge: number; summarize: number; total: number };
  /** The state machine's timeout: the worst case plus a margin. */
  executionSeconds: number;
}

/** Lambda's ceiling, and what one shard invocation gets. */
const FETCH_FUNCTION_SECONDS = 15 * 60;
const SUMMARIZE_FUNCTION_SECONDS = 10 * 60;
/** Seconds added to a function's timeout for the task's, so Lambda's own timeout error arrives first. */
const TASK_GRACE_SECONDS = 30;
const MARGIN_SECONDS = 5 * 60;

/**
 * Transient failures only (a handler bug would fail the same way again): 2 retries at 20 s → 40 s,
 * jittered. A shard retried resumes where it stopped (its feeds' state is written as it goes).
 */
const TRANSIENT_RETRY: RetryBudget = { intervalSeconds: 20, maxAttempts: 2, backoffRate: 2 };

/**
 * Plan waits for another execution of the same date to end (RunInProgressError): retried longer.
 */
const PLAN_RETRY: RetryBudget = { intervalSeconds: 60, maxAttempts: 4, backoffRate: 2 };

const step = (functionSeconds: number, taskSeconds: number, retry: RetryBudget): StepBudget => ({
  functionSeconds,
  taskSeconds,
  retry,
});

/** Every attempt to its timeout, every wait at its longest. */
export function worstCaseSeconds(budget: StepBudget): number {
  const { intervalSeconds, maxAttempts, backoffRate } = budget.retry;
  let waits = 0;
  for (let k = 0; k < maxAttempts; k++) waits += intervalSeconds * Math.pow(backoffRate, k);
  return (maxAttempts + 1) * budget.taskSeconds + waits;
}

export function runBudget(config: Config): RunBudget {
  const shards = shardCountFor(config.feeds.length, config.scale.feedsPerShard);
  const maxConcurrency = Math.min(config.scale.maxConcurrency, shards);
  const plan = step(FETCH_FUNCTION_SECONDS, 60, PLAN_RETRY);
  const shard = step(FETCH_FUNCTION_SECONDS, FETCH_FUNCTION_SECONDS + TASK_GRACE_SECONDS, TRANSIENT_RETRY);
  const merge = step(FETCH_FUNCTION_SECONDS, 5 * 60, TRANSIENT_RETRY);
  const summarize = step(SUMMARIZE_FUNCTION_SECONDS, SUMMARIZE_FUNCTION_SECONDS + TASK_GRACE_SECONDS, TRANSIENT_RETRY);
  const waves = Math.ceil(shards / maxConcurrency);
  const worst = {
    plan: worstCaseSeconds(plan),
    shards: waves * worstCaseSeconds(shard),
    merge: worstCaseSeconds(merge),
    summarize: worstCaseSeconds(summarize),
    total: 0,
  };
  const recordFailureSeconds = 60;
  worst.total = worst.plan + worst.shards + worst.merge + worst.summarize + recordFailureSeconds;
  return {
    shards,
    maxConcurrency,
    plan,
    shard,
    merge,
    summarize,
    recordFailureSeconds,
    worstCase: worst,
    executionSeconds: Math.ceil((worst.total + MARGIN_SECONDS) / 60) * 60,
  };
}
