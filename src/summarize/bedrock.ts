/**
 * Bedrock adapter of the `Summarizer` port: one Converse call per article, with the target
 * language named explicitly in the prompt (asking for "the original language" is known to fail),
 * a bounded input (title + first `maxInputChars`), a timeout, and a fallback to the extractive
 * summary on any error, reported as `fallbackReason`.
 */
import {
  BedrockRuntimeClient,
  ConverseCommand,
  type BedrockRuntimeClientConfig,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import type { SummarizerConfig } from '../config/schema';
import { detectLang } from '../lang';
import type { ArticleToSummarize, StoryToSummarize, Summarizer, SummaryResult } from './index';
import { storyAsOneText } from './multi-document';
import { segmentSentences } from './sentences';

type BedrockConfig = Extract<SummarizerConfig, { kind: 'bedrock' }>;

export interface BedrockDeps {
  /** A ready client (tests, shared clients); by default one is built from the config. */
  client?: Pick<BedrockRuntimeClient, 'send'>;
  /** Credentials for the client built from the config (tests use static fake ones). */
  credentials?: BedrockRuntimeClientConfig['credentials'];
}

export type BedrockErrorKind = 'timeout' | 'service' | 'malformed' | 'empty' | 'wrong-language';

/** Why a Bedrock summary was not used. */
export class BedrockSummaryError extends Error {
  constructor(
    readonly kind: BedrockErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BedrockSummaryError';
  }
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

/** English name of a language tag ("ar" → "Arabic"); undefined when unknown. */
export function languageName(tag: string): string | undefined {
  if (!tag || tag === 'und') return undefined;
  try {
    const name = languageNames.of(tag);
    return name && name !== tag ? name : undefined;
  } catch {
    return undefined;
  }
}

/** The Converse system prompt and user message for an article (input bounded to `maxInputChars`). */
export function buildConversePrompt(
  article: ArticleToSummarize,
  language: string,
  maxInputChars: number,
): { system: string; user: string } {
  let body = article.text.trim();
  if (body.length > maxInputChars) {
    const cut = body.lastIndexOf(' ', maxInputChars);
    body = body.slice(0, cut > maxInputChars * 0.8 ? cut : maxInputChars);
  }
  const n = article.maxSentences;
  const system = [
    `You write summaries of news articles for a daily digest.`,
    `Write the summary in ${language}.`,
    `Write ${n} short, factual sentence${n === 1 ? '' : 's'} (about ${n * 20} words in total) that say who did what, where and when, and why it matters.`,
    `Use only facts stated in the article. Output only the summary sentences, one per line, with no title, numbering, bullets or preamble.`,
  ].join(' ');
  const user = `Title: ${article.title.trim()}\n\nArticle:\n${body}\n\nWrite the ${n}-sentence summary in ${language}.`;
  return { system, user };
}

/** The prompt for a story told by several sources (`text` already holds every source, bounded). */
export function buildStoryPrompt(story: ArticleToSummarize, language: string): { system: string; user: string } {
  const n = story.maxSentences;
  const system = [
    `You write summaries of news stories for a daily digest. Several outlets report the same event; their articles follow.`,
    `Write the summary in ${language}.`,
    `Write ${n} short, factual sentence${n === 1 ? '' : 's'} (about ${n * 20} words in total) that say who did what, where and when, and why it matters, drawing on every source and stating each fact once.`,
    `Use only facts stated in the articles; where sources disagree, say so. Output only the summary sentences, one per line, with no title, numbering, bullets or preamble.`,
  ].join(' ');
  const user = `Articles:\n${story.text}\n\nWrite the ${n}-sentence summary in ${language}.`;
  return { system, user };
}

const baseLangOf = (tag: string, sample: string): string =>
  (tag && tag !== 'und' ? tag : detectLang(sample)).split('-')[0].toLowerCase();

// Scripts that identify a language's output unambiguously (a summary in English for an Arabic
// article is a failure, not a summary).
const SCRIPT_OF: Record<string, RegExp> = {
  ar: /\p{Script=Arabic}/u,
  fa: /\p{Script=Arabic}/u,
  ur: /\p{Script=Arabic}/u,
  ps: /\p{Script=Arabic}/u,
  he: /\p{Script=Hebrew}/u,
  yi: /\p{Script=Hebrew}/u,
  ru: /\p{Script=Cyrillic}/u,
  uk: /\p{Script=Cyrillic}/u,
  bg: /\p{Script=Cyrillic}/u,
  sr: /\p{Script=Cyrillic}/u,
  el: /\p{Script=Greek}/u,
  hi: /\p{Script=Devanagari}/u,
  th: /\p{Script=Thai}/u,
  zh: /\p{Script=Han}/u,
  ja: /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u,
  ko: /\p{Script=Hangul}/u,
};

function inExpectedScript(text: string, lang: string): boolean {
  const script = SCRIPT_OF[lang];
  if (!script) return true;
  const letters = [...text].filter((ch) => /\p{L}/u.test(ch));
  if (letters.length === 0) return false;
  return letters.filter((ch) => script.test(ch)).length / letters.length >= 0.5;
}

/** Summary sentences of a Converse answer: one per line, bullets and numbering removed. */
function parseAnswer(output: ConverseCommandOutput, lang: string, maxSentences: number): string[] {
  const content = output.output && 'message' in output.output ? output.output.message?.content : undefined;
  if (!Array.isArray(content)) throw new BedrockSummaryError('malformed', 'Converse response has no output message');
  const text = content
    .map((block) => (typeof block.text === 'string' ? block.text : ''))
    .join('\n')
    .trim();
  if (!text) throw new BedrockSummaryError('empty', 'Converse response has no text');
  let lines = text
    .split('\n')
    .map((l) => l.replace(/^\s*(?:[-*•·]|\d+[.)])\s+/, '').trim())
    // Drop empty lines and preambles such as "Summary:" or "Here is the summary in Arabic:".
    .filter((l) => l && !(/[:：]$/.test(l) && l.split(/\s+/).length <= 8));
  if (lines.length < maxSentences) lines = lines.flatMap((l) => segmentSentences(l, lang).map((s) => s.text));
  return lines.slice(0, maxSentences);
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}

export function createBedrockSummarizer(config: BedrockConfig, fallback: Summarizer, deps: BedrockDeps = {}): Summarizer {
  const client =
    deps.client ??
    new BedrockRuntimeClient({
      ...(config.region ? { region: config.region } : {}),
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(deps.credentials ? { credentials: deps.credentials } : {}),
      // One retry at most: the timeout bounds the whole call, and the fallback is always there.
      maxAttempts: 2,
    });

  async function converse(
    article: ArticleToSummarize,
    lang: string,
    story = false,
  ): Promise<{ sentences: string[]; tokens?: SummaryResult['tokens'] }> {
    const language = languageName(lang) ?? 'the language of the article title';
    const prompt = story ? buildStoryPrompt(article, language) : buildConversePrompt(article, language, config.maxInputChars);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), config.timeoutMs);
    let output: ConverseCommandOutput;
    try {
      output = await client.send(
        new ConverseCommand({
          modelId: config.modelId,
          system: [{ text: prompt.system }],
          messages: [{ role: 'user', content: [{ text: prompt.user }] }],
          inferenceConfig: { maxTokens: config.maxTokens, temperature: 0 },
        }),
        { abortSignal: abort.signal },
      );
    } catch (err) {
      if (abort.signal.aborted)
        throw new BedrockSummaryError('timeout', `no answer within ${config.timeoutMs} ms`, { cause: err });
      const name = err instanceof Error ? err.name : '';
      const kind: BedrockErrorKind = /Serializ|Deserializ|SyntaxError|JSON/i.test(`${name} ${describe(err)}`)
        ? 'malformed'
        : 'service';
      throw new BedrockSummaryError(kind, describe(err), { cause: err });
    } finally {
      clearTimeout(timer);
    }
    const usage = output.usage;
    const tokens = usage ? { input: usage.inputTokens ?? 0, output: usage.outputTokens ?? 0 } : undefined;
    const sentences = parseAnswer(output, lang, article.maxSentences);
    if (!inExpectedScript(sentences.join(' '), lang)) {
      throw Object.assign(new BedrockSummaryError('wrong-language', `answer is not written in ${language}`), { tokens });
    }
    return { sentences, tokens };
  }

  return {
    /** One prompt over the story's articles (input bounded and shared across sources); the extractive story summary on any error. */
    async summarizeStory(story: StoryToSummarize) {
      const lang = baseLangOf(story.lang, story.articles[0]?.title ?? '');
      const asOne: ArticleToSummarize = {
        title: story.articles[0]?.title ?? '',
        text: storyAsOneText(story.articles, config.maxInputChars),
        lang,
        maxSentences: story.maxSentences,
      };
      try {
        const { sentences, tokens } = await converse(asOne, lang, true);
        return { sentences, kind: 'bedrock', ...(tokens ? { tokens } : {}) };
      } catch (err) {
        const reason = err instanceof BedrockSummaryError ? `${err.kind}: ${err.message}` : describe(err);
        const extractive = fallback.summarizeStory
          ? await fallback.summarizeStory(story)
          : await fallback.summarizeArticle({ ...asOne, text: story.articles[0]?.text ?? '' });
        const tokens = (err as { tokens?: SummaryResult['tokens'] }).tokens;
        return { ...extractive, kind: 'extractive', fallbackReason: reason, ...(tokens ? { tokens } : {}) };
      }
    },
    async summarizeArticle(article) {
      const lang = (article.lang && article.lang !== 'und' ? article.lang : detectLang(`${article.title}\n${article.text}`))
        .split('-')[0]
        .toLowerCase();
      try {
        const { sentences, tokens } = await converse(article, lang);
        return { sentences, kind: 'bedrock', ...(tokens ? { tokens } : {}) };
      } catch (err) {
        const reason = err instanceof BedrockSummaryError ? `${err.kind}: ${err.message}` : describe(err);
        const extractive = await fallback.summarizeArticle(article);
        const tokens = (err as { tokens?: SummaryResult['tokens'] }).tokens;
        return { ...extractive, kind: 'extractive', fallbackReason: reason, ...(tokens ? { tokens } : {}) };
      }
    },
  };
}
