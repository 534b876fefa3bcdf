/**
 * The extractive summarizer: picks k sentences of the article, in its own language and in their
 * original order. Scoring combines what makes a news summary good: position (news is lead-heavy),
 * centrality in a sentence-similarity graph (not every article is news), overlap with the title,
 * a length prior, and redundancy control (MMR). Pure, deterministic, no I/O.
 *
 * The weights were chosen by two-fold cross-validation on the bench's dev sets (`npm run
 * bench:summarize` prints it), preferring the simplest of the tunings that score alike: a
 * similarity-to-the-centroid feature and a penalty on similarity to earlier sentences were
 * dropped (they fit one half and not the other).
 */
import { addressesAModel } from './prompt';
import { segmentSentences, type Sentence } from './sentences';
import { contentStems, contentStemsOfTokens, hasNoSpaceScript, normalizeWords, stopwordsFor, words } from './words';

export interface SummarizeOptions {
  lang?: string;
  maxSentences?: number;
  title?: string;
  /** Overrides of the named defaults below (benchmarks and experiments). */
  tuning?: Partial<ExtractiveTuning>;
}

export interface ExtractiveTuning {
  /**
   * Position prior: flat over the first `positionWindow` candidates (the lead, within which
   * centrality decides), then 1 / (1 + (rank − window + 1) / positionScale).
   */
  positionWindow: number;
  positionScale: number;
  positionWeight: number;
  /** Weight of graph centrality (degree in the similarity graph, normalized to the best sentence). */
  centralityWeight: number;
  titleWeight: number;
  /** MMR: penalty × similarity to the closest sentence already chosen. */
  redundancyPenalty: number;
  /** Sentences this similar to a chosen one are never added (repeated captions, pull quotes). */
  duplicateSimilarity: number;
  /** Sentences shorter than this are not candidates. */
  minWords: number;
  /** Per-sentence comfortable length band; outside it the score decays. */
  bandLow: number;
  bandHigh: number;
  /** Word budget per requested sentence (3 sentences → 90 words at most). */
  wordsPerSentence: number;
  /** Weight of similarity to earlier sentences in centrality (0 = PacSum-style forward edges only; 1 = undirected). */
  backwardWeight: number;
  /** Score factor for a sentence without terminal punctuation (headings, captions, list items). */
  unterminatedFactor: number;
}

export const EXTRACTIVE_DEFAULTS: Readonly<ExtractiveTuning> = Object.freeze({
  positionWindow: 4,
  positionScale: 1,
  positionWeight: 1,
  centralityWeight: 1.2,
  backwardWeight: 0,
  titleWeight: 1.5,
  redundancyPenalty: 0.6,
  duplicateSimilarity: 0.65,
  minWords: 5,
  bandLow: 14,
  bandHigh: 34,
  wordsPerSentence: 30,
  unterminatedFactor: 0.5,
});

interface Candidate {
  sentence: Sentence;
  text: string;
  /** Word tokens (the length prior's unit). */
  words: number;
  /** Words as a reader counts them: whitespace-separated (tokens for scripts without spaces); the budget's unit. */
  readerWords: number;
  /** Sorted term ids and their tf-isf weights, unit length. */
  terms: Int32Array;
  weights: Float64Array;
  stems: string[];
  terminated: boolean;
}

