/**
 * Story-clustering benchmark: `clusterArticles` against the shared TF-IDF average-link baseline, in
 * the same run, on the shared dev set (English news articles grouped by event, two events of the
 * same kind per topic), scored with the shared dependency-free scorer (imported at runtime from the
 * shared folder, never copied).
 *
 *   npm run bench:cluster [-- --dir <clustering bench dir>] [--data <articles.jsonl>] [--threshold T] [--repeat N]
 *   (or CLUSTERING_BENCH_DIR=<dir>; default ../shared/bench/clustering, data dev/articles.jsonl)
 *
 * Prints B-cubed precision/recall/F1 and pairwise precision/recall/F1 for both methods, a
 * cross-validated figure for ours (the threshold chosen on the other topics, leave-topics-out, 5
 * folds: what choosing a threshold on data is worth on topics it has not seen), and the CPU time
 * to cluster 1,000 articles (the dev articles repeated under new ids, fastest of `--repeat` runs,
 * default 3), one thread.
 * Flags: --dir, --data, --threshold (ours; default the library's), --repeat, --sweep (print our
 * scores over a threshold grid).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { clusterArticles, CLUSTER_DEFAULTS, type ArticleCluster, type ArticleToCluster } from '../src/cluster';
import { argValue as arg, cpuMsSince, helpIfAsked } from './harness';

helpIfAsked(__filename);

interface BenchArticle extends ArticleToCluster {
  gold: string;
}
interface Scores {
  b3_p: number;
  b3_r: number;
  b3_f1: number;
  pair_p: number;
  pair_r: number;
  pair_f1: number;
  pred_clusters: number;
  gold_clusters: number;
  pred_singletons: number;
}
interface ScorerLib {
  readJsonl(path: string): BenchArticle[];
  goldAssignment(rows: { id: string; gold: string }[]): Map<string, string>;
  clustersToAssignment(clusters: ArticleCluster[]): Map<string, string>;
  scoreAssignment(gold: Map<string, string>, pred: Map<string, string>): Scores;
}
interface BaselineLib {
  clusterArticlesTfidf(articles: ArticleToCluster[], options?: { threshold?: number }): ArticleCluster[];
  DEFAULT_THRESHOLD: number;
}
type ClusterFn = (articles: ArticleToCluster[]) => ArticleCluster[];

// tsx compiles this file to CommonJS; a Function-built import() keeps the scorer's ES modules loadable.
const importEsm = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;

const inputOf = (a: BenchArticle): ArticleToCluster => ({
  id: a.id,
  title: a.title,
  text: a.text,
  lang: a.lang,
  publishedAt: a.publishedAt,
  source: a.source,
});

/** The topic of a gold label ("12ecbplus" → "12"): both events of a topic go to the same fold. */
const topicOf = (gold: string): string => gold.replace(/\D+$/, '');

function score(lib: ScorerLib, articles: BenchArticle[], clusters: ArticleCluster[]): Scores {
  return lib.scoreAssignment(lib.goldAssignment(articles), lib.clustersToAssignment(clusters));
}

/** 1,000 articles from the dev set, repeated under new ids, so timing is of a real-sized day. */
function thousand(articles: ArticleToCluster[]): ArticleToCluster[] {
  return Array.from({ length: 1000 }, (_, i) => ({ ...articles[i % articles.length], id: `t${i}` }));
}

function fastestCpuMs(fn: ClusterFn, articles: ArticleToCluster[], repeat: number): number {
  let best = Infinity;
  for (let r = 0; r < repeat; r++) {
    const start = process.cpuUsage();
    fn(articles);
    best = Math.min(best, cpuMsSince(start));
  }
  return best;
}

const GRID = Array.from({ length: 41 }, (_, k) => Math.round((0.05 + k * 0.01) * 1000) / 1000);

/**
 * Leave-topics-out cross-validation of the threshold: topics dealt into 5 folds in their sorted
 * order; for each fold, the threshold with the best B-cubed F1 on the other four is applied to it.
 * Returns the pooled scores of the held-out folds (each fold clustered on its own).
 */
