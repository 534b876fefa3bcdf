/**
 * OpenAI-compatible adapter of the `Summarizer` port: one Chat Completions request per article
 * (or story), which OpenAI, Azure OpenAI's v1 API, Ollama, llama.cpp's server, vLLM, LM Studio
 * and most gateways accept. Plain node:http(s), no SDK, through the same address screening as
 * the fetcher: a model on 127.0.0.1 or a private network is reachable only when
 * `network.allowHosts` lists its host:port. The API key is read from the environment variable
 * `apiKeyEnv` names, sent only in the Authorization header, and scrubbed from every message.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import type { NetworkConfig, SummarizerConfig } from '../config/schema';
import { blockedAddressReason, isIpLiteral } from '../http/address';
import type { Summarizer } from './port';
import { createLlmSummarizer, type Completion } from './llm';
import { DEFAULT_PROMPTS, type ChatPrompt } from './prompt';
import { SummaryError } from './trust';

type OpenAiConfig = Extract<SummarizerConfig, { kind: 'openai' }>;

export interface OpenAiDeps {
  /** `network.allowHosts` decides whether a loopback/private model server may be reached. */
  network?: Pick<NetworkConfig, 'allowHosts' | 'userAgent'>;
  /** Where `apiKeyEnv` is looked up (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** DNS resolution (tests map names to addresses). */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

/** Replies larger than this are not a summary. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** `${baseUrl}/chat/completions`, whether or not the base URL ends with a slash. */
export const chatCompletionsUrl = (baseUrl: string): string => `${baseUrl.replace(/\/+$/, '')}/chat/completions`;

const hostAndPort = (u: URL): string => `${u.hostname.toLowerCase()}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;

/** The lookup hook of the request: every address must be public unless the host:port is allow-listed. */
function screenedLookup(allowListed: boolean, resolve: (hostname: string) => Promise<LookupAddress[]>) {
  return (
    hostname: string,
    options: dns.LookupOptions,
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0) return callback(new SummaryError('service', `no address for ${hostname}`), '');
        const blocked = allowListed ? undefined : addresses.find((a) => blockedAddressReason(a.address));
        if (blocked)
          return callback(
            new SummaryError('blocked-address', `${hostname} resolves to a ${blockedAddressReason(blocked.address)} address`),
            '',
          );
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(new SummaryError('service', `DNS lookup failed for ${hostname}: ${err.code}`), ''),
    );
  };
}

interface ChatCompletionResponse {
  choices?: { message?: { content?: unknown } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

export function createOpenAiSummarizer(config: OpenAiConfig, fallback: Summarizer, deps: OpenAiDeps = {}): Summarizer {
  const endpoint = new URL(chatCompletionsUrl(config.baseUrl));
  const allowListed = new Set((deps.network?.allowHosts ?? []).map((h) => h.toLowerCase())).has(hostAndPort(endpoint));
  const resolve = deps.resolve ?? ((hostname: string) => dns.promises.lookup(hostname, { all: true, verbatim: true }));
  const env = deps.env ?? process.env;
  const agent = endpoint.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });

  /** The key, read at request time (a deployed handler sets it from Secrets Manager after start). */
  const apiKey = (): string | undefined => (config.apiKeyEnv ? env[config.apiKeyEnv]?.trim() || undefined : undefined);
  /** A message with the key (and anything after "Bearer ") removed: gateways echo keys in errors. */
  const scrub = (message: string): string => {
    const key = apiKey();
    const cleaned = key ? message.split(key).join('[redacted]') : message;
    return cleaned
      .replace(/\b(Bearer\s+)\S+/gi, '$1[redacted]')
      .replace(/\bsk-[A-Za-z0-9_-]{6,}/g, '[redacted]')
      .slice(0, 300);
  };

  function post(body: string): Promise<{ status: number; text: string }> {
    if (!allowListed && isIpLiteral(endpoint.hostname)) {
      const reason = blockedAddressReason(endpoint.hostname);
      if (reason)
        return Promise.reject(
          new SummaryError('blocked-address', `${endpoint.host} is a ${reason} address not listed in network.allowHosts`),
        );
    }
    const key = apiKey();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      ...(deps.network?.userAgent ? { 'user-agent': deps.network.userAgent } : {}),
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    };
    return new Promise((resolvePost, reject) => {
      let settled = false;
      const settle = (err: Error | undefined, value?: { status: number; text: string }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          request.destroy();
          const code = (err as NodeJS.ErrnoException).code;
          reject(
            err instanceof SummaryError ? err : new SummaryError('service', scrub(`${endpoint.host}: ${code ?? err.message}`)),
          );
        } else resolvePost(value!);
      };
      const request = (endpoint.protocol === 'https:' ? https : http).request(endpoint, {
        method: 'POST',
        headers,
        agent,
        lookup: screenedLookup(allowListed, resolve) as unknown as typeof dns.lookup,
      });
      // One deadline for connect, upload and the whole reply.
      const timer = setTimeout(
        () => settle(new SummaryError('timeout', `no answer within ${config.timeoutMs} ms`)),
        config.timeoutMs,
      );
      request.on('error', (err) => settle(err));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) settle(new SummaryError('malformed', `reply over ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(chunk);
        });
        response.on('error', (err) => settle(err));
        response.on('end', () =>
          settle(undefined, { status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('close', () => settle(new SummaryError('service', `connection to ${endpoint.host} closed mid-reply`)));
      });
      request.end(body);
    });
  }

  async function complete(prompt: ChatPrompt): Promise<Completion> {
    const body = JSON.stringify({
      model: config.model,
      messages: [
        { role: 'system', content: prompt.system },
        { role: 'user', content: prompt.user },
      ],
      max_tokens: config.maxTokens,
      temperature: config.temperature,
      stream: false,
    });
    const response = await post(body);
    if (response.status === 429) throw new SummaryError('rate-limited', `HTTP 429 from ${endpoint.host}`);
    if (response.status < 200 || response.status >= 300) {
      // The provider's own error message helps (wrong model name…), the key it may quote does not.
      let detail = '';
      try {
        const parsed = JSON.parse(response.text) as { error?: { message?: unknown } | string };
        detail = typeof parsed.error === 'string' ? parsed.error : String(parsed.error?.message ?? '');
      } catch {
        // Not JSON (an HTML error page from a proxy): the status says enough.
      }
      throw new SummaryError('service', scrub(`HTTP ${response.status} from ${endpoint.host}${detail ? `: ${detail}` : ''}`));
    }
    let parsed: ChatCompletionResponse;
    try {
      parsed = JSON.parse(response.text) as ChatCompletionResponse;
    } catch {
      throw new SummaryError('malformed', 'the reply is not JSON');
    }
    const usage = parsed.usage;
    const tokens = usage ? { input: Number(usage.prompt_tokens) || 0, output: Number(usage.completion_tokens) || 0 } : undefined;
    const content = parsed.choices?.[0]?.message?.content;
    if (typeof content !== 'string')
      throw new SummaryError('malformed', 'the reply has no choices[0].message.content', { tokens });
    // Reasoning models (DeepSeek-R1, Qwen3 through Ollama) may put their thinking in the content.
    const text = content.replace(/<think>[\s\S]*?<\/think>/g, '').trim();
    if (!text) throw new SummaryError('empty', 'the reply is empty', { tokens });
    return { text, ...(tokens ? { tokens } : {}) };
  }

  return createLlmSummarizer(
    { kind: 'openai', complete, prompt: config.prompt ?? DEFAULT_PROMPTS.openai, maxInputChars: config.maxInputChars },
    fallback,
  );
}
