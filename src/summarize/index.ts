/**
 * Extractive summaries in the article's language. (Foundation version; issue 5 replaces the
 * scoring with a multilingual method that beats Lead-3, and adds Bedrock.)
 */
import { baseLang } from '../lang';

export interface SummarizeOptions {
  lang?: string;
  maxSentences?: number;
  title?: string;
}

/** Sentences of `text`, split with Intl.Segmenter for the language; newlines always break. */
export function splitSentences(text: string, lang = 'en'): string[] {
  const seg = new Intl.Segmenter(baseLang(lang) || 'en', { granularity: 'sentence' });
  const out: string[] = [];
  for (const para of text.split(/\n+/)) {
    for (const s of seg.segment(para)) {
      const t = s.segment.trim();
      if (t) out.push(t);
    }
  }
  return out;
}

/** The first sentences that look like prose, in original order. */
export function summarize(text: string, options: SummarizeOptions = {}): string[] {
  const max = options.maxSentences ?? 3;
  const sentences = splitSentences(text, options.lang);
  return sentences.filter((s) => s.split(/\s+/).length >= 4).slice(0, max);
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

export interface Summarizer {
  summarizeArticle(article: ArticleToSummarize): Promise<SummaryResult>;
}

export const extractiveSummarizer: Summarizer = {
  async summarizeArticle(a) {
    return { sentences: summarize(a.text, { lang: a.lang, maxSentences: a.maxSentences, title: a.title }), kind: 'extractive' };
  },
};

/** The summarizer a configuration asks for (issue 5 adds `bedrock`). */
export function createSummarizer(_config: import('../config/schema').SummarizerConfig): Summarizer {
  return extractiveSummarizer;
}
