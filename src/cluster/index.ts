/**
 * One story per event: `clusterArticles` groups articles that report the same event, across sources.
 *
 * Method: every article becomes a TF-IDF vector of its stemmed content words (the search index's
 * tokenization: Arabic folded, Chinese, Japanese and Thai as character pairs), the title and the lead
 * counting more than the rest, and names and numbers more than common words (two earthquakes share
 * "earthquake", not the place and the magnitude). Articles in one language are compared by cosine
 * similarity; articles in different languages only by the names, numbers and links they share, and
 * only when they share enough of them. Average-link agglomeration then joins groups while they are
 * similar enough, within a time window. Pure, deterministic, CPU only.
 */
import { averageLink, NEVER } from './average-link';
import { CLUSTER_DEFAULTS } from './defaults';
import { articleTerms, baseLang, type ArticleTerms } from './terms';

export { CLUSTER_DEFAULTS } from './defaults';

export { articleTerms, baseLang, type ArticleTerms } from './terms';

export interface ArticleToCluster {
  id: string;
  title: string;
  text: string;
  lang: string;
  /** ISO 8601. */
  publishedAt: string;
  /** Name of the outlet or feed. */
  source: string;
  /** Links the article carries (its own URL, canonical URL, links it cites): a shared one is strong evidence. */
  links?: string[];
}

export interface ArticleCluster {
  /** The id of the cluster's first article (earliest published, then smallest id). */
  id: string;
  /** Members, earliest published first. */
  articleIds: string[];
}

export interface ClusterOptions {
  /** Average cosine similarity two groups need to be joined (0..1). Higher: fewer, surer merges. */
  threshold?: number;
  /** Articles published further apart than this never share a cluster. */
  windowHours?: number;
  /** Overrides of `CLUSTER_WEIGHTS` (benchmarks and experiments). */
  weights?: Partial<ClusterWeights>;
}

export interface ClusterWeights {
  /** Weight of a term's count in the whole article (1 + ln count). */
  body: number;
  /** Added when the term is in the lead (the first `LEAD_WORDS` words of the text). */
  lead: number;
  /** Added when the term is in the title. */
  title: number;
  /** Factor of a name (a word capitalized inside a sentence) and of a number. */
  name: number;
  number: number;
  /** Articles in different languages: names, numbers and links shared at the least. */
  crossLanguageMinShared: number;
  /** A group of fewer articles than this joins another at `threshold − smallGroupAllowance` (see `averageLink`). */
  smallGroup: number;
  smallGroupAllowance: number;
}

export const CLUSTER_WEIGHTS: Readonly<ClusterWeights> = Object.freeze({
  body: 1,
  lead: 1,
  title: 1,
  name: 2,
  number: 2,
  crossLanguageMinShared: 3,
  smallGroup: 3,
  smallGroupAllowance: 0.1,
});

interface Vector {
  terms: Int32Array;
  weights: Float64Array;
}

