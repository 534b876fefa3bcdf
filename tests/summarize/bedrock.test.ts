/**
 * The Bedrock summarizer against a local HTTP server that answers in the Converse wire format
 * (the real SDK pointed at it with `endpoint`, static fake credentials); never real AWS.
 * The Bedrock runtime client speaks HTTP/2, so the server is a cleartext HTTP/2 server.
 */
import {
  createServer,
  type Http2Server as Server,
  type Http2ServerRequest as IncomingMessage,
  type Http2ServerResponse as ServerResponse,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createSummarizer, buildConversePrompt, languageName, type ArticleToSummarize } from '../../src/summarize';
import type { SummarizerConfig } from '../../src/config/schema';

interface Received {
  method: string;
  path: string;
  body: {
    modelId?: string;
    system?: { text: string }[];
    messages?: { role: string; content: { text: string }[] }[];
    inferenceConfig?: { maxTokens?: number };
  };
  authorization?: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server;
let port: number;
let handler: Handler;
let received: Received[];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: decodeURIComponent(req.url ?? ''),
        body: body ? JSON.parse(body) : {},
        authorization: req.headers.authorization,
      });
      handler(req, res, body);
    });
  });
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

const sessions = new Set<import('node:http2').ServerHttp2Session>();
afterAll(async () => {
  for (const s of sessions) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
});

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

const converseAnswer = (text: string, usage = { inputTokens: 812, outputTokens: 64, totalTokens: 876 }) => ({
  output: { message: { role: 'assistant', content: [{ text }] } },
  stopReason: 'end_turn',
  usage,
  metrics: { latencyMs: 42 },
});

function config(overrides: Partial<Extract<SummarizerConfig, { kind: 'bedrock' }>> = {}): SummarizerConfig {
  return {
    kind: 'bedrock',
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    maxTokens: 300,
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    maxInputChars: 600,
    timeoutMs: 3000,
    ...overrides,
  };
}

const credentials = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' };

const arabicArticle: ArticleToSummarize = {
  title: 'عقد صفقة دفاع إسرائيلية مغربية ستتيح تبادل المعلومات والتدريبات المشتركة',
  text: [
    'قال مسؤول دفاع إسرائيلي كبير إن إسرائيل والرباط ستبدآن تعاونا عميقا في القضايا الأمنية بعد توقيع مذكرة تفاهم بين البلدين يوم الأربعاء.',
    'يزور وزير الدفاع الإسرائيلي بيني غانتس المغرب هذا الأسبوع بهدف تعزيز العلاقات الدفاعية بين البلدين.',
    'وقالت وزارة الدفاع إن الاتفاقية تشمل إضفاء الطابع الرسمي على تبادل المعلومات الاستخباراتية وستسمح بإقامة علاقات بين الصناعات الدفاعية.',
    'هذه الفقرة تكرر نصا طويلا لتجاوز حد المدخلات. '.repeat(40),
  ].join('\n'),
  lang: 'ar',
  maxSentences: 3,
};

