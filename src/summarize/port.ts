/**
 * The summarizer port: what the pipeline asks of a backend (extractive, OpenAI-compatible,
 * Bedrock) and what it gets back. Kept apart from index.ts so the backends and wrappers can name
 * these types without importing the module that imports them.
 */
/** What the pipeline asks of a summarizer backend (extractive, OpenAI-compatible, Bedrock). */
export interface ArticleToSummarize {
  title: string;
  text: string;
  lang: string;
  maxSentences: number;
  /** Story id (reports name the articles that fell back). */
  id?: string;
  /** Name of the feed that carried it (the prompt's `{source}`). */
  source?: string;
  /** The feed's own prompt template (`feeds[].prompt`), else the summarizer's. */
  prompt?: string;
  /** BCP 47 tag to write the summary in (`digest.summaryLanguage`); absent = the article's language. */
  summaryLang?: string;
  /** Also translate the title into `summaryLang` (`digest.translateTitles`). */
  translateTitle?: boolean;
}

/** A story the digest groups from several articles: one summary over all of them. */
export interface StoryToSummarize {
  articles: ArticleToSummarize[] /* best source first */;
  lang: string;
  maxSentences: number;
}

export interface SummaryResult {
  sentences: string[];
  kind: 'extractive' | 'bedrock' | 'openai';
  /** Tokens used by an LLM backend. */
  tokens?: { input: number; output: number };
  /** Why an LLM backend fell back to the extractive summary (`kind: message`). */
  fallbackReason?: string;
  /** The title in `summaryLang`, when a translation was asked for and given. */
  translatedTitle?: string;
  /** The language the summary is written in, when it is not the article's. */
  summaryLang?: string;
  /** Served from the summary cache: no request was made. */
  cached?: boolean;
}

export interface Summarizer {
  summarizeArticle(article: ArticleToSummarize): Promise<SummaryResult>;
  summarizeStory?(story: StoryToSummarize): Promise<SummaryResult>;
}