// A lone question addressed to the reader, or a quotation with no attribution around it.
const QUESTION_END = /[?؟？][\s"'”’»)\]]*$/u;
const QUOTE_ONLY = /^["“«„‘'][^"“”«»„]*["”»“'’][\s.,!،]*$/u;
const TERMINAL_END = /[.!?؟…。！？۔:]["'”’»)\]]*$/u;
// Photo captions end with a credit in parentheses after the sentence: "… in 2021 (Reuters)".
const CAPTION_CREDIT = /[^.!?؟…]\s*\([^()]{2,60}\)\s*$/u;
const isCaption = (text: string): boolean => text.endsWith(')') && CAPTION_CREDIT.test(text.slice(-80));
// Bylines and timestamps: "By Jane Doe, CNN", "PUBLISHED: 10:01 EST, 3 March 2015 | UPDATED: …".
const BYLINE = /^(?:by|von|par|por|di|door|av|przez|автор|بقلم|מאת)\s/iu;
const TIMESTAMP =
  /(?<!\p{L})(?:published|updated|last modified|posted|mis à jour|publié|aktualisiert|veröffentlicht|actualizado|publicado)(?!\p{L}).*\d/iu;
const isBylineOrTimestamp = (text: string, words: number): boolean => words <= 14 && (BYLINE.test(text) || TIMESTAMP.test(text));
// Boilerplate that reaches article text through extraction (multilingual, lower-cased, normalized).
const BOILERPLATE = new RegExp(
  [
    // Calls to action only: single words like "subscribers" or "cookie" also occur in real stories.
    'click here',
    'read more',
    'sign up (?:for|to)',
    'subscribe (?:now|today|here|to our)',
    'our newsletter',
    'all rights reserved',
    'follow us on',
    'share this (?:article|story)',
    'we use cookies',
    'terms of use',
    'privacy policy',
    'related articles',
    '©',
    'lire aussi',
    'lire la suite',
    'abonnez-vous',
    'mehr zum thema',
    'weiterlesen',
    'lee también',
    'suscríbete',
    'читайте также',
    'подписывайтесь',
    'اقرا ايضا',
    'اقرا المزيد',
    'تابعونا على',
    'جميع الحقوق محفوظه',
    'קראו עוד',
    'לכתבה המלאה',
    'https?://',
    'www\\.',
    '@[\\w-]+\\.[a-z]{2,}',
  ].join('|'),
  'u',
);
// "WASHINGTON (Reuters) — ", "PARIS — ", "(CNN) -- ", "المغرب – ": a place or agency before a dash.
const DATELINE =
  /^(?:\((?:[\p{L}\s.]{2,30})\)\s*(?:--|[-–—])?\s*|(?:[\p{Lu}\p{Lo}][\p{L}\p{M}.,'’]*(?:\s+[\p{Lu}\p{Lo}][\p{L}\p{M}.,'’]*){0,3})\s*(?:\([\p{L}\s.]{2,30}\))?\s*(?:--|[–—]|\s-)\s+)/u;

/** The sentence without a leading dateline; only where the dateline's words are capitalized or uncased. */
export function stripDateline(text: string): string {
  const m = DATELINE.exec(text);
  if (!m) return text;
  const head = m[0];
  const letters = head.replace(/\([^)]*\)/g, '').replace(/[^\p{L}]/gu, '');
  const cased = /\p{Ll}|\p{Lu}/u.test(letters);
  // Cased scripts: a dateline is ALL CAPS ("LONDON") or carries an agency in parentheses.
  if (cased && letters !== letters.toUpperCase() && !/\(/.test(head)) return text;
  const rest = text.slice(head.length);
  return words(rest).length >= 5 ? rest : text;
}

function prepare(sentences: Sentence[], lang: string, tuning: ExtractiveTuning): { candidates: Candidate[]; dimension: number } {
  const stopwords = stopwordsFor(lang);
  const ids = new Map<string, number>();
  const df: number[] = [];
  const raw: (Omit<Candidate, 'weights'> & { tf: Int32Array })[] = [];
  const noSpaceScript = sentences.some((s) => hasNoSpaceScript(s.text));
  // One scan of the whole text first: most articles have no boilerplate at all.
  const joined = sentences.map((s) => s.text).join('\n');
  const boilerplateSomewhere = BOILERPLATE.test(normalizeWords(joined));
  const injectionSomewhere = addressesAModel(joined);
  for (const sentence of sentences) {
    let text = sentence.text;
    if (sentence.index < 3) text = stripDateline(text);
    const normalized = normalizeWords(text);
    const tokens = words(normalized, noSpaceScript);
    const count = tokens.length;
    if (count < tuning.minWords) continue;
    if (QUESTION_END.test(text) || QUOTE_ONLY.test(text) || isCaption(text)) continue;
    if (boilerplateSomewhere && BOILERPLATE.test(normalized)) continue;
    if (isBylineOrTimestamp(text, count)) continue;
    // A sentence written to a language model (a prompt injection) is never a summary sentence.
    if (injectionSomewhere && addressesAModel(text)) continue;
    const stems = contentStemsOfTokens(tokens, lang, stopwords);
    if (stems.length === 0) continue;
    // Term ids sorted, then run-length encoded into (term, tf): typed arrays, no per-sentence maps.
    const sorted = new Int32Array(stems.length);
    stems.forEach((stem, k) => {
      let id = ids.get(stem);
      if (id === undefined) {
        ids.set(stem, (id = ids.size));
        df.push(0);
      }
      sorted[k] = id;
    });
    sorted.sort();
    let unique = 0;
    for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) unique++;
    const terms = new Int32Array(unique);
    const tf = new Int32Array(unique);
    for (let k = 0, u = -1; k < sorted.length; k++) {
      if (k === 0 || sorted[k] !== sorted[k - 1]) {
        terms[++u] = sorted[k];
        df[sorted[k]]++;
      }
      tf[u]++;
    }
    raw.push({
      sentence,
      text,
      words: count,
      // Words as a reader counts them (whitespace-separated; tokens for scripts without spaces).
      readerWords: noSpaceScript ? count : countSpaced(text),
      terms,
      tf,
      stems,
      terminated: TERMINAL_END.test(text),
    });
  }
  // tf-isf weights (inverse sentence frequency over the article), unit length.
  const n = raw.length;
  const candidates = raw.map(({ tf, ...r }) => {
    const weights = new Float64Array(r.terms.length);
    let norm = 0;
    for (let k = 0; k < weights.length; k++) {
      const w = (1 + Math.log(tf[k])) * Math.log((n + 1) / df[r.terms[k]]);
      weights[k] = w;
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < weights.length; k++) weights[k] /= norm;
    return { ...r, weights };
  });
  return { candidates, dimension: ids.size };
}

function lengthFactor(count: number, tuning: ExtractiveTuning): number {
  if (count < tuning.bandLow) return Math.pow(count / tuning.bandLow, 2);
  if (count > tuning.bandHigh) return Math.exp(-(count - tuning.bandHigh) / tuning.bandHigh);
  return 1;
}

function titleOverlap(stems: string[], title: Set<string>): number {
  if (title.size === 0) return 0;
  let hits = 0;
  for (const s of new Set(stems)) if (title.has(s)) hits++;
  return hits / title.size;
}

/** Up to `maxSentences` sentences of `text` that summarize it, in their original order. */
export function summarize(text: string, options: SummarizeOptions = {}): string[] {
  const tuning: ExtractiveTuning = { ...EXTRACTIVE_DEFAULTS, ...options.tuning };
  const k = Math.max(1, Math.floor(options.maxSentences ?? 3));
  const lang = languageOf(options.lang, text);
  const { candidates, dimension } = prepare(segmentSentences(text, lang), lang, tuning);
  const n = candidates.length;
  if (n === 0) return [];

  // Pairwise cosine similarities: scatter sentence i into a dense vector, then each later
  // sentence's dot product is a gather over its own terms (no merge branches, no allocation).
  const sim = new Float64Array(n * n);
  const degree = new Float64Array(n);
  const dense = new Float64Array(dimension);
  for (let i = 0; i < n; i++) {
    const a = candidates[i];
    for (let t = 0; t < a.terms.length; t++) dense[a.terms[t]] = a.weights[t];
    for (let j = i + 1; j < n; j++) {
      const b = candidates[j];
      let dot = 0;
      for (let t = 0; t < b.terms.length; t++) dot += b.weights[t] * dense[b.terms[t]];
      sim[i * n + j] = dot;
      sim[j * n + i] = dot;
      degree[i] += dot; // j comes after i
      degree[j] += tuning.backwardWeight * dot;
    }
    for (let t = 0; t < a.terms.length; t++) dense[a.terms[t]] = 0;
  }
  let maxDegree = 0;
  for (let i = 0; i < n; i++) maxDegree = Math.max(maxDegree, degree[i]);
  const titleStems = new Set(options.title ? contentStems(options.title, lang, stopwordsFor(lang)) : []);

  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = candidates[i];
    const position = 1 / (1 + Math.max(0, i - tuning.positionWindow + 1) / tuning.positionScale);
    const centrality = maxDegree > 0 ? degree[i] / maxDegree : 0;
    let s =
      tuning.positionWeight * position +
      tuning.centralityWeight * centrality +
      tuning.titleWeight * titleOverlap(c.stems, titleStems);
    s *= lengthFactor(c.words, tuning);
    if (!c.terminated) s *= tuning.unterminatedFactor;
    score[i] = s;
  }

  // Greedy MMR under a word budget (3 sentences → at most 90 words, 1 sentence → 40). Every pick
  // must fit, the first one too; only an article made of over-long sentences gets one anyway.
  const budget = tuning.wordsPerSentence * k + Math.max(0, 10 - 5 * (k - 1));
  const fits = candidates.some((c) => c.readerWords <= budget);
  const chosen: number[] = [];
  let used = 0;
  const taken = new Uint8Array(n);
  while (chosen.length < k) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue;
      if ((chosen.length > 0 || fits) && used + candidates[i].readerWords > budget) continue;
      let redundancy = 0;
      for (const j of chosen) redundancy = Math.max(redundancy, sim[i * n + j]);
      if (redundancy >= tuning.duplicateSimilarity) continue;
      const value = score[i] - tuning.redundancyPenalty * redundancy;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    if (best < 0) break;
    taken[best] = 1;
    chosen.push(best);
    used += candidates[best].readerWords;
  }
  return chosen.sort((a, b) => a - b).map((i) => candidates[i].text);
}

