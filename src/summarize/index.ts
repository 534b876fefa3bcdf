/**
 * Summaries in the article's own language. The default is extractive (offline, free, fast enough
 * for a Lambda); Bedrock is an option that always falls back to the extractive summary.
 *
 *   summarize(text, options)      pure extractive core → sentences in original order
 *   splitSentences(text, lang)    news-aware sentence segmentation
 *   createSummarizer(config)      the `Summarizer` port for the pipeline (extractive | bedrock)
 */
import type { SummarizerConfig } from '../config/schema';
import { summarize } from './extractive';
import { segmentSentences } from './sentences';
import { summarizeStoryExtractive } from './multi-document';
import { createBedrockSummarizer, type BedrockDeps } from './bedrock';

export { summarize, stripDateline, EXTRACTIVE_DEFAULTS, type SummarizeOptions, type ExtractiveTuning } from './extractive';
export { summarizeStoryExtractive, storyAsOneText, REPEATED_FACT_OVERLAP } from './multi-document';
export { segmentSentences, paragraphs, type Sentence } from './sentences';
export { BedrockSummaryError, buildConversePrompt, languageName, type BedrockDeps, type BedrockErrorKind } from './bedrock';

/** Sentences of `text`, split with Intl.Segmenter for the language and repaired for news text. */
export function splitSentences(text: string, lang = 'en'): string[] {
  return segmentSentences(text, lang.split(/[-_]/)[0]?.toLowerCase() || 'und').map((s) => s.text);
}

/** What the pipeline asks of a summarizer backend (extractive, Bedrock). */
export interface ArticleToSummarize {
  title: string;
  text: string;
  lang: string;
  maxSentences: number;
}

export interface SummaryResult {
  sentences: string[];
  kind: 'extractive' | 'bedrock';
  /** Tokens used by an LLM backend. */
  tokens?: { input: number; output: number };
  /** Why an LLM backend fell back to the extractive summary. */
  fallbackReason?: string;
}

/** A story told by several articles (one cluster), for one summary across them. */
export interface StoryToSummarize {
  articles: ArticleToSummarize[] /* best source first */;
  lang: string;
  maxSentences: number;
}

export interface Summarizer {
  summarizeArticle(article: ArticleToSummarize): Promise<SummaryResult>;
  summarizeStory?(story: StoryToSummarize): Promise<SummaryResult>;
}

export const extractiveSummarizer: Summarizer = {
  async summarizeArticle(a) {
    return { sentences: summarize(a.text, { lang: a.lang, maxSentences: a.maxSentences, title: a.title }), kind: 'extractive' };
  },
  async summarizeStory(story) {
    return { sentences: summarizeStoryExtractive(story.articles, story.lang, story.maxSentences), kind: 'extractive' };
  },
};

/** The summarizer a configuration asks for; `deps` injects the Bedrock client (tests, custom endpoints). */
export function createSummarizer(config: SummarizerConfig, deps: BedrockDeps = {}): Summarizer {
  if (config.kind === 'bedrock') return createBedrockSummarizer(config, extractiveSummarizer, deps);
  return extractiveSummarizer;
}
