/**
 * Summaries of a story told by several articles: the extractive one draws on several sources and
 * never states the same fact twice; Bedrock gets one prompt over the whole cluster (input bounded
 * and shared between sources) from a local Converse endpoint, and falls back to the extractive
 * story summary on an error.
 */
import { createServer, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import {
  createSummarizer,
  summarizeStoryExtractive,
  storyAsOneText,
  type ArticleToSummarize,
  type StoryToSummarize,
} from '../../src/summarize';
import { ENGLISH } from '../fixtures/cluster/events';

const hualien: ArticleToSummarize[] = ENGLISH.slice(0, 3).map((a) => ({
  title: a.title,
  text: a.text,
  lang: 'en',
  maxSentences: 3,
}));
const story: StoryToSummarize = { articles: hualien, lang: 'en', maxSentences: 3 };

describe('summarizeStoryExtractive', () => {
  it('draws sentences from more than one source, best source first', () => {
    const sentences = summarizeStoryExtractive(hualien, 'en', 3);
    expect(sentences).toHaveLength(3);
    const from = sentences.map((s) => hualien.findIndex((a) => a.text.includes(s)));
    expect(from[0]).toBe(0);
    expect(new Set(from).size).toBeGreaterThan(1);
  });

  it('never states the same fact twice, even when outlets carry the same wire sentence', () => {
    const wire =
      'A magnitude 6.4 earthquake struck off Hualien County in eastern Taiwan early on Monday, killing two people and injuring 35.';
    const copies = hualien.map((a) => ({ ...a, text: `${wire} ${a.text}` }));
    const sentences = summarizeStoryExtractive(copies, 'en', 3);
    expect(sentences.filter((s) => s === wire)).toHaveLength(sentences.includes(wire) ? 1 : 0);
    expect(new Set(sentences).size).toBe(sentences.length);
  });

  it('shares the LLM input budget between sources, each keeping its title', () => {
    const text = storyAsOneText(hualien, 600);
    for (const a of hualien) expect(text).toContain(a.title);
    expect(text.length).toBeLessThanOrEqual(600 + 2 * (hualien.length - 1));
  });
});

describe('Bedrock summarizeStory (Converse over a local endpoint)', () => {
  let server: Http2Server;
  let port: number;
  const sessions = new Set<ServerHttp2Session>();
  let respond: (body: string) => { status: number; body: unknown };
  const received: { system: string; user: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const parsed = JSON.parse(body) as { system: { text: string }[]; messages: { content: { text: string }[] }[] };
        received.push({ system: parsed.system[0].text, user: parsed.messages[0].content[0].text });
        const answer = respond(body);
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    server.on('session', (s) => {
      sessions.add(s);
      s.on('close', () => sessions.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sessions) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    received.length = 0;
  });

  const summarizer = () =>
    createSummarizer(
      {
        kind: 'bedrock',
        modelId: 'test-model',
        maxTokens: 300,
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${port}`,
        maxInputChars: 900,
        timeoutMs: 3000,
      },
      { credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' } },
    );

  it('asks once for the whole story, with every source in the bounded input', async () => {
    respond = () => ({
      status: 200,
      body: {
        output: {
          message: {
            role: 'assistant',
            content: [{ text: 'A 6.4 quake hit Hualien, killing two.\nA hotel tilted.\nTrains were halted.' }],
          },
        },
        stopReason: 'end_turn',
        usage: { inputTokens: 400, outputTokens: 30, totalTokens: 430 },
      },
    });
    const result = await summarizer().summarizeStory!(story);
    expect(result).toMatchObject({
      kind: 'bedrock',
      sentences: ['A 6.4 quake hit Hualien, killing two.', 'A hotel tilted.', 'Trains were halted.'],
    });
    expect(received).toHaveLength(1);
    for (const a of hualien) expect(received[0].user).toContain(a.title);
    expect(received[0].system).toContain('Several outlets report the same event');
    expect(received[0].system).toContain('Write the summary in English.');
    expect(received[0].user.length).toBeLessThan(900 + 400);
  });

  it('falls back to the extractive story summary when Bedrock fails', async () => {
    respond = () => ({ status: 500, body: { message: 'internal' } });
    const result = await summarizer().summarizeStory!(story);
    expect(result.kind).toBe('extractive');
    expect(result.fallbackReason).toMatch(/^service: /);
    expect(result.sentences).toEqual(summarizeStoryExtractive(hualien, 'en', 3));
  });
});
