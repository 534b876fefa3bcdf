#!/usr/bin/env node
/**
 * rss-digest command line:
 *   rss-digest run --config FILE [--out DIR] [--date YYYY-MM-DD]
 *   rss-digest serve [--config FILE] [--out DIR] [--port N]
 *   rss-digest feeds add|check|export|import (src/cli/feeds.ts)
 *
 * Exit codes (README "Exit codes"): 0 published (some feeds or pages may have failed: see the
 * summary), 1 an unexpected error, 2 a bad configuration, 3 every feed failed (nothing published,
 * nobody mailed), 4 another run of the same date is in progress (nothing changed).
 */
import { Command, InvalidArgumentError } from 'commander';
import path from 'node:path';
import { ConfigError, loadConfigFile, parseConfig } from '../config';
import { createChannelDeliverer, createDigestDeliverer } from '../delivery';
import { isValidDate, RunInProgressError, runDigest, type RunSummary } from '../pipeline';
import { redactText } from '../http/redact';
import { createStore, DEFAULT_OUT_DIR } from './adapters';
import { registerFeedsCommand } from './feeds';
import { createProgress } from './progress';
import { startServer } from './serve';

const parseDate = (value: string): string => {
  if (!isValidDate(value)) throw new InvalidArgumentError('expected a date as YYYY-MM-DD');
  return value;
};
const parsePort = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
};

export const EXIT = { ok: 0, error: 1, config: 2, outage: 3, busy: 4 } as const;

/** "3 requests, 2,410 tokens in, 180 out, 5 cached, $0.0005; fell back: budget 2". */
function formatUsage(usage: NonNullable<RunSummary['publish']['usage']>): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const parts = [
    `${n(usage.requests)} request${usage.requests === 1 ? '' : 's'}`,
    `${n(usage.inputTokens)} tokens in, ${n(usage.outputTokens)} out`,
    `${n(usage.cached)} cached`,
  ];
  if (usage.cost !== undefined) parts.push(`$${usage.cost.toFixed(4)}`);
  const fallbacks = Object.entries(usage.fallbacks).map(([reason, count]) => `${reason} ${count}`);
  return parts.join(', ') + (fallbacks.length ? `; fell back to extractive: ${fallbacks.join(', ')}` : '');
}

/** "channels: 2 posted, 1 failed (posted on the next run), 0 already posted" and one line per failure. */
function channelLines(report: NonNullable<RunSummary['publish']['channels']>): string[] {
  return [
    `  channels: ${report.sent} posted, ${report.failed} failed${report.failed ? ' (tried again on the next run)' : ''}, ${report.skipped} already posted`,
    ...report.errors.map((e) => redactText(`  ✗ ${e.target}: ${e.message}`)),
  ];
}

