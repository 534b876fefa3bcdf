/**
 * Whole runs with `summarizer.kind: openai` pointed at a local Chat Completions server, over the
 * demo news sites: LLM summaries published, the cache (a re-run and the next day cost nothing),
 * the per-run budget, the cost in the report and the CLI summary, the summary language with the
 * original title kept, and an API key that appears nowhere in what a run writes or prints.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { formatSummary } from '../../src/cli/main';
import type { Config } from '../../src/config/schema';
import { demoConfig } from '../../src/demo/run-demo';
import { startDemoServer, type DemoServer } from '../../src/demo/server';
import { articlesPrefix, runDigest, runPublishStage, type PipelineEvent } from '../../src/pipeline';
import { FsStore } from '../../src/store';
import { createSummarizer, SUMMARY_CACHE_PREFIX } from '../../src/summarize';
import type { Digest } from '../../src/types';
import { startChatCompletionsServer, naiveModel, type ChatCompletionsServer } from '../helpers/chat-completions-server';
import { tempDir } from '../helpers/tmp';

const DATE = '2026-11-29';
const NEXT_DAY = '2026-11-30';
const KEY = 'sk-live-never-print-me-7f3a9c';
const KEY_ENV = 'RSS_DIGEST_TEST_OPENAI_KEY';

const readDigest = async (dir: string, date = DATE): Promise<Digest> =>
  JSON.parse(await readFile(path.join(dir, 'site', ...date.split('-'), 'digest.json'), 'utf8')) as Digest;

/** Every file a run wrote, as text. */
async function everyFile(dir: string): Promise<{ file: string; text: string }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => {
        const file = path.join(e.parentPath, e.name);
        return { file, text: await readFile(file, 'utf8') };
      }),
  );
}

