/**
 * Extraction benchmark: our extractArticle vs @mozilla/readability + linkedom, in one process and run,
 * over the ScrapingHub article-extraction-benchmark dev pages, scored with the shared scorer's metric code.
 *
 *   npm run bench:extract [-- --data <dir>] [--limit N] [--only ours|readability] [--warmup N|all] [--parser parse5]
 *                         [--save file.json] [--worst N]
 *
 * The data directory defaults to ../shared/bench/extraction/dev (or $EXTRACT_BENCH_DIR); the metric is imported at
 * run time from ../shared/bench/extraction/scorer/lib/metric.mjs (or $EXTRACT_SCORER), never copied here.
 *
 * Pages are read from disk one at a time outside the timed call. Order matters for memory: ours runs first, then
 * the parser-only baseline, then Readability, so the process-wide peak RSS read after our phase is our peak (it
 * includes Node, tsx and all loaded modules); later phases' peaks include everything before them. "RSS growth" is
 * the peak sampled during the phase minus the RSS before it. Use --only to measure one extractor alone.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import os from 'node:os';
import * as cheerio from 'cheerio';
import { extractArticle } from '../src/extract';
import { cpuMsSince, peakRssMb, helpIfAsked } from './harness';

helpIfAsked(__filename);

interface Page {
  id: string;
  url: string;
  truth: string;
  /** Read from disk right before each timed call, so peak RSS reflects the extractor, not 32 MB of held pages. */
  htmlPath: string;
}
interface Metric {
  f1: number;
  precision: number;
  recall: number;
  accuracy: number;
  n: number;
  triples: [number, number, number][];
}
interface MetricModule {
  scorePages(
    pages: { truth: string; pred: string }[],
    opts?: { nBootstrap?: number; seed?: number },
  ): Metric & Record<string, number>;
}
interface PhaseResult {
  name: string;
  preds: string[];
  cpuMs: number[];
  wallMs: number[];
  peakRssMb: number;
  rssGrowthMb: number;
  errors: number;
}

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    scorer: { type: 'string' },
    limit: { type: 'string' },
    only: { type: 'string' },
    save: { type: 'string' },
    worst: { type: 'string', default: '0' },
    bootstrap: { type: 'string', default: '200' },
    /** Untimed pages per extractor before timing: a number, or "all" (default) for one full pass. */
    warmup: { type: 'string', default: 'all' },
    /** cheerio parser used by our extractor: htmlparser2 (default) or parse5, to check the parser costs no F1. */
    parser: { type: 'string', default: 'htmlparser2' },
  },
});

const repoRoot = resolve(__dirname, '..');
const dataDir = resolve(args.data ?? process.env.EXTRACT_BENCH_DIR ?? join(repoRoot, '../shared/bench/extraction/dev'));
const scorerPath = resolve(
  args.scorer ?? process.env.EXTRACT_SCORER ?? join(repoRoot, '../shared/bench/extraction/scorer/lib/metric.mjs'),
);

// A real dynamic import (this file is compiled as CommonJS, where `import()` may be rewritten to `require`,
// which cannot load the scorer's .mjs on Node 20).
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

function loadPages(dir: string, limit: number): Page[] {
  const files = new Set(readdirSync(dir));
  const ids = [...files]
    .filter((f) => f.endsWith('.json') && files.has(f.slice(0, -5) + '.html'))
    .map((f) => f.slice(0, -5))
    .sort()
    .slice(0, limit);
  return ids.map((id) => {
    const meta = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as { url?: string; articleBody?: string };
    return { id, url: meta.url ?? 'https://example.invalid/', truth: meta.articleBody ?? '', htmlPath: join(dir, `${id}.html`) };
  });
}

function runPhase(name: string, pages: Page[], extract: (html: string, url: string) => string): PhaseResult {
  const rssBefore = process.memoryUsage().rss;
  let rssPeakSampled = rssBefore;
  const preds: string[] = [];
  const cpuMs: number[] = [];
  const wallMs: number[] = [];
  let errors = 0;
  gc?.();
  for (const p of pages) {
    const html = readFileSync(p.htmlPath, 'utf8');
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let out = '';
    try {
      out = extract(html, p.url);
    } catch {
      errors++;
    }
    wallMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    cpuMs.push(cpuMsSince(c0));
    preds.push(out);
    rssPeakSampled = Math.max(rssPeakSampled, process.memoryUsage().rss);
  }
  return {
    name,
    preds,
    cpuMs,
    wallMs,
    errors,
    peakRssMb: peakRssMb(),
    rssGrowthMb: (rssPeakSampled - rssBefore) / 2 ** 20,
  };
}

// Exposed when run with --expose-gc (the npm script does): a full collection between phases so that one phase's
// garbage is not collected on the next phase's clock.
const gc = (globalThis as { gc?: () => void }).gc;

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '  -  ');

