/**
 * Never pay twice: LLM summaries kept in the store under state/summaries/, keyed by a hash of what
 * decides the reply (article text and title, the summarizer's model and prompt, the per-feed
 * prompt, the language, the length). A re-run, the same article in two feeds, or the same article
 * on the next day is answered from here without a request. Transient failures (timeouts, budget,
 * service errors) are not kept, so a later run tries again; refusals are kept, because asking the
 * same model the same question again would buy the same refused answer.
 */
import { createHash } from 'node:crypto';
import { getJson, putJson, type Store } from '../store';
import type { ArticleToSummarize, StoryToSummarize, Summarizer, SummaryResult } from './port';
import { REFUSAL_KINDS, type SummaryErrorKind } from './trust';

export const SUMMARY_CACHE_PREFIX = 'state/summaries';

interface CachedSummary {
  sentences: string[];
  kind: SummaryResult['kind'];
  fallbackReason?: string;
  translatedTitle?: string;
  summaryLang?: string;
}

/** What decides an article's reply; the source name is left out so two feeds share one entry. */
const articleParts = (a: ArticleToSummarize): unknown[] => [
  a.title,
  a.text,
  a.prompt ?? '',
  a.summaryLang ?? '',
  !!a.translateTitle,
];

/** The store key of an article's (or story's) summary for a summarizer identity. */
export function summaryCacheKey(identity: string, input: ArticleToSummarize | StoryToSummarize): string {
  const parts =
    'articles' in input
      ? ['story', input.lang, input.maxSentences, ...input.articles.map(articleParts)]
      : ['article', input.lang, input.maxSentences, ...articleParts(input)];
  const hash = createHash('sha256')
    .update(JSON.stringify([identity, parts]))
    .digest('hex');
  return `${SUMMARY_CACHE_PREFIX}/${hash.slice(0, 2)}/${hash}.json`;
}

/** Worth keeping: a summary from the model, or a refusal of what it said. */
function worthKeeping(result: SummaryResult): boolean {
  if (!result.fallbackReason) return result.kind !== 'extractive';
  return REFUSAL_KINDS.has(result.fallbackReason.split(':')[0] as SummaryErrorKind);
}

/** `inner` behind the cache; `identity` names the model, endpoint and prompt (summarizerIdentity). */
export function cachedSummarizer(inner: Summarizer, store: Store, identity: string): Summarizer {
  async function through(
    input: ArticleToSummarize | StoryToSummarize,
    summarizeUncached: () => Promise<SummaryResult>,
  ): Promise<SummaryResult> {
    const key = summaryCacheKey(identity, input);
    // A corrupt entry is a miss (paying once more); a store that cannot be read throws rather than paying again.
    const hit = await getJson<CachedSummary>(store, key).catch((err: unknown) => {
      if (err instanceof SyntaxError) return undefined;
      throw err;
    });
    if (hit && Array.isArray(hit.sentences)) return { ...hit, cached: true };
    const result = await summarizeUncached();
    if (worthKeeping(result)) {
      const { sentences, kind, fallbackReason, translatedTitle, summaryLang } = result;
      const entry: CachedSummary = { sentences, kind, fallbackReason, translatedTitle, summaryLang };
      await putJson(store, key, entry);
    }
    return result;
  }
  const summarizeStory = inner.summarizeStory?.bind(inner);
  return {
    summarizeArticle: (article) => through(article, () => inner.summarizeArticle(article)),
    ...(summarizeStory ? { summarizeStory: (story: StoryToSummarize) => through(story, () => summarizeStory(story)) } : {}),
  };
}