/** Base language of a tag; when unknown, guessed from the script so stopwords still apply. */
function languageOf(tag: string | undefined, text: string): string {
  const base = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  if (base && base !== 'und') return base;
  const sample = text.slice(0, 400);
  if (/[\u0600-\u06FF]/.test(sample)) return 'ar';
  if (/[\u0590-\u05FF]/.test(sample)) return 'he';
  if (/[\u0400-\u04FF]/.test(sample)) return 'ru';
  return 'und';
}

/**
 * Whitespace-separated words that contain a letter or digit ("39-year-old" is one word, "–" none).
 * A character loop: this runs on every sentence, and split + regex per word showed in profiles.
 */
function countSpaced(text: string): number {
  let count = 0;
  let wordHasLetter = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c === 32) {
      if (wordHasLetter) count++;
      wordHasLetter = false;
    } else if (!wordHasLetter && isLetterOrDigit(c)) wordHasLetter = true;
  }
  return count;
}

/** ASCII letters and digits, and anything non-ASCII except common punctuation blocks. */
function isLetterOrDigit(c: number): boolean {
  if (c < 0x80) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (c < 0xc0) return false; // Latin-1 punctuation: « » ¡ ¿ ©
  if (c >= 0x2000 && c <= 0x206f) return false; // dashes, quotes, ellipsis
  if (c >= 0x3000 && c <= 0x303f) return false; // CJK punctuation
  return c !== 0x060c && c !== 0x061b && c !== 0x061f; // Arabic comma, semicolon, question mark
}
