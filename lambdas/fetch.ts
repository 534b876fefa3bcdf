/**
 * Step 1 of the daily run (Step Functions → this Lambda): fetch every feed and new article page
 * into state/articles/<date>/. The event comes from the schedule ({"scheduledTime": …}) or a
 * manual start ({"date": "YYYY-MM-DD"} or {}); the output ({date, stats}) is the summarize step's input.
 */
import type { Context } from 'aws-lambda';
import { createFetcher } from '../src/http';
import { dateInZone, isValidDate } from '../src/pipeline/dates';
import { runFetchStage, type FetchReport } from '../src/pipeline/fetch-stage';
import { withRunLease } from '../src/pipeline/run-lease';
import { classifyFailure, createDeployedStore, InvalidEventError, loadDeployedConfig, logger, runLeaseFor } from './deployment';

export interface FetchEvent {
  /** Set by EventBridge Scheduler: the instant the run was due (retries keep the same date). */
  scheduledTime?: string;
  /** Explicit digest date (a manual re-run of a day). */
  date?: string;
}

export interface FetchOutput {
  date: string;
  stats: FetchReport['stats'];
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

export const handler = async (event: FetchEvent = {}, context?: Context): Promise<FetchOutput> => {
  if (context) logger.addContext(context);
  const config = loadDeployedConfig();
  const date = dateOfEvent(event ?? {}, config.digest.timezone, new Date());
  logger.info('fetch stage starting', { date, feeds: config.feeds.length });
  try {
    const store = createDeployedStore(config);
    // One fetch of a date at a time (an overlapping execution waits through its retries). The lease
    // lasts as long as this invocation can: a retry after a timeout finds it free.
    const report = await withRunLease(store, date, runLeaseFor(context), () =>
      runFetchStage({
        config,
        store,
        fetcher: createFetcher(config.network),
        date,
        onEvent: (e) => {
          // URLs in events are redacted by the stage: no feed credential reaches the logs.
          if (e.type === 'feed' && e.status === 'error')
            logger.warn('feed failed', { url: e.url, name: e.name, errorClass: e.errorClass, error: e.error });
        },
      }),
    );
    logger.info('fetch stage done', { date, durationMs: report.durationMs, ...report.stats });
    return { date, stats: report.stats };
  } catch (err) {
    const failure = classifyFailure(err);
    logger.error('fetch stage failed', { date, error: failure });
    throw failure;
  }
};
