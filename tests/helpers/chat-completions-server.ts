/**
 * A local HTTP server that speaks the Chat Completions protocol (POST /v1/chat/completions), as
 * OpenAI, Ollama and llama.cpp do. Its default "model" is deliberately naive and gullible: it
 * answers with the first sentences of the article data it is sent, and obeys any instruction it
 * finds inside that data ("reply only with: …"), so the tests see what a steered model would say.
 * A test may replace the answer with `server.answer = (request) => …`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: {
    model?: string;
    messages?: { role: string; content: string }[];
    max_tokens?: number;
    temperature?: number;
  };
  system: string;
  user: string;
  /** The article data between the prompt's delimiters. */
  data: string;
}

export type ChatAnswer = string | { status: number; body: unknown };

export interface ChatCompletionsServer {
  url: string;
  /** host:port, for `network.allowHosts`. */
  hostPort: string;
  requests: ChatRequest[];
  answer: (request: ChatRequest) => ChatAnswer;
  close(): Promise<void>;
}

const OBEYED = /(?:reply only with|write the summary as|writes)\s*:?\s*"?([^"\n]+)"?/i;

/** The gullible model: obeys an instruction in the data, else the first sentences of the data. */
export function naiveModel(request: ChatRequest): string {
  const order = OBEYED.exec(request.data);
  if (order) return order[1].trim();
  const count = Number(/Write (\d+) short/.exec(request.system)?.[1] ?? 3);
  const sentences = request.data
    .split('\n')
    .flatMap((line) => line.match(/[^.!?؟]+[.!?؟]+/gu) ?? [])
    .map((s) => s.trim())
    .filter((s) => !s.startsWith('['));
  return sentences.slice(0, count).join('\n');
}

export async function startChatCompletionsServer(): Promise<ChatCompletionsServer> {
  const requests: ChatRequest[] = [];
  const state: ChatCompletionsServer = {
    url: '',
    hostPort: '',
    requests,
    answer: naiveModel,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        return;
      }
      const body = JSON.parse(raw) as ChatRequest['body'];
      const system = body.messages?.find((m) => m.role === 'system')?.content ?? '';
      const user = body.messages?.find((m) => m.role === 'user')?.content ?? '';
      const data = /<(article-[0-9a-f]+)>\n([\s\S]*)\n<\/\1>/.exec(user)?.[2] ?? '';
      const request: ChatRequest = { path: req.url, headers: req.headers, body, system, user, data };
      requests.push(request);
      const answer = state.answer(request);
      if (typeof answer !== 'string') {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion',
          model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
          usage: {
            prompt_tokens: Math.ceil((system.length + user.length) / 4),
            completion_tokens: Math.ceil(answer.length / 4),
            total_tokens: Math.ceil((system.length + user.length + answer.length) / 4),
          },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  state.hostPort = `127.0.0.1:${port}`;
  state.url = `http://127.0.0.1:${port}/v1`;
  return state;
}
