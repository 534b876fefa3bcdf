/**
 * Summaries in the article's own language, or in the one the reader asked for. The default is
 * extractive (offline, free, fast enough for a Lambda); an OpenAI-compatible API or Bedrock are
 * options that always fall back to the extractive summary, with the reason, when a reply fails
 * or cannot be trusted.
 *
 *   summarize(text, options)      pure extractive core → sentences in original order
 *   splitSentences(text, lang)    news-aware sentence segmentation
 *   createSummarizer(config)      the `Summarizer` port for the pipeline (extractive | openai | bedrock)
 *   cachedSummarizer, budgetedSummarizer   wrappers: never pay twice, never past the run's budget
 */
import type { SummarizerConfig } from '../config/schema';
import { summarize } from './extractive';
import { segmentSentences } from './sentences';
import { summarizeStoryExtractive } from './multi-document';
import { createBedrockSummarizer, type BedrockDeps } from './bedrock';
import { createOpenAiSummarizer, type OpenAiDeps } from './openai';
import { cachedSummarizer } from './cache';
import { budgetedSummarizer, SummaryAccount } from './budget';
import type { Store } from '../store';
import type { Summarizer } from './port';

export { summarize, stripDateline, EXTRACTIVE_DEFAULTS, type SummarizeOptions, type ExtractiveTuning } from './extractive';
export { summarizeStoryExtractive, storyAsOneText, REPEATED_FACT_OVERLAP } from './multi-document';
export { segmentSentences, paragraphs, type Sentence } from './sentences';
export { BedrockSummaryError, buildConversePrompt, type BedrockDeps, type BedrockErrorKind } from './bedrock';
export { createOpenAiSummarizer, chatCompletionsUrl, type OpenAiDeps } from './openai';
export { DEFAULT_PROMPTS, buildPrompt, languageName, renderTemplate, withoutModelInstructions } from './prompt';
export { checkReply, parseReply, SummaryError, REFUSAL_KINDS, type SummaryErrorKind } from './trust';
export { cachedSummarizer, summaryCacheKey, SUMMARY_CACHE_PREFIX } from './cache';
export { budgetedSummarizer, SummaryAccount, type SummaryUsage } from './budget';
export type { ArticleToSummarize, StoryToSummarize, SummaryResult, Summarizer } from './port';

/** Sentences of `text`, split with Intl.Segmenter for the language and repaired for news text. */
export function splitSentences(text: string, lang = 'en'): string[] {
  return segmentSentences(text, lang.split(/[-_]/)[0]?.toLowerCase() || 'und').map((s) => s.text);
}

export const extractiveSummarizer: Summarizer = {
  async summarizeArticle(a) {
    return { sentences: summarize(a.text, { lang: a.lang, maxSentences: a.maxSentences, title: a.title }), kind: 'extractive' };
  },
  async summarizeStory(story) {
    return { sentences: summarizeStoryExtractive(story.articles, story.lang, story.maxSentences), kind: 'extractive' };
  },
};

/** What the LLM backends may be given: Bedrock's client, the network rules and environment for OpenAI. */
export type SummarizerDeps = BedrockDeps & OpenAiDeps;

/** The summarizer a configuration asks for; `deps` injects clients, `network.allowHosts` and the environment. */
export function createSummarizer(config: SummarizerConfig, deps: SummarizerDeps = {}): Summarizer {
  if (config.kind === 'bedrock') return createBedrockSummarizer(config, extractiveSummarizer, deps);
  if (config.kind === 'openai') return createOpenAiSummarizer(config, extractiveSummarizer, deps);
  return extractiveSummarizer;
}

/** A stable name of what produces the summaries (kind, model, endpoint, prompt): part of every cache key. */
export function summarizerIdentity(config: SummarizerConfig): string {
  if (config.kind === 'openai')
    return JSON.stringify([
      config.kind,
      config.baseUrl,
      config.model,
      config.prompt ?? '',
      config.maxTokens,
      config.temperature,
      config.maxInputChars,
    ]);
  if (config.kind === 'bedrock')
    return JSON.stringify([config.kind, config.modelId, config.prompt ?? '', config.maxTokens, config.maxInputChars]);
  return config.kind;
}

/**
 * The summarizer a run uses: for an LLM configuration, `summarizer` behind the run's budgets and
 * the summary cache in `store`, with the account the run report copies; the extractive
 * summarizer is returned as it is (nothing to count, nothing worth caching).
 */
export function meteredSummarizer(
  summarizer: Summarizer,
  config: SummarizerConfig,
  store: Store,
): { summarizer: Summarizer; account?: SummaryAccount } {
  if (config.kind === 'extractive') return { summarizer };
  const account = new SummaryAccount(config);
  const budgeted = budgetedSummarizer(summarizer, extractiveSummarizer, account, config);
  return { summarizer: cachedSummarizer(budgeted, store, summarizerIdentity(config)), account };
}