describe('runs with an OpenAI-compatible summarizer', () => {
  let sites: DemoServer;
  let model: ChatCompletionsServer;
  let dir: string;
  beforeAll(async () => {
    [sites, model] = await Promise.all([startDemoServer(), startChatCompletionsServer()]);
    process.env[KEY_ENV] = KEY;
  });
  afterAll(async () => {
    delete process.env[KEY_ENV];
    await Promise.all([sites.close(), model.close()]);
  });
  beforeEach(async () => {
    dir = await tempDir('llm-run-');
    model.requests.length = 0;
    model.answer = naiveModel;
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const config = (summarizer: Record<string, unknown> = {}, digest: Record<string, unknown> = {}): Config =>
    demoConfig(sites, {
      digest: { title: 'rss-digest demo', timezone: 'UTC', summarySentences: 2, ...digest },
      network: { allowHosts: [sites.hostPort, model.hostPort], timeoutMs: 5000 },
      summarizer: {
        kind: 'openai',
        baseUrl: model.url,
        model: 'gpt-4o-mini',
        apiKeyEnv: KEY_ENV,
        inputPricePerMillionTokens: 0.15,
        outputPricePerMillionTokens: 0.6,
        ...summarizer,
      },
    });

  it('publishes LLM summaries, reports requests, tokens and cost, and a re-run or the next day sends no request', async () => {
    const store = new FsStore(dir);
    const events: PipelineEvent[] = [];
    const first = await runDigest({ config: config(), store, date: DATE, onEvent: (e) => events.push(e) });
    const digest = await readDigest(dir);
    const fromPages = digest.stories.filter((s) => s.contentSource === 'page');
    expect(fromPages.length).toBeGreaterThanOrEqual(4);
    for (const story of fromPages) expect(story.summaryKind).toBe('openai');
    // Feed-text stories too: the model summarizes whatever text there is.
    expect(first.publish.summaries.openai).toBe(digest.stories.length);
    const usage = first.publish.usage!;
    expect(usage.fallbacks).toEqual({});
    expect(usage.requests).toBe(model.requests.length);
    expect(usage.requests).toBe(digest.stories.length);
    expect(usage.inputTokens).toBeGreaterThan(100 * usage.requests);
    expect(usage.cost).toBeCloseTo((usage.inputTokens * 0.15 + usage.outputTokens * 0.6) / 1e6, 10);
    expect(formatSummary(first)).toMatch(
      new RegExp(`LLM: ${usage.requests} requests, [\\d,]+ tokens in, [\\d,]+ out, 0 cached, \\$0\\.\\d{4}`),
    );
    // The run report under state/ carries the same account.
    const reports = (await store.list(`state/runs/${DATE}/`)).filter((k) => k.includes('/publish-'));
    const persisted = JSON.parse((await store.get(reports[0]))!.toString('utf8'));
    expect(persisted.usage).toEqual(JSON.parse(JSON.stringify(usage)));

    // Same day again: nothing new to ask.
    const sent = model.requests.length;
    const again = await runDigest({ config: config(), store, date: DATE });
    expect(model.requests.length).toBe(sent);
    expect((await readDigest(dir)).stories.map((s) => s.summary)).toEqual(digest.stories.map((s) => s.summary));
    expect(again.publish.usage!.requests).toBe(0);

    // The same articles on the next day (say, carried again by another feed): answered from state/summaries/.
    for (const key of await store.list(articlesPrefix(DATE))) {
      if (key.endsWith('.summary.json')) continue;
      await store.put(key.replace(articlesPrefix(DATE), articlesPrefix(NEXT_DAY)), (await store.get(key))!);
    }
    const nextDay = await runPublishStage({
      config: config(),
      store,
      summarizer: createSummarizer(config().summarizer, { network: config().network }),
      date: NEXT_DAY,
    });
    expect(model.requests.length).toBe(sent);
    expect(nextDay.usage).toMatchObject({ requests: 0, inputTokens: 0, cached: digest.stories.length });
    expect(nextDay.usage!.cost).toBe(0);
    const next = await readDigest(dir, NEXT_DAY);
    expect(next.stories.filter((s) => s.contentSource === 'page').every((s) => s.summaryKind === 'openai')).toBe(true);
    expect((await store.list(SUMMARY_CACHE_PREFIX)).length).toBe(digest.stories.length);
  });

  it('a budget of 2 requests summarizes 2 articles and falls back for the rest, with the reason in the report', async () => {
    const store = new FsStore(dir);
    const run = await runDigest({ config: config({ maxRequestsPerRun: 2 }), store, date: DATE });
    const digest = await readDigest(dir);
    expect(model.requests).toHaveLength(2);
    const llm = digest.stories.filter((s) => s.summaryKind === 'openai');
    expect(llm).toHaveLength(2);
    const rest = digest.stories.length - 2;
    expect(rest).toBeGreaterThanOrEqual(3);
    for (const story of digest.stories.filter((s) => s.summaryKind !== 'openai')) {
      expect(['extractive', 'feed']).toContain(story.summaryKind);
      expect(story.summary.length).toBeGreaterThan(0);
    }
    const usage = run.publish.usage!;
    expect(usage.requests).toBe(2);
    expect(usage.fallbacks).toEqual({ budget: rest });
    expect(usage.fallbackArticles).toHaveLength(rest);
    for (const f of usage.fallbackArticles) expect(f.reason).toBe('budget: summarizer.maxRequestsPerRun (2) reached');
    expect(formatSummary(run)).toContain(`fell back to extractive: budget ${rest}`);

    // The next run with a new budget summarizes what fell back, and does not pay again for the 2.
    const next = await runDigest({ config: config({ maxRequestsPerRun: 100 }), store, date: DATE });
    expect(model.requests).toHaveLength(2 + rest);
    expect(next.publish.usage).toMatchObject({ requests: rest, fallbacks: {} });
    expect(
      (await readDigest(dir)).stories.filter((s) => s.contentSource === 'page').every((s) => s.summaryKind === 'openai'),
    ).toBe(true);
  });

  it('ranks before summarizing: with digest.maxStories 3 the model is asked for 3 summaries, those of the stories shown', async () => {
    const store = new FsStore(dir);
    const allDir = await tempDir('llm-all-');
    const all = await runDigest({ config: config({}, { maxStories: 100 }), store: new FsStore(allDir), date: DATE });
    await rm(allDir, { recursive: true, force: true });
    const everyStory = all.publish.digest.stories;
    expect(everyStory.length).toBeGreaterThan(3);
    model.requests.length = 0;

    const run = await runDigest({ config: config({}, { maxStories: 3 }), store, date: DATE });
    const digest = await readDigest(dir);
    expect(model.requests).toHaveLength(3);
    // The same three stories lead the full ranking; each of them got its summary from the model.
    expect(digest.stories.map((s) => s.id)).toEqual(everyStory.slice(0, 3).map((s) => s.id));
    expect(digest.stories.every((s) => s.summaryKind === 'openai')).toBe(true);
    expect(run.publish.stories.notSummarized).toBe(all.publish.stories.clusters - 3);
  });

  it('maxInputTokensPerRun stops asking once the run has spent its input tokens', async () => {
    const store = new FsStore(dir);
    const run = await runDigest({ config: config({ maxInputTokensPerRun: 1500 }), store, date: DATE });
    const usage = run.publish.usage!;
    expect(usage.requests).toBeGreaterThanOrEqual(1);
    expect(usage.requests).toBeLessThan(run.publish.digest.stories.length);
    expect(usage.inputTokens).toBeLessThanOrEqual(1500);
    expect(usage.fallbacks.budget).toBe(run.publish.digest.stories.length - usage.requests);
  });

  it('the API key never appears in the site, the state, the run report, the events or the CLI summary', async () => {
    const store = new FsStore(dir);
    // One reply quotes the key back, as some gateways do in their errors.
    model.answer = (request) =>
      model.requests.length === 1
        ? { status: 401, body: { error: { message: `Incorrect API key provided: ${request.headers.authorization}` } } }
        : naiveModel(request);
    const events: PipelineEvent[] = [];
    const run = await runDigest({ config: config(), store, date: DATE, onEvent: (e) => events.push(e) });
    expect(model.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(run.publish.usage!.fallbacks.service).toBe(1);
    expect(run.publish.usage!.fallbackArticles[0].reason).toContain('Incorrect API key provided: Bearer [redacted]');
    const files = await everyFile(dir);
    expect(files.some((f) => f.file.includes(`${path.sep}state${path.sep}runs${path.sep}`))).toBe(true);
    for (const { file, text } of files)
      expect({ file, leaks: text.includes(KEY) || text.includes('never-print-me') }).toEqual({ file, leaks: false });
    const printed = [formatSummary(run), JSON.stringify(events), JSON.stringify(run)].join('\n');
    expect(printed).not.toContain(KEY);
    expect(printed).not.toContain('never-print-me');
  });

  it('summaryLanguage en: an Arabic story gets an English summary, with the Arabic title kept beside the English one', async () => {
    const store = new FsStore(dir);
    model.answer = (request) => {
      if (!/\p{Script=Arabic}/u.test(request.data)) return naiveModel(request);
      expect(request.system).toContain('Write the summary in English.');
      return request.data.includes('غانتس')
        ? 'Title: Israeli-Moroccan defense deal will allow information sharing and joint exercises\nIsrael and Morocco signed a memorandum of understanding on defense cooperation on Wednesday.\nThe agreement allows intelligence sharing, joint exercises and ties between their defense industries.'
        : naiveModel(request);
    };
    await runDigest({ config: config({}, { summaryLanguage: 'en', translateTitles: true }), store, date: DATE });
    const digest = await readDigest(dir);
    const arabic = digest.stories.find((s) => s.title.startsWith('عقد صفقة'))!;
    expect(arabic).toMatchObject({
      lang: 'ar',
      dir: 'rtl',
      title: 'عقد صفقة دفاع إسرائيلية مغربية ستتيح تبادل المعلومات والتدريبات المشتركة',
      translatedTitle: 'Israeli-Moroccan defense deal will allow information sharing and joint exercises',
      summaryKind: 'openai',
      summaryLang: 'en',
    });
    expect(arabic.summary[0]).toBe(
      'Israel and Morocco signed a memorandum of understanding on defense cooperation on Wednesday.',
    );
    // English stories are summarized as before, with no translation.
    const english = digest.stories.find((s) => s.lang === 'en' && s.contentSource === 'page')!;
    expect(english.translatedTitle).toBeUndefined();
    expect(english.summaryLang).toBeUndefined();

    // The page shows the English title and summary left-to-right, the Arabic title beside it.
    const page = await readFile(path.join(dir, 'site', 'index.html'), 'utf8');
    const article = page.slice(
      page.indexOf('Israeli-Moroccan defense deal') - 400,
      page.indexOf('Israeli-Moroccan defense deal') + 1200,
    );
    expect(article).toContain(
      '<span lang="en" dir="ltr">Israeli-Moroccan defense deal will allow information sharing and joint exercises</span>',
    );
    expect(article).toContain('<p class="o"><bdi>عقد صفقة دفاع إسرائيلية مغربية');
    expect(article).toContain('<p lang="en" dir="ltr">Israel and Morocco signed a memorandum');
  });
});