async function main(): Promise<void> {
  const metric = (await importEsm(pathToFileURL(scorerPath).href)) as MetricModule;
  const pages = loadPages(dataDir, args.limit ? Number(args.limit) : Infinity);
  if (!pages.length) throw new Error(`no {id}.html + {id}.json pages in ${dataDir}`);
  const only = args.only;

  // Each extractor is measured in steady state: one untimed pass over all pages first (JIT, lazy module state such
  // as the language model, heap growth). Readability is warmed up only after our phase, so our peak RSS is ours.
  const warmUp = (fn: (html: string, url: string) => unknown, limit = pages.length): void => {
    for (const p of pages.slice(0, limit)) fn(readFileSync(p.htmlPath, 'utf8'), p.url);
  };
  const parser = args.parser === 'parse5' ? 'parse5' : 'htmlparser2';
  const oursText = (html: string, url: string): string => extractArticle(html, url, { parser }).text;
  const parseOnly = (html: string): string => {
    cheerio.load(html, { xml: { xmlMode: false, decodeEntities: true } });
    return '';
  };
  const phases: PhaseResult[] = [];
  if (only !== 'readability') {
    warmUp(oursText, args.warmup === 'all' ? pages.length : Number(args.warmup));
    phases.push(runPhase(parser === 'parse5' ? 'ours (extractArticle, parse5)' : 'ours (extractArticle)', pages, oursText));
  }
  warmUp(parseOnly, args.warmup === 'all' ? pages.length : Number(args.warmup));
  const parserOnly = runPhase('cheerio.load (htmlparser2)', pages, parseOnly);
  if (only !== 'ours') {
    warmUp(readabilityText, args.warmup === 'all' ? pages.length : Number(args.warmup));
    phases.push(runPhase('readability+linkedom', pages, readabilityText));
  }

  const nBootstrap = Number(args.bootstrap);
  console.log(`pages: ${pages.length} from ${dataDir}`);
  console.log(`metric: ${scorerPath}`);
  console.log(
    'extractor                      F1           P      R      acc    pages/s  CPU-ms/page  p95-ms  max-ms  peak-RSS-MB  RSS-growth-MB  err',
  );
  const scored = phases.map((ph) => {
    const m = metric.scorePages(
      pages.map((p, i) => ({ truth: p.truth, pred: ph.preds[i] })),
      { nBootstrap, seed: 1 },
    );
    const wall = sum(ph.wallMs);
    const sorted = [...ph.wallMs].sort((a, b) => a - b);
    const row = {
      ph,
      m,
      pagesPerS: pages.length / (wall / 1000),
      cpuPerPage: sum(ph.cpuMs) / pages.length,
      p95: sorted[Math.floor(0.95 * (sorted.length - 1))],
      max: sorted[sorted.length - 1],
    };
    console.log(
      `${ph.name.padEnd(30)} ${f3(m.f1)}±${f3(m.f1_std ?? 0)} ${f3(m.precision)}  ${f3(m.recall)}  ${f3(m.accuracy)}  ` +
        `${row.pagesPerS.toFixed(1).padStart(7)}  ${row.cpuPerPage.toFixed(2).padStart(11)}  ${row.p95.toFixed(1).padStart(6)}  ${row.max.toFixed(0).padStart(6)}  ` +
        `${ph.peakRssMb.toFixed(0).padStart(11)}  ${ph.rssGrowthMb.toFixed(0).padStart(13)}  ${ph.errors}`,
    );
    return row;
  });
  const parserCpu = sum(parserOnly.cpuMs) / pages.length;
  console.log(
    `${parserOnly.name.padEnd(30)} (parse only, baseline)          ${(pages.length / (sum(parserOnly.wallMs) / 1000)).toFixed(1).padStart(7)}  ${parserCpu.toFixed(2).padStart(11)}`,
  );
  const ours = scored.find((r) => r.ph.name.startsWith('ours'));
  const readability = scored.find((r) => r.ph.name.startsWith('readability'));
  if (ours && readability) {
    console.log(
      `ratios: throughput ours/readability ${(ours.pagesPerS / readability.pagesPerS).toFixed(2)}x wall-clock, ` +
        `${(readability.cpuPerPage / ours.cpuPerPage).toFixed(2)}x per CPU-second (target >= 3; on a busy machine the CPU figure is the stable one); ` +
        `F1 delta ${(ours.m.f1 - readability.m.f1 >= 0 ? '+' : '') + (ours.m.f1 - readability.m.f1).toFixed(3)}`,
    );
  }
  if (ours) {
    console.log(`ratios: CPU ours / cheerio.load(htmlparser2) ${(ours.cpuPerPage / parserCpu).toFixed(2)}x (target <= 2)`);
    const worst = Number(args.worst);
    if (worst > 0) {
      const perPage = pages.map((p, i) => {
        const [tp, fp, fn] = ours.m.triples[i];
        return { id: p.id.slice(0, 12), url: p.url, tp, fp, fn };
      });
      perPage.sort((a, b) => b.fp + b.fn - (a.fp + a.fn));
      for (const w of perPage.slice(0, worst))
        console.log(`  worst ${w.id} tp=${f3(w.tp)} fp=${f3(w.fp)} fn=${f3(w.fn)} ${w.url}`);
    }
  }
  console.log(
    `node ${process.version}, ${os.cpus()[0]?.model?.trim() ?? 'cpu?'} x${os.cpus().length}, load average ${os.loadavg()[0].toFixed(1)}`,
  );
  if (args.save) {
    const out = Object.fromEntries(
      phases.map((ph) => [
        ph.name,
        Object.fromEntries(pages.map((p, i) => [p.id, { url: p.url, pred: ph.preds[i], truth: p.truth }])),
      ]),
    );
    writeFileSync(args.save, JSON.stringify(out));
    console.log(`saved ${args.save}`);
  }
}

// Loaded on first use, so that our phase's peak RSS does not include Readability's and linkedom's modules.
// linkedom's type declarations are ESM-only, but it ships a CommonJS build; load that directly.
let readabilityModules:
  { Readability: typeof import('@mozilla/readability').Readability; parseHTML(html: string): { document: unknown } } | undefined;

function readabilityText(html: string, url: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  readabilityModules ??= { Readability: require('@mozilla/readability').Readability, parseHTML: require('linkedom').parseHTML };
  const { document } = readabilityModules.parseHTML(html);
  // linkedom has no URL-aware documentURI; Readability only needs it for resolving links.
  void url;
  const article = new readabilityModules.Readability(document as never).parse();
  return article?.textContent ?? '';
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