function crossValidated(lib: ScorerLib, articles: BenchArticle[], folds = 5): { scores: Scores; thresholds: number[] } {
  const topics = [...new Set(articles.map((a) => topicOf(a.gold)))].sort((a, b) => Number(a) - Number(b));
  const foldOf = new Map(topics.map((t, k) => [t, k % folds]));
  const part = (k: number, inFold: boolean): BenchArticle[] =>
    articles.filter((a) => (foldOf.get(topicOf(a.gold)) === k) === inFold);
  const heldOutClusters: ArticleCluster[] = [];
  const thresholds: number[] = [];
  for (let k = 0; k < folds; k++) {
    const train = part(k, false);
    let best = GRID[0];
    let bestF1 = -1;
    for (const threshold of GRID) {
      const f1 = score(lib, train, clusterArticles(train.map(inputOf), { threshold })).b3_f1;
      if (f1 > bestF1) [best, bestF1] = [threshold, f1];
    }
    thresholds.push(best);
    heldOutClusters.push(...clusterArticles(part(k, true).map(inputOf), { threshold: best }));
  }
  return { scores: score(lib, articles, heldOutClusters), thresholds };
}

const f = (x: number): string => x.toFixed(3);
const row = (name: string, s: Scores): string =>
  `${name.padEnd(34)} ${f(s.b3_p)}  ${f(s.b3_r)}  ${f(s.b3_f1)}    ${f(s.pair_p)}  ${f(s.pair_r)}  ${f(s.pair_f1)}   ${String(s.pred_clusters).padStart(4)} (${s.pred_singletons} single)`;

async function main(): Promise<void> {
  const dir = resolve(
    arg('dir') ?? process.env.CLUSTERING_BENCH_DIR ?? join(__dirname, '..', '..', 'shared', 'bench', 'clustering'),
  );
  const dataFile = resolve(arg('data') ?? join(dir, 'dev', 'articles.jsonl'));
  if (!existsSync(dataFile) || !existsSync(join(dir, 'scorer', 'score.mjs'))) {
    console.error(
      `No clustering bench data at ${dir} (need dev/articles.jsonl and scorer/); pass --dir or set CLUSTERING_BENCH_DIR.`,
    );
    process.exit(2);
  }
  const lib = (await importEsm(pathToFileURL(join(dir, 'scorer', 'score.mjs')).href)) as ScorerLib;
  const baseline = (await importEsm(pathToFileURL(join(dir, 'scorer', 'baseline.mjs')).href)) as BaselineLib;
  const articles = lib.readJsonl(dataFile);
  const threshold = Number(arg('threshold') ?? CLUSTER_DEFAULTS.threshold);
  const repeat = Math.max(1, Number(arg('repeat') ?? 3));
  const input = articles.map(inputOf);
  const ours: ClusterFn = (a) => clusterArticles(a, { threshold });
  const theirs: ClusterFn = (a) => baseline.clusterArticlesTfidf(a, { threshold: baseline.DEFAULT_THRESHOLD });

  if (process.argv.includes('--sweep')) {
    for (const t of GRID)
      console.log(row(`ours, threshold ${t}`, score(lib, articles, clusterArticles(input, { threshold: t }))));
    return;
  }

  const golds = new Set(articles.map((a) => a.gold)).size;
  console.log(`${articles.length} articles, ${golds} events (${dataFile})\n`);
  console.log(`${''.padEnd(34)} B³ P   B³ R   B³ F1    pair P pair R pair F1  clusters`);
  const oursScores = score(lib, articles, ours(input));
  const baseScores = score(lib, articles, theirs(input));
  console.log(row(`clusterArticles (threshold ${threshold})`, oursScores));
  const cv = crossValidated(lib, articles);
  console.log(row(`  cross-validated (5 topic folds)`, cv.scores));
  console.log(row(`baseline TF-IDF (threshold ${baseline.DEFAULT_THRESHOLD})`, baseScores));
  console.log(`  thresholds chosen per fold: ${cv.thresholds.join(', ')}`);

  const big = thousand(input);
  ours(big); // warm-up: JIT and caches, as in a long-running process
  theirs(big);
  const oursMs = fastestCpuMs(ours, big, repeat);
  const baseMs = fastestCpuMs(theirs, big, repeat);
  console.log(
    `\n1,000 articles, CPU (fastest of ${repeat}): ours ${Math.round(oursMs)} ms = ${Math.round(1e6 / oursMs)} articles/s; ` +
      `baseline ${Math.round(baseMs)} ms = ${Math.round(1e6 / baseMs)} articles/s`,
  );
  console.log(
    JSON.stringify({
      ours: oursScores,
      crossValidated: cv.scores,
      baseline: baseScores,
      oursMsPer1000: Math.round(oursMs),
      baselineMsPer1000: Math.round(baseMs),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
