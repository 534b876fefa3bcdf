/**
 * `rss-digest feeds add|check|export|import`: managing the subscribed feeds as a feed reader does.
 * The commands read the config through the same schema as a run, fetch through the same hardened
 * fetcher with the config's `network` limits, and edit the config file in place, keeping its
 * comments and layout (the `yaml` package edits the document, not a re-serialized copy).
 */
import { Command, InvalidArgumentError } from 'commander';
import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML, { isSeq, type YAMLSeq } from 'yaml';
import { ConfigError, loadConfigFile, parseConfig, parseConfigText, parseOpml, type Config } from '../config';
import { checkFeed, DEFAULT_STALE_DAYS, type FeedHealth } from '../feeds/check';
import { discoverFeeds, type FeedCandidate } from '../feeds/discover';
import { toOpml } from '../feeds/opml-export';
import { createFetcher } from '../http';
import { fetchReportKey } from '../pipeline/keys';
import { getJson, type Store } from '../store';
import type { FetchReport } from '../pipeline/fetch-stage';
import { createStore, DEFAULT_OUT_DIR } from './adapters';

export const DEFAULT_CONFIG_FILE = 'digest.config.yaml';

interface NewFeed {
  url: string;
  name?: string;
  category?: string;
}

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number from 1');
  return n;
};

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

/**
 * The config a command that edits it works with: the file as written (no feeds yet is fine: that
 * is how one starts), or the defaults when the file does not exist yet.
 */
async function configForEditing(file: string): Promise<Config> {
  return (await exists(file)) ? parseConfigText(await readFile(file, 'utf8'), file) : parseConfig({});
}

/**
 * Appends feeds to the config file, skipping URLs it already has, and keeps everything else as it
 * was written (comments, order, quoting). The result is validated before it is written.
 */
export async function addFeedsToConfigFile(file: string, feeds: NewFeed[]): Promise<{ added: NewFeed[]; present: NewFeed[] }> {
  const text = (await exists(file)) ? await readFile(file, 'utf8') : '';
  const known = new Set((await configForEditing(file)).feeds.map((f) => f.url));
  const added: NewFeed[] = [];
  const present: NewFeed[] = [];
  for (const feed of feeds) {
    if (known.has(feed.url)) present.push(feed);
    else {
      known.add(feed.url);
      added.push(feed);
    }
  }
  if (!added.length) return { added, present };
  const entries = added.map((f) => ({
    url: f.url,
    ...(f.name ? { name: f.name } : {}),
    ...(f.category ? { category: f.category } : {}),
  }));
  let updated: string;
  if (path.extname(file).toLowerCase() === '.json') {
    const raw = (text.trim() ? JSON.parse(text) : {}) as { feeds?: unknown[] };
    raw.feeds = [...(raw.feeds ?? []), ...entries];
    updated = JSON.stringify(raw, null, 2) + '\n';
  } else {
    const doc = YAML.parseDocument(text);
    const node = doc.get('feeds', true);
    if (!isSeq(node)) doc.set('feeds', doc.createNode(entries));
    else {
      const seq = node as YAMLSeq;
      if (seq.flow && seq.items.length === 0) seq.flow = false; // `feeds: []` becomes a block list
      for (const entry of entries) seq.add(doc.createNode(entry));
    }
    updated = doc.toString();
  }
  parseConfigText(updated, file);
  await writeFile(file, updated);
  return { added, present };
}

const isoDay = (iso: string | undefined): string => (iso ? iso.slice(0, 10) : '—');

export function formatCandidates(candidates: FeedCandidate[]): string {
  return candidates
    .map(
      (c, i) =>
        `${String(i + 1).padStart(3)}. ${c.title ?? '(untitled)'}\n     ${c.url}\n     ${c.format}, ${c.items} item${c.items === 1 ? '' : 's'}, newest ${isoDay(c.newest)} (found by ${c.via})`,
    )
    .join('\n');
}

/** Every run report the store holds, newest first (what `feeds check` reads to say since when a feed fails). */
async function runHistory(store: Store): Promise<FetchReport[]> {
  let keys: string[];
  try {
    keys = await store.list('state/runs');
  } catch {
    return [];
  }
  const dates = keys
    .map((k) => /^state\/runs\/(\d{4}-\d{2}-\d{2})\/fetch\.json$/.exec(k)?.[1])
    .filter((d): d is string => !!d)
    .sort()
    .reverse();
  const reports = await Promise.all(dates.map((d) => getJson<FetchReport>(store, fetchReportKey(d)).catch(() => undefined)));
  return reports.filter((r): r is FetchReport => !!r);
}

const cell = (v: string | number | undefined, width: number): string => String(v ?? '—').padEnd(width);

