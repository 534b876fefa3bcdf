/**
 * Bedrock adapter of the `Summarizer` port: one Converse call per article (or story), with the
 * shared prompt, trust checks and extractive fallback of ./llm.ts. A bounded input, a timeout,
 * one retry at most.
 */
import {
  BedrockRuntimeClient,
  ConverseCommand,
  type BedrockRuntimeClientConfig,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import type { SummarizerConfig } from '../config/schema';
import type { ArticleToSummarize, Summarizer } from './port';
import { createLlmSummarizer, describeError, type Completion } from './llm';
import { buildPrompt, DEFAULT_PROMPTS, type ChatPrompt } from './prompt';
import { SummaryError, type SummaryErrorKind } from './trust';

type BedrockConfig = Extract<SummarizerConfig, { kind: 'bedrock' }>;

export interface BedrockDeps {
  /** A ready client (tests, shared clients); by default one is built from the config. */
  client?: Pick<BedrockRuntimeClient, 'send'>;
  /** Credentials for the client built from the config (tests use static fake ones). */
  credentials?: BedrockRuntimeClientConfig['credentials'];
}

/** The reasons a Bedrock summary is not used (the same as any LLM backend's). */
export type BedrockErrorKind = SummaryErrorKind;
/** Kept under its old name: a Bedrock summary error is an LLM summary error. */
export const BedrockSummaryError = SummaryError;

/** The Converse system prompt and user message for an article (input bounded to `maxInputChars`). */
export function buildConversePrompt(article: ArticleToSummarize, language: string, maxInputChars: number): ChatPrompt {
  return buildPrompt({ ...article, language }, DEFAULT_PROMPTS.bedrock, maxInputChars);
}

/** The text of a Converse answer. */
function answerText(output: ConverseCommandOutput): string {
  const content = output.output && 'message' in output.output ? output.output.message?.content : undefined;
  if (!Array.isArray(content)) throw new SummaryError('malformed', 'Converse response has no output message');
  const text = content
    .map((block) => (typeof block.text === 'string' ? block.text : ''))
    .join('\n')
    .trim();
  if (!text) throw new SummaryError('empty', 'Converse response has no text');
  return text;
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

  async function complete(prompt: ChatPrompt): Promise<Completion> {
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
      if (abort.signal.aborted) throw new SummaryError('timeout', `no answer within ${config.timeoutMs} ms`, { cause: err });
      const name = err instanceof Error ? err.name : '';
      const kind: SummaryErrorKind = /Serializ|Deserializ|SyntaxError|JSON/i.test(`${name} ${describeError(err)}`)
        ? 'malformed'
        : /Throttl/i.test(name)
          ? 'rate-limited'
          : 'service';
      throw new SummaryError(kind, describeError(err), { cause: err });
    } finally {
      clearTimeout(timer);
    }
    const usage = output.usage;
    const tokens = usage ? { input: usage.inputTokens ?? 0, output: usage.outputTokens ?? 0 } : undefined;
    try {
      return { text: answerText(output), ...(tokens ? { tokens } : {}) };
    } catch (err) {
      throw err instanceof SummaryError ? new SummaryError(err.kind, err.message, { tokens }) : err;
    }
  }

  return createLlmSummarizer(
    { kind: 'bedrock', complete, prompt: config.prompt ?? DEFAULT_PROMPTS.bedrock, maxInputChars: config.maxInputChars },
    fallback,
  );
}
