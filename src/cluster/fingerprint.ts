/**
 * Compact fingerprints of published stories, remembered for a few days so that a later article on
 * the same event is recognised (an update, or one more source) instead of becoming a new story.
 * A fingerprint is the story's strongest terms with their TF-IDF weights (unit length), in the
 * clusterer's terms: the same words, names and numbers, the same tokenization in every language.
 */
import { articleTerms, baseLang } from './terms';

export interface StoryFingerprint {
  /** The story's id and the date of the digest that published it. */
  id: string;
  date: string;
  title: string;
  lang: string;
  /** Strongest terms → weight; the vector has unit length over every term, so these sum (squared) to at most 1. */
  terms: Record<string, number>;
}

/** Terms kept per fingerprint: enough to cover a story's facts, small enough to keep days of them. */
export const FINGERPRINT_TERMS = 200;

/**
 * What decides an update: the share of the new articles' weight (squared, of their unit vector)
 * on terms the earlier story did not have. Below it, the articles retell the earlier story.
 */
export const UPDATE_MIN_NEW_SHARE = 0.4;

interface TextOfArticle {
  title: string;
  text: string;
  lang: string;
}

/**
 * One unit vector per group of articles (a story): terms counted over the group's articles, title
 * and lead counting more, names and numbers twice, weighted by idf over every article given.
 */
export function storyVectors(groups: TextOfArticle[][]): Map<string, number>[] {
  const all = groups.flat();
  const perArticle = new Map(all.map((a) => [a, articleTerms(a.title, a.text, a.lang)]));
  const df = new Map<string, number>();
  for (const t of perArticle.values())
    for (const term of new Set([...t.body.keys(), ...t.title.keys()])) df.set(term, (df.get(term) ?? 0) + 1);
  const n = all.length;
  return groups.map((group) => {
    const weights = new Map<string, number>();
    for (const article of group) {
      const t = perArticle.get(article)!;
      for (const term of new Set([...t.body.keys(), ...t.title.keys()])) {
        const count = t.body.get(term) ?? 0;
        let w = (count > 0 ? 1 + Math.log(count) : 0) + (t.lead.has(term) ? 1 : 0) + (t.title.has(term) ? 1 : 0);
        if (t.numbers.has(term) || t.names.has(term)) w *= 2;
        weights.set(term, (weights.get(term) ?? 0) + w);
      }
    }
    let norm = 0;
    for (const [term, w] of weights) {
      const v = w * (Math.log((1 + n) / (1 + (df.get(term) ?? 0))) + 1);
      weights.set(term, v);
      norm += v * v;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [term, w] of weights) weights.set(term, w / norm);
    return weights;
  });
}

/** The fingerprint kept of a published story: its `FINGERPRINT_TERMS` strongest terms. */
export function fingerprintOf(
  story: { id: string; date: string; title: string; lang: string },
  vector: Map<string, number>,
): StoryFingerprint {
  const top = [...vector].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, FINGERPRINT_TERMS);
  return {
    id: story.id,
    date: story.date,
    title: story.title,
    lang: baseLang(story.lang),
    terms: Object.fromEntries(top.map(([t, w]) => [t, Math.round(w * 1e4) / 1e4])),
  };
}

export interface EarlierStoryMatch {
  earlier: StoryFingerprint;
  similarity: number;
  /** Share of the new story's weight on terms the earlier one did not have (see `UPDATE_MIN_NEW_SHARE`). */
  newShare: number;
}

/**
 * The remembered story (same language) most similar to `vector`, when at least `threshold`
 * similar (cosine, as the clusterer measures it); ties go to the most recent, then the smaller id.
 */
export function matchEarlierStory(
  vector: Map<string, number>,
  lang: string,
  remembered: StoryFingerprint[],
  threshold: number,
): EarlierStoryMatch | undefined {
  let best: EarlierStoryMatch | undefined;
  for (const earlier of remembered) {
    if (earlier.lang !== baseLang(lang)) continue;
    let similarity = 0;
    for (const [term, w] of Object.entries(earlier.terms)) similarity += w * (vector.get(term) ?? 0);
    if (similarity < threshold) continue;
    if (
      !best ||
      similarity > best.similarity ||
      (similarity === best.similarity &&
        (earlier.date > best.earlier.date || (earlier.date === best.earlier.date && earlier.id < best.earlier.id)))
    ) {
      let newShare = 0;
      for (const [term, w] of vector) if (!Object.hasOwn(earlier.terms, term)) newShare += w * w;
      best = { earlier, similarity, newShare };
    }
  }
  return best;
}