export function formatSummary(summary: RunSummary): string {
  const f = summary.fetch.stats;
  const p = summary.publish;
  const lines = [
    summary.outage
      ? `Digest ${summary.date}: NOT PUBLISHED: all ${summary.outage.feedsFailed} feeds failed${
          summary.outage.showing ? `; the front page keeps the ${summary.outage.showing} edition with a notice` : ''
        }, nobody was mailed`
      : `Digest ${summary.date}: ${p.digest.stories.length} stories`,
    `  feeds: ${f.feedsOk} ok, ${f.feedsFailed} failed, ${f.feedsNotModified} not modified`,
    `  articles: ${f.articlesExtracted} extracted from pages, ${f.articlesFromFeed} from feed text, ${f.pagesFailed} pages failed`,
    `  summaries: ${p.summaries.extractive} extractive, ${p.summaries.bedrock} bedrock, ${p.summaries.openai} openai, ${p.summaries.feed} from feed text, ${p.summaries.failed} failed`,
  ];
  if (p.usage) lines.push(`  LLM: ${formatUsage(p.usage)}`);
  if (p.delivery) {
    const reasons = Object.entries(p.delivery.skippedBy ?? {}).map(([reason, n]) => `${reason} ${n}`);
    lines.push(
      `  mail: ${p.delivery.sent} sent, ${p.delivery.failed} failed, ${p.delivery.skipped} skipped${reasons.length ? ` (${reasons.join(', ')})` : ''}`,
    );
  }
  if (p.channels) lines.push(...channelLines(p.channels));
  for (const failure of summary.failures.slice(0, 20)) {
    const what = failure.name ? `${failure.name} <${failure.url}>` : failure.url;
    lines.push(redactText(`  ✗ ${failure.kind} ${what}: ${failure.errorClass ?? 'error'} ${failure.message ?? ''}`.trimEnd()));
  }
  if (summary.failures.length > 20)
    lines.push(`  … and ${summary.failures.length - 20} more failures (see state/runs/${summary.date}/)`);
  for (const warning of summary.warnings.slice(0, 20)) {
    lines.push(`  ! ${warning.kind} ${warning.url}: ${warning.errorClass ?? 'warning'} ${warning.message}`);
  }
  if (summary.warnings.length > 20) lines.push(`  … and ${summary.warnings.length - 20} more warnings`);
  lines.push(`  time: ${(summary.durationMs / 1000).toFixed(1)} s`);
  lines.push(`Open: ${summary.indexLocation}`);
  return lines.join('\n');
}

export function buildProgram(): Command {
  const program = new Command();
  program.name('rss-digest').description('Turn RSS/Atom feeds into a daily summarized digest.').showHelpAfterError();

  program
    .command('run')
    .description("build a day's digest")
    .requiredOption('-c, --config <file>', 'configuration file (YAML or JSON)')
    .option('-o, --out <dir>', `output folder for the filesystem store (default ${DEFAULT_OUT_DIR})`)
    .option('-d, --date <YYYY-MM-DD>', "the digest's date (default: today in digest.timezone)", parseDate)
    .action(async (opts: { config: string; out?: string; date?: string }) => {
      const config = await loadConfigFile(opts.config);
      const outDir = opts.out ?? (config.store.kind === 'fs' ? config.store.dir : undefined) ?? DEFAULT_OUT_DIR;
      const store = createStore(config, outDir);
      const progress = createProgress();
      const summary = await runDigest({
        config,
        store,
        date: opts.date,
        onEvent: (e) => progress.onEvent(e),
        deliver: createDigestDeliverer({ config, store, outDir: path.resolve(outDir) }),
        deliverChannels: createChannelDeliverer({ config, store }),
      });
      progress.done();
      process.stdout.write(formatSummary(summary) + '\n');
      if (summary.outage) process.exitCode = EXIT.outage;
    });

  program
    .command('serve')
    .description('serve the digest site (and the subscription endpoint) on localhost')
    .option('-c, --config <file>', 'configuration file')
    .option('-o, --out <dir>', 'output folder that holds site/', DEFAULT_OUT_DIR)
    .option('-p, --port <n>', 'port (0 = any free port)', parsePort, 8080)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (opts: { config?: string; out: string; port: number; host: string }) => {
      const config = opts.config ? await loadConfigFile(opts.config) : parseConfig({});
      const server = await startServer({ outDir: opts.out, port: opts.port, host: opts.host, config });
      process.stdout.write(`Serving ${path.resolve(opts.out, 'site')} at ${server.url}/ (Ctrl-C to stop)\n`);
      const stop = (): void => void server.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  registerFeedsCommand(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`rss-digest: ${err.message}\n`);
      process.exitCode = EXIT.config;
      return;
    }
    if (err instanceof RunInProgressError) {
      process.stderr.write(`rss-digest: ${err.message}\n`);
      process.exitCode = EXIT.busy;
      return;
    }
    process.stderr.write(`rss-digest: ${redactText((err as Error).stack ?? String(err))}\n`);
    process.exitCode = EXIT.error;
  }
}

if (require.main === module) void main();