/** Clusters of `articles`: every id in exactly one cluster; the same input gives the same output. */
export function clusterArticles(articles: ArticleToCluster[], options: ClusterOptions = {}): ArticleCluster[] {
  const threshold = options.threshold ?? CLUSTER_DEFAULTS.threshold;
  const windowMs = (options.windowHours ?? CLUSTER_DEFAULTS.windowHours) * 3_600_000;
  const weights: ClusterWeights = { ...CLUSTER_WEIGHTS, ...options.weights };
  // A fixed order (by id) makes ties, and so the result, independent of the input's order.
  const ordered = [...articles].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const n = ordered.length;
  const terms = ordered.map((a) => articleTerms(a.title ?? '', a.text ?? '', a.lang));
  const langs = ordered.map((a) => baseLang(a.lang));
  const times = ordered.map((a) => Date.parse(a.publishedAt));
  const { vectors, strong } = weightedVectors(terms, langs, weights);

  const S = cosineMatrix(vectors, n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = S[i * n + j];
      const apart = Math.abs(times[i] - times[j]);
      if (apart > windowMs) s = NEVER;
      else if (langs[i] !== langs[j]) s = crossLanguageSimilarity(strong[i], strong[j], ordered[i], ordered[j], weights);
      S[i * n + j] = s;
      S[j * n + i] = s;
    }
  }
  const group = averageLink(S, n, threshold, { size: weights.smallGroup, allowance: weights.smallGroupAllowance });

  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = members.get(group[i]) ?? [];
    list.push(i);
    members.set(group[i], list);
  }
  const byTime = (i: number, j: number): number => {
    const ti = Number.isFinite(times[i]) ? times[i] : Infinity;
    const tj = Number.isFinite(times[j]) ? times[j] : Infinity;
    return ti - tj || i - j;
  };
  return [...members.values()]
    .map((list) => list.sort(byTime).map((i) => ordered[i].id))
    .map((ids) => ({ id: ids[0], articleIds: ids }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * TF-IDF vectors (unit length), and per article its "strong" terms (names and numbers) with their
 * idf, for comparing articles across languages. Idf is fitted per language on the input: how
 * common a word is among the articles it can be compared with, so that the same day's Arabic
 * election coverage does not make "election" look rare to the Arabic articles.
 */
function weightedVectors(
  terms: ArticleTerms[],
  langs: string[],
  weights: ClusterWeights,
): { vectors: Vector[]; strong: Map<string, number>[] } {
  const df = new Map<string, number>();
  const articlesIn = new Map<string, number>();
  terms.forEach((t, i) => {
    articlesIn.set(langs[i], (articlesIn.get(langs[i]) ?? 0) + 1);
    const seen = new Set([...t.body.keys(), ...t.title.keys()]);
    for (const term of seen) df.set(`${langs[i]}\u0000${term}`, (df.get(`${langs[i]}\u0000${term}`) ?? 0) + 1);
  });
  const ids = new Map(
    [...new Set(terms.flatMap((t) => [...t.body.keys(), ...t.title.keys()]))].sort().map((term, k) => [term, k]),
  );
  const idf = (lang: string, term: string): number =>
    Math.log((1 + (articlesIn.get(lang) ?? 0)) / (1 + (df.get(`${lang}\u0000${term}`) ?? 0))) + 1;

  const vectors: Vector[] = [];
  const strong: Map<string, number>[] = [];
  terms.forEach((t, i) => {
    const all = new Set([...t.body.keys(), ...t.title.keys()]);
    const entries: [number, number][] = [];
    const strongTerms = new Map<string, number>();
    let norm = 0;
    for (const term of all) {
      const bodyCount = t.body.get(term) ?? 0;
      let w =
        (bodyCount > 0 ? weights.body * (1 + Math.log(bodyCount)) : 0) +
        (t.lead.has(term) ? weights.lead : 0) +
        (t.title.has(term) ? weights.title : 0);
      const isNumber = t.numbers.has(term);
      const isName = t.names.has(term);
      if (isNumber) w *= weights.number;
      else if (isName) w *= weights.name;
      const rarity = idf(langs[i], term);
      w *= rarity;
      if (isNumber || isName) strongTerms.set(term, rarity);
      entries.push([ids.get(term)!, w]);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    entries.sort((a, b) => a[0] - b[0]);
    vectors.push({
      terms: Int32Array.from(entries, (e) => e[0]),
      weights: Float64Array.from(entries, (e) => e[1] / norm),
    });
    strong.push(strongTerms);
  });
  return { vectors, strong };
}

/** Cosine similarities of unit vectors through an inverted index (only pairs that share a term cost anything). */
function cosineMatrix(vectors: Vector[], n: number): Float64Array {
  const S = new Float64Array(n * n);
  const postings = new Map<number, number[]>();
  vectors.forEach((v, i) => {
    for (let k = 0; k < v.terms.length; k++) {
      let list = postings.get(v.terms[k]);
      if (!list) postings.set(v.terms[k], (list = []));
      list.push(i, v.weights[k]);
    }
  });
  for (const list of postings.values()) {
    for (let a = 0; a < list.length; a += 2) {
      const i = list[a];
      const wi = list[a + 1];
      for (let b = a + 2; b < list.length; b += 2) S[i * n + list[b]] += wi * list[b + 1];
    }
  }
  return S;
}

/**
 * Articles in two languages share no ordinary words, and surface resemblance across languages
 * (a transliterated name, a year) is weak evidence. So: a shared link joins them; otherwise they
 * need `crossLanguageMinShared` shared names and numbers, and score the share of their rarer
 * strong terms that they have in common (idf-weighted Jaccard).
 */
function crossLanguageSimilarity(
  a: Map<string, number>,
  b: Map<string, number>,
  articleA: ArticleToCluster,
  articleB: ArticleToCluster,
  weights: ClusterWeights,
): number {
  const linksA = new Set(articleA.links ?? []);
  if ((articleB.links ?? []).some((l) => linksA.has(l))) return 1;
  let shared = 0;
  let sharedWeight = 0;
  let unionWeight = 0;
  for (const [term, w] of a) {
    unionWeight += w;
    if (b.has(term)) {
      shared++;
      sharedWeight += w;
    }
  }
  for (const [term, w] of b) if (!a.has(term)) unionWeight += w;
  if (shared < weights.crossLanguageMinShared || unionWeight === 0) return 0;
  return sharedWeight / unionWeight;
}
