/**
 * What a run spends on an LLM, and the limits on it. `budgetedSummarizer` stands between the
 * cache and the model: before each request it checks `summarizer.maxRequestsPerRun` and
 * `maxInputTokensPerRun` (reserving an estimate, so concurrent requests cannot overshoot), and
 * past either limit it answers with the extractive summary and the reason `budget: …`.
 * `SummaryAccount` holds the counters the run report and the CLI summary print, and the cost
 * when prices per million tokens are configured.
 */
import type { ArticleToSummarize, StoryToSummarize, Summarizer, SummaryResult } from './port';
import { boundText } from './prompt';

export interface BudgetLimits {
  maxRequestsPerRun?: number;
  maxInputTokensPerRun?: number;
  /** Characters of article text a request carries at most (the estimate's bound). */
  maxInputChars: number;
}

export interface Prices {
  inputPricePerMillionTokens?: number;
  outputPricePerMillionTokens?: number;
}

/** The run report's account of the summaries. */
export interface SummaryUsage {
  /** Requests sent to the model (refused and failed ones included). */
  requests: number;
  /** As the provider counted them; a request it did not count (a timeout) counts its estimate. */
  inputTokens: number;
  outputTokens: number;
  /** Summaries answered from state/summaries/ without a request. */
  cached: number;
  /** Extractive summaries used instead of an LLM's, by reason kind (budget, timeout, invented-number…). */
  fallbacks: Record<string, number>;
  /** The first articles that fell back, with the full reason. */
  fallbackArticles: { id: string; reason: string }[];
  /** USD at the configured prices; absent when no price is configured. */
  cost?: number;
}

/** Prompt frame (system message, template) in tokens, on top of the article text. */
const PROMPT_OVERHEAD_TOKENS = 250;
/** Characters per token, pessimistic (Latin text runs ~4, Arabic ~2.5 with current tokenizers). */
const CHARS_PER_TOKEN = 2.5;
const MAX_LISTED_FALLBACKS = 100;

export class SummaryAccount {
  requests = 0;
  inputTokens = 0;
  outputTokens = 0;
  cached = 0;
  private readonly fallbacks: Record<string, number> = {};
  private readonly fallbackArticles: { id: string; reason: string }[] = [];

  constructor(private readonly prices: Prices = {}) {}

  /** Count one summary the pipeline received (cache hits and fallbacks). */
  record(result: SummaryResult, id: string): void {
    if (result.cached) this.cached++;
    if (result.fallbackReason) {
      const kind = result.fallbackReason.split(':')[0];
      this.fallbacks[kind] = (this.fallbacks[kind] ?? 0) + 1;
      if (this.fallbackArticles.length < MAX_LISTED_FALLBACKS) this.fallbackArticles.push({ id, reason: result.fallbackReason });
    }
  }

  /** Cost in USD of the tokens counted so far, or undefined without prices. */
  cost(): number | undefined {
    const { inputPricePerMillionTokens: inPrice, outputPricePerMillionTokens: outPrice } = this.prices;
    if (inPrice === undefined && outPrice === undefined) return undefined;
    return ((inPrice ?? 0) * this.inputTokens + (outPrice ?? 0) * this.outputTokens) / 1e6;
  }

  usage(): SummaryUsage {
    const cost = this.cost();
    return {
      requests: this.requests,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      cached: this.cached,
      fallbacks: { ...this.fallbacks },
      fallbackArticles: [...this.fallbackArticles],
      ...(cost !== undefined ? { cost } : {}),
    };
  }
}

/** Input tokens a request will use at most, estimated from the characters it carries. */
function estimateInputTokens(texts: string[], maxInputChars: number): number {
  const chars = Math.min(
    maxInputChars,
    texts.reduce((sum, t) => sum + boundText(t, maxInputChars).length, 0),
  );
  return Math.ceil(chars / CHARS_PER_TOKEN) + PROMPT_OVERHEAD_TOKENS;
}

/** `inner` (an LLM summarizer) within the run's limits; `fallback` answers past them. */
export function budgetedSummarizer(
  inner: Summarizer,
  fallback: Summarizer,
  account: SummaryAccount,
  limits: BudgetLimits,
): Summarizer {
  /** Why no request may be sent now, or undefined (and the request and its estimate are reserved). */
  function reserve(estimate: number): string | undefined {
    if (limits.maxRequestsPerRun !== undefined && account.requests >= limits.maxRequestsPerRun)
      return `budget: summarizer.maxRequestsPerRun (${limits.maxRequestsPerRun}) reached`;
    if (limits.maxInputTokensPerRun !== undefined && account.inputTokens + estimate > limits.maxInputTokensPerRun)
      return `budget: summarizer.maxInputTokensPerRun (${limits.maxInputTokensPerRun}) would be exceeded`;
    account.requests++;
    account.inputTokens += estimate;
    return undefined;
  }

  async function within(first: ArticleToSummarize, texts: string[], send: () => Promise<SummaryResult>): Promise<SummaryResult> {
    const estimate = estimateInputTokens(texts, limits.maxInputChars);
    const refusal = reserve(estimate);
    if (refusal) return { ...(await fallback.summarizeArticle(first)), kind: 'extractive', fallbackReason: refusal };
    let result: SummaryResult | undefined;
    try {
      result = await send();
      return result;
    } finally {
      // The estimate gives way to what the provider counted (or stays, when it did not say).
      if (result?.tokens) {
        account.inputTokens += result.tokens.input - estimate;
        account.outputTokens += result.tokens.output;
      }
    }
  }

  const summarizeStory = inner.summarizeStory?.bind(inner);
  return {
    summarizeArticle: (article) => within(article, [article.title, article.text], () => inner.summarizeArticle(article)),
    ...(summarizeStory
      ? {
          summarizeStory: (story: StoryToSummarize) =>
            within(
              { ...story.articles[0], maxSentences: story.maxSentences },
              story.articles.flatMap((a) => [a.title, a.text]),
              () => summarizeStory(story),
            ),
        }
      : {}),
  };
}
