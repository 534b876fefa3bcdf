/**
 * What every LLM backend shares (OpenAI-compatible, Bedrock): the language to write in, the
 * prompt, the trust checks on the reply, and the fallback to the extractive summary with the
 * reason. A backend only supplies `complete`: one request, one reply text, the tokens it used.
 */
import { detectLang } from '../lang';
import type { ArticleToSummarize, StoryToSummarize, Summarizer, SummaryResult } from './port';
import { boundText, buildPrompt, languageName, withoutModelInstructions, type ChatPrompt } from './prompt';
import { baseOf, checkReply, parseReply, SummaryError } from './trust';

export interface Completion {
  text: string;
  tokens?: { input: number; output: number };
}

export interface LlmBackend {
  kind: 'openai' | 'bedrock';
  /** One request; throws a SummaryError (timeout, service, malformed…) when there is no reply. */
  complete(prompt: ChatPrompt): Promise<Completion>;
  /** The user-message template (the kind's default unless `summarizer.prompt` is set). */
  prompt: string;
  maxInputChars: number;
}

/** An error's name and message, bounded (never a response body, which may echo a key). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}

/** The article's language: the declared one, else detected from its text. */
function sourceLanguage(article: { lang: string; title: string; text: string }): string {
  const declared = article.lang && article.lang !== 'und' ? article.lang : detectLang(`${article.title}\n${article.text}`);
  return baseOf(declared);
}

/**
 * What a reply may draw its numbers and names from: titles and texts as the model saw them, without
 * the paragraphs addressed to a model (a number planted there is still an invented one).
 */
const trustedSources = (articles: ArticleToSummarize[]): string[] =>
  articles.flatMap((a) => [a.title, withoutModelInstructions(a.text)]);

/** The language to write in: the one asked for, unless the article is already in it ("en-GB" for "en"). */
function summaryLanguage(requested: string | undefined, lang: string): string {
  if (!requested || baseOf(requested) === lang) return lang;
  return requested;
}

/**
 * A story's sources merged into one bounded text: an equal share of `maxChars` for each article
 * (best source first), so the second source is not crowded out by a long first one.
 */
export function mergeSources(articles: ArticleToSummarize[], maxChars: number): string {
  const share = Math.max(300, Math.floor(maxChars / Math.max(1, articles.length)));
  return articles
    .map((a) => `[${a.source ?? a.title}]\n${boundText(a.text, share)}`)
    .join('\n\n')
    .slice(0, maxChars + 200 * articles.length);
}

export function createLlmSummarizer(backend: LlmBackend, fallback: Summarizer): Summarizer {
  async function summarizeOnce(
    input: { title: string; text: string; source?: string; prompt?: string; maxSentences: number; story?: boolean },
    lang: string,
    target: string,
    translateTitle: boolean,
    sources: string[],
  ): Promise<SummaryResult> {
    const language = languageName(target) ?? 'the language of the article title';
    const prompt = buildPrompt(
      {
        title: input.title,
        text: input.text,
        source: input.source,
        maxSentences: input.maxSentences,
        language,
        translateTitle,
        story: input.story,
      },
      input.prompt ?? backend.prompt,
      backend.maxInputChars,
    );
    const completion = await backend.complete(prompt);
    const tokens = completion.tokens;
    try {
      const parsed = parseReply(completion.text, target, input.maxSentences, translateTitle);
      const sentences = checkReply(parsed, { sources, lang: target, sourceLang: lang, maxSentences: input.maxSentences });
      return {
        sentences,
        kind: backend.kind,
        ...(tokens ? { tokens } : {}),
        ...(target !== lang ? { summaryLang: target } : {}),
        ...(translateTitle && parsed.title ? { translatedTitle: parsed.title } : {}),
      };
    } catch (err) {
      // The request was paid for: its tokens count even when the reply is refused.
      if (err instanceof SummaryError) throw new SummaryError(err.kind, err.message, { tokens });
      throw err;
    }
  }

  /** The LLM's summary, else the fallback's (of the story when there is one, else of the article) with the reason. */
  async function withFallback(
    first: ArticleToSummarize,
    attempt: () => Promise<SummaryResult>,
    story?: StoryToSummarize,
  ): Promise<SummaryResult> {
    try {
      return await attempt();
    } catch (err) {
      const reason = err instanceof SummaryError ? `${err.kind}: ${err.message}` : describeError(err);
      const tokens = err instanceof SummaryError ? err.tokens : undefined;
      const extractive =
        story && fallback.summarizeStory ? await fallback.summarizeStory(story) : await fallback.summarizeArticle(first);
      return { ...extractive, kind: 'extractive', fallbackReason: reason, ...(tokens ? { tokens } : {}) };
    }
  }

  return {
    summarizeArticle(article) {
      const lang = sourceLanguage(article);
      const target = summaryLanguage(article.summaryLang, lang);
      const translateTitle = !!article.translateTitle && target !== lang;
      return withFallback(article, () => summarizeOnce(article, lang, target, translateTitle, trustedSources([article])));
    },

    summarizeStory(story: StoryToSummarize) {
      const first = story.articles[0];
      const lang = sourceLanguage({ lang: story.lang, title: first.title, text: first.text });
      const target = summaryLanguage(first.summaryLang, lang);
      const translateTitle = !!first.translateTitle && target !== lang;
      const merged = {
        title: first.title,
        text: mergeSources(story.articles, backend.maxInputChars),
        source: [...new Set(story.articles.map((a) => a.source).filter(Boolean))].join(', '),
        prompt: first.prompt,
        maxSentences: story.maxSentences,
        story: true,
      };
      return withFallback(
        { ...first, maxSentences: story.maxSentences },
        () => summarizeOnce(merged, lang, target, translateTitle, trustedSources(story.articles)),
        story,
      );
    },
  };
}