describe('Bedrock summarizer (Converse over a local endpoint)', () => {
  test('success: Converse request names the target language, bounds the input, and the answer is used', async () => {
    handler = (_req, res) =>
      json(
        res,
        200,
        converseAnswer(
          'إليك الملخص:\n\n- وقع وزير الدفاع الإسرائيلي بيني غانتس مذكرة تفاهم دفاعية مع المغرب في الرباط يوم الأربعاء.\n- تسمح الاتفاقية بتبادل المعلومات الاستخباراتية والتدريبات المشتركة.\n- كما تتيح التعاون بين الصناعات الدفاعية في البلدين.',
        ),
      );
    const summarizer = createSummarizer(config(), { credentials });
    const result = await summarizer.summarizeArticle(arabicArticle);

    expect(result.kind).toBe('bedrock');
    expect(result.fallbackReason).toBeUndefined();
    expect(result.tokens).toEqual({ input: 812, output: 64 });
    expect(result.sentences).toEqual([
      'وقع وزير الدفاع الإسرائيلي بيني غانتس مذكرة تفاهم دفاعية مع المغرب في الرباط يوم الأربعاء.',
      'تسمح الاتفاقية بتبادل المعلومات الاستخباراتية والتدريبات المشتركة.',
      'كما تتيح التعاون بين الصناعات الدفاعية في البلدين.',
    ]);

    expect(received).toHaveLength(1);
    const req = received[0];
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1:0/converse');
    expect(req.authorization).toContain('AKIDLOCALTEST'); // SigV4 with the injected fake credentials
    expect(req.body.inferenceConfig?.maxTokens).toBe(300);
    const system = req.body.system?.[0]?.text ?? '';
    const user = req.body.messages?.[0]?.content?.[0]?.text ?? '';
    expect(system).toContain('Write the summary in Arabic.');
    expect(system).not.toMatch(/original language/i);
    expect(user).toContain(arabicArticle.title);
    expect(user).toContain('بيني غانتس');
    // Title + at most maxInputChars of the body (plus the fixed frame of the message).
    expect(user.length).toBeLessThan(arabicArticle.title.length + 600 + 200);
    expect(arabicArticle.text.length).toBeGreaterThan(1500);
  });

  test('HTTP 500: falls back to the extractive summary and says why', async () => {
    handler = (_req, res) => json(res, 500, { message: 'internal failure' }, { 'x-amzn-errortype': 'InternalServerException' });
    const result = await createSummarizer(config(), { credentials }).summarizeArticle(arabicArticle);
    expect(result.kind).toBe('extractive');
    expect(result.fallbackReason).toMatch(/^service: InternalServerException/);
    expect(result.sentences.length).toBeGreaterThan(0);
    expect(result.sentences.join(' ')).toContain('مذكرة تفاهم');
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received.length).toBeLessThanOrEqual(2); // one retry at most
  });

  test('malformed answer (not JSON, or JSON without a message): falls back', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"output": {"message": ');
    };
    const broken = await createSummarizer(config(), { credentials }).summarizeArticle(arabicArticle);
    expect(broken.kind).toBe('extractive');
    expect(broken.fallbackReason).toMatch(/^malformed: /);

    handler = (_req, res) =>
      json(res, 200, { stopReason: 'end_turn', usage: { inputTokens: 5, outputTokens: 0, totalTokens: 5 } });
    const empty = await createSummarizer(config(), { credentials }).summarizeArticle(arabicArticle);
    expect(empty.kind).toBe('extractive');
    expect(empty.fallbackReason).toMatch(/^malformed: /);
  });

  test('answer in the wrong language: falls back, tokens still counted', async () => {
    handler = (_req, res) =>
      json(
        res,
        200,
        converseAnswer('Israel and Morocco signed a defense agreement in Rabat on Wednesday.', {
          inputTokens: 700,
          outputTokens: 20,
          totalTokens: 720,
        }),
      );
    const result = await createSummarizer(config(), { credentials }).summarizeArticle(arabicArticle);
    expect(result.kind).toBe('extractive');
    expect(result.fallbackReason).toMatch(/^wrong-language: /);
    expect(result.tokens).toEqual({ input: 700, output: 20 });
  });

  test('the same trust checks as any LLM: an invented number or a link is refused', async () => {
    handler = (_req, res) => json(res, 200, converseAnswer('وقع غانتس مذكرة تفاهم مع المغرب بقيمة 500 مليون دولار.'));
    const invented = await createSummarizer(config(), { credentials }).summarizeArticle(arabicArticle);
    expect(invented.kind).toBe('extractive');
    expect(invented.fallbackReason).toBe('invented-number: 500 does not occur in the article');
    handler = (_req, res) => json(res, 200, converseAnswer('وقع غانتس مذكرة تفاهم مع المغرب. التفاصيل على www.example.com'));
    const linked = await createSummarizer(config(), { credentials }).summarizeArticle(arabicArticle);
    expect(linked.fallbackReason).toMatch(/^url: /);
  });

  test('timeout: a server that never answers in time does not hold the run', async () => {
    handler = (_req, res) => {
      const t = setTimeout(() => json(res, 200, converseAnswer('متأخر جدا.')), 10_000);
      res.on('close', () => clearTimeout(t));
    };
    const started = Date.now();
    const result = await createSummarizer(config({ timeoutMs: 500 }), { credentials }).summarizeArticle(arabicArticle);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(result.kind).toBe('extractive');
    expect(result.fallbackReason).toMatch(/^timeout: no answer within 500 ms/);
    expect(result.sentences.length).toBeGreaterThan(0);
  });
});

describe('Converse prompt', () => {
  test('names the language in English and asks for the requested number of sentences', () => {
    expect(languageName('ar')).toBe('Arabic');
    expect(languageName('he')).toBe('Hebrew');
    expect(languageName('pt-BR')).toBe('Brazilian Portuguese');
    expect(languageName('und')).toBeUndefined();
    const { system, user } = buildConversePrompt(
      { title: 'Titre', text: 'Un texte. '.repeat(500), lang: 'fr', maxSentences: 2 },
      'French',
      1000,
    );
    expect(system).toContain('Write the summary in French.');
    expect(system).toContain('Write 2 short, factual sentences');
    expect(user.startsWith('Title: Titre\n')).toBe(true);
    expect(user.length).toBeLessThan(1000 + 200);
  });

  test('extractive configuration gives the extractive summarizer', async () => {
    const result = await createSummarizer({ kind: 'extractive' }).summarizeArticle(arabicArticle);
    expect(result.kind).toBe('extractive');
    expect(result.fallbackReason).toBeUndefined();
    expect(result.tokens).toBeUndefined();
  });
});