export function formatHealthTable(rows: FeedHealth[]): string {
  const lines = [`${cell('verdict', 11)}${cell('HTTP', 6)}${cell('items', 7)}${cell('newest', 9)}${cell('/day', 7)}feed`];
  for (const r of rows) {
    const newest = r.newestAgeDays === undefined ? undefined : `${r.newestAgeDays}d ago`;
    lines.push(
      `${cell(r.verdict, 11)}${cell(r.httpStatus, 6)}${cell(r.items, 7)}${cell(newest, 9)}${cell(r.itemsPerDay, 7)}${r.name ?? r.url}`,
    );
    if (r.name) lines.push(`${' '.repeat(40)}${r.url}`);
    if (r.message !== 'ok') lines.push(`${' '.repeat(40)}→ ${r.message}`);
    else if (r.finalUrl) lines.push(`${' '.repeat(40)}→ redirected (temporarily) to ${r.finalUrl}`);
  }
  const failing = rows.filter((r) => r.verdict === 'failing' || r.verdict === 'not-a-feed').length;
  const stale = rows.filter((r) => r.verdict === 'stale').length;
  lines.push('', `${rows.length} feeds: ${rows.length - failing - stale} ok, ${stale} stale, ${failing} failing`);
  return lines.join('\n');
}

export function registerFeedsCommand(program: Command): void {
  const feeds = program.command('feeds').description('manage the subscribed feeds: add, check, export, import');
  const configOption = [
    '-c, --config <file>',
    `configuration file (default ${DEFAULT_CONFIG_FILE})`,
    DEFAULT_CONFIG_FILE,
  ] as const;

  feeds
    .command('add')
    .description("discover a site's feeds, list them, and add one to the config")
    .argument('<url>', 'a site, a page or a feed')
    .option(...configOption)
    .option('--pick <n>', 'add the Nth candidate', positiveInt)
    .option('-y, --yes', 'add the first candidate')
    .action(async (url: string, opts: { config: string; pick?: number; yes?: boolean }) => {
      const config = await configForEditing(opts.config);
      const candidates = await discoverFeeds(url, createFetcher(config.network));
      if (!candidates.length) {
        process.stderr.write(`rss-digest: no feed found at ${url}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`Feeds found at ${url}:\n${formatCandidates(candidates)}\n`);
      const pick = opts.pick ?? (opts.yes ? 1 : undefined);
      if (pick === undefined) {
        process.stdout.write(`\nAdd one with: rss-digest feeds add ${url} --pick N (or --yes for the first)\n`);
        return;
      }
      const chosen = candidates[pick - 1];
      if (!chosen) {
        process.stderr.write(`rss-digest: --pick ${pick}: there are ${candidates.length} candidates\n`);
        process.exitCode = 1;
        return;
      }
      const { added } = await addFeedsToConfigFile(opts.config, [{ url: chosen.url, name: chosen.title }]);
      process.stdout.write(
        added.length ? `\nAdded ${chosen.url} to ${opts.config}\n` : `\n${chosen.url} is already in ${opts.config}\n`,
      );
    });

  feeds
    .command('check')
    .description('fetch every feed once and report its health; exit code 1 when any feed fails')
    .option(...configOption)
    .option('-o, --out <dir>', `the store folder whose run reports say since when a feed fails (default ${DEFAULT_OUT_DIR})`)
    .option('--stale-days <n>', `days without a new item before a feed is stale (default ${DEFAULT_STALE_DAYS})`, positiveInt)
    .option('--json', 'print the results as JSON')
    .action(async (opts: { config: string; out?: string; staleDays?: number; json?: boolean }) => {
      const config = await loadConfigFile(opts.config);
      const fetcher = createFetcher(config.network);
      const probe = createFetcher({ ...config.network, maxRedirects: 0 });
      const reports = await runHistory(createStore(config, opts.out));
      const now = new Date();
      const rows = await Promise.all(
        config.feeds.map((feed) =>
          checkFeed(feed, fetcher, {
            now,
            staleDays: opts.staleDays ?? DEFAULT_STALE_DAYS,
            probe,
            history: reports.map((r) => ({ date: r.date, status: r.feeds.find((f) => f.url === feed.url)?.status ?? 'absent' })),
          }),
        ),
      );
      process.stdout.write(opts.json ? JSON.stringify(rows, null, 2) + '\n' : formatHealthTable(rows) + '\n');
      if (rows.some((r) => r.verdict === 'failing' || r.verdict === 'not-a-feed')) process.exitCode = 1;
    });

  feeds
    .command('export')
    .description('write the feeds as OPML 2.0 (categories as outlines), for other feed readers')
    .option(...configOption)
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action(async (opts: { config: string; output?: string }) => {
      const config = await loadConfigFile(opts.config);
      const opml = toOpml(config.feeds, config.digest.title, new Date());
      if (opts.output) await writeFile(opts.output, opml);
      else process.stdout.write(opml);
    });

  feeds
    .command('import')
    .description("merge an OPML file's feeds into the config (parent outline = category)")
    .argument('<file>', 'an OPML 1.0/2.0 file')
    .option(...configOption)
    .action(async (file: string, opts: { config: string }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new ConfigError(`Cannot read OPML file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const imported = parseOpml(text);
      const { added, present } = await addFeedsToConfigFile(
        opts.config,
        imported.map((f) => ({ url: f.url, name: f.name, category: f.category })),
      );
      process.stdout.write(`Imported ${added.length} feeds into ${opts.config} (${present.length} already there)\n`);
    });
}
