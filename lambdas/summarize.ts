/**
 * Step 2 of the daily run: summarize the day's article records, publish site/, mail confirmed
 * subscribers (when the stack set up SES), and count the published digest for the
 * "no digest today" alarm. Input: the fetch step's output ({date}).
 */
import type { Context } from 'aws-lambda';
import { DEPLOY_ENV } from './environment';
import { createChannelDeliverer, createDigestDeliverer } from '../src/delivery';
import { isValidDate } from '../src/pipeline/dates';
import { runPublishStage, type DeliveryReport, type PublishReport } from '../src/pipeline/publish-stage';
import { withRunLease } from '../src/pipeline/run-lease';
import { createSummarizer } from '../src/summarize';
import {
  classifyFailure,
  createDeployedStore,
  FeedsUnreachableError,
  emitPublishedMetric,
  executionOwner,
  summarizerEnvironment,
  InvalidEventError,
  loadDeployedConfig,
  logger,
  runLeaseFor,
} from './deployment';

export interface SummarizeEvent {
  date: string;
  /** The execution whose Plan step took the date's run lease: this step holds it as the same owner, then ends it. */
  runId?: string;
}

export interface SummarizeOutput {
  date: string;
  stories: number;
  /** How many site files were written (the keys themselves are in the run report; state payloads stay small). */
  published: number;
  summaries: PublishReport['summaries'];
  delivery?: Omit<DeliveryReport, 'errors'> & { errors: number };
  channels?: Omit<DeliveryReport, 'errors'> & { errors: number };
}

export const handler = async (event: SummarizeEvent, context?: Context): Promise<SummarizeOutput> => {
  if (context) logger.addContext(context);
  if (!event || typeof event.date !== 'string' || !isValidDate(event.date)) {
    throw new InvalidEventError(`date must be YYYY-MM-DD, got ${JSON.stringify(event?.date)}`);
  }
  const { date } = event;
  const config = loadDeployedConfig();
  const store = createDeployedStore(config);
  logger.info('publish stage starting', { date });
  try {
    const summarizer = createSummarizer(config.summarizer, { network: config.network, env: await summarizerEnvironment(config) });
    const lease = runLeaseFor(context);
    const owner = event.runId ? executionOwner(event.runId) : lease.owner;
    const report = await withRunLease(store, date, { ...lease, owner }, () =>
      runPublishStage({
        config,
        store,
        summarizer,
        date,
        // Mail only where the stack set SES up (and granted state/subscribers/); otherwise the site alone.
        deliver: process.env[DEPLOY_ENV.sesConfigurationSet] ? createDigestDeliverer({ config, store }) : undefined,
        // Chat channels read their webhook URLs and tokens from the variables the config names.
        deliverChannels: createChannelDeliverer({ config, store }),
      }),
    );
    // Every feed failed: the front page keeps the last edition with a notice; the execution fails so the alarm fires.
    if (report.outage) throw new FeedsUnreachableError(date, report.outage.feedsFailed);
    emitPublishedMetric(report.digest.stories.length);
    const delivery = report.delivery ? { ...report.delivery, errors: report.delivery.errors.length } : undefined;
    const channels = report.channels ? { ...report.channels, errors: report.channels.errors.length } : undefined;
    logger.info('publish stage done', {
      date,
      stories: report.digest.stories.length,
      summaries: report.summaries,
      tokens: report.tokens,
      usage: report.usage && { ...report.usage, fallbackArticles: report.usage.fallbackArticles.length },
      delivery,
      channels,
    });
    return {
      date,
      stories: report.digest.stories.length,
      published: report.keys.length,
      summaries: report.summaries,
      delivery,
      ...(channels ? { channels } : {}),
    };
  } catch (err) {
    const failure = classifyFailure(err);
    logger.error('publish stage failed', { date, error: failure });
    throw failure;
  }
};
