/**
 * Summaries of a story told by several articles (one cluster of `clusterArticles`): extractive,
 * drawn across the articles without saying the same fact twice, and the one prompt an LLM backend
 * is given for the whole story.
 */
import { summarize } from './extractive';
import { contentStems, stopwordsFor } from './words';
import type { ArticleToSummarize } from './port';

/**
 * A sentence whose content words are this much already said (share of its words found in one
 * chosen sentence) repeats a fact: outlets retell the same lead in their own words.
 */
export const REPEATED_FACT_OVERLAP = 0.5;

function baseLang(tag: string): string {
  return tag.toLowerCase().split(/[-_]/)[0] || 'und';
}

/**
 * Up to `maxSentences` sentences for the story: each article's own extractive summary is a list of
 * candidates, taken in turns (the best source first, then the next source's best, …) so that the
 * summary draws on every article; a candidate that repeats a chosen sentence is skipped. The
 * sentences keep the order in which they were chosen (best source's first).
 */
export function summarizeStoryExtractive(articles: ArticleToSummarize[], lang: string, maxSentences: number): string[] {
  const base = baseLang(lang);
  const stopwords = stopwordsFor(base);
  const candidates = articles.map((a) =>
    summarize(a.text, { lang: a.lang || lang, maxSentences: Math.max(maxSentences, 3), title: a.title }),
  );
  const chosen: { text: string; stems: Set<string> }[] = [];
  const longest = Math.max(0, ...candidates.map((c) => c.length));
  for (let round = 0; round < longest && chosen.length < maxSentences; round++) {
    for (const list of candidates) {
      if (chosen.length >= maxSentences) break;
      const sentence = list[round];
      if (!sentence) continue;
      const stems = new Set(contentStems(sentence, base, stopwords));
      if (stems.size === 0 || chosen.some((c) => overlap(stems, c.stems) >= REPEATED_FACT_OVERLAP)) continue;
      chosen.push({ text: sentence, stems });
    }
  }
  return chosen.map((c) => c.text);
}

/** Share of `a`'s words that are in `b`. */
function overlap(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / a.size;
}

/**
 * The story as one article for an LLM prompt: each source's title and the start of its text, the
 * input budget shared evenly between sources (so that one long article does not crowd out the rest).
 */
export function storyAsOneText(articles: ArticleToSummarize[], maxInputChars: number): string {
  const share = Math.floor(maxInputChars / Math.max(1, articles.length));
  const parts = articles.map((a, k) => {
    const head = `Source ${k + 1}: ${a.title.trim()}\n`;
    const room = Math.max(0, share - head.length);
    let body = a.text.trim();
    if (body.length > room) {
      const cut = body.lastIndexOf(' ', room);
      body = body.slice(0, cut > room * 0.8 ? cut : room);
    }
    return head + body;
  });
  return parts.join('\n\n');
}
