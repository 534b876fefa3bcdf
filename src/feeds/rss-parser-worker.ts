/**
 * rss-parser's `parseString`, run in a worker thread under a CPU deadline. rss-parser is
 * synchronous inside (xml2js, then a `contentSnippet` regex that is quadratic on an unmatched
 * "<"), so a time limit needs a thread we can stop: a parse that overruns terminates the worker,
 * and the next parse spawns a fresh one.
 *
 * One persistent worker, spawned lazily and reused; jobs queue and each one's deadline starts
 * when the worker takes it. The worker is unref'd, so it never keeps the process alive; while a
 * job runs, its deadline timer does.
 *
 * The worker's code is an inline CommonJS string (`eval: true`) that requires rss-parser by its
 * resolved path: no separate worker file to compile or copy, and it loads the same way under tsx,
 * Jest (whose module system a worker does not share) and the compiled build. Where rss-parser
 * cannot be loaded (a bundle without node_modules) the worker fails to start and callers fall
 * back to the tree reader.
 */
import { Worker } from 'node:worker_threads';

/** What rss-parser returns (loosely typed: its output is normalized by rss-parser-reader.ts). */
export type RssParserOutput = Record<string, unknown> & { items?: Record<string, unknown>[] };

export class RssParserFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'error' | 'unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'RssParserFailure';
  }
}

/**
 * Extra fields copied out of xml2js's tree. `keepArray` keeps the raw xml2js nodes (attributes in
 * `$`, text in `_`, child elements as keys) so our reader can see types, attributes and naked
 * markup that rss-parser flattens or drops.
 */
export const CUSTOM_FIELDS = {
  feed: [
    ['title', 'rawTitle', { keepArray: true }],
    ['link', 'rawLinks', { keepArray: true }],
    ['atom:link', 'atomLinks', { keepArray: true }],
    ['author', 'rawAuthor', { keepArray: true }],
    ['dc:language', 'dcLanguage'],
    ['$', 'attrs', { keepArray: true }],
  ],
  item: [
    ['title', 'rawTitle', { keepArray: true }],
    ['dc:title', 'dcTitle'],
    ['description', 'rawDescription', { keepArray: true }],
    ['content:encoded', 'rawEncoded', { keepArray: true }],
    ['content', 'rawContent', { keepArray: true }],
    ['summary', 'rawSummary', { keepArray: true }],
    ['link', 'rawLinks', { keepArray: true }],
    ['atom:link', 'atomLinks', { keepArray: true }],
    ['guid', 'rawGuid', { keepArray: true }],
    ['$', 'attrs', { keepArray: true }],
    ['published', 'published'],
    ['updated', 'updated'],
    ['created', 'created'],
    ['category', 'rawCategories', { keepArray: true }],
    ['dc:subject', 'dcSubjects', { keepArray: true }],
    ['author', 'rawAuthor', { keepArray: true }],
    ['itunes:author', 'itunesAuthor', { keepArray: true }],
    ['dc:creator', 'dcCreators', { keepArray: true }],
    ['atom:author', 'atomAuthors', { keepArray: true }],
    ['media:group', 'mediaGroup', { keepArray: true }],
    ['media:title', 'mediaTitle', { keepArray: true }],
    ['media:description', 'mediaDescription', { keepArray: true }],
    ['media:content', 'mediaContent', { keepArray: true }],
  ],
};

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Parser = require(workerData.rssParserPath);
// contentSnippet is never used (it turns escaped markup into live markup); drop it before the copy back.
const dropSnippets = (o) => { for (const k of Object.keys(o)) if (k.endsWith('Snippet')) delete o[k]; };
parentPort.on('message', (msg) => {
  new Parser({ customFields: workerData.customFields }).parseString(msg.text).then(
    (feed) => {
      for (const item of feed.items || []) dropSnippets(item);
      parentPort.postMessage({ id: msg.id, feed });
    },
    (err) => parentPort.postMessage({ id: msg.id, error: String((err && err.message) || err).slice(0, 500) }),
  );
});
parentPort.postMessage({ ready: true });
`;

/** How long a fresh worker may take to load rss-parser before we give up on it. */
const STARTUP_TIMEOUT_MS = 10_000;

interface Job {
  id: number;
  text: string;
  deadlineMs: number;
  resolve: (feed: RssParserOutput) => void;
  reject: (err: Error) => void;
}

interface Reply {
  id?: number;
  ready?: boolean;
  feed?: RssParserOutput;
  error?: string;
}

let rssParserPath: string | null | undefined;
function resolveRssParser(): string | null {
  if (rssParserPath === undefined) {
    try {
      rssParserPath = require.resolve('rss-parser');
    } catch {
      rssParserPath = null;
    }
  }
  return rssParserPath;
}

class RssParserPool {
  private worker: Worker | undefined;
  private ready = false;
  private readonly queue: Job[] = [];
  private current: { job: Job; timer: NodeJS.Timeout } | undefined;
  private startupTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private unavailable: string | undefined;
  /** How many workers were spawned (tests check the respawn after a timeout). */
  spawned = 0;

  parse(text: string, deadlineMs: number): Promise<RssParserOutput> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, text, deadlineMs, resolve, reject });
      this.pump();
    });
  }

  private spawn(): void {
    const path = this.unavailable ? null : resolveRssParser();
    if (!path) return this.giveUp(this.unavailable ?? 'rss-parser cannot be loaded here');
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { rssParserPath: path, customFields: CUSTOM_FIELDS },
        // Bounds what a hostile feed can make xml2js allocate; an overrun ends the worker, not us.
        resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
      });
    } catch (err) {
      return this.giveUp(`rss-parser worker could not start: ${(err as Error).message}`);
    }
    this.spawned++;
    this.worker = worker;
    this.ready = false;
    this.startupTimer = setTimeout(() => {
      this.kill();
      this.giveUp(`rss-parser worker did not start within ${STARTUP_TIMEOUT_MS} ms`);
    }, STARTUP_TIMEOUT_MS);
    worker.on('message', (reply: Reply) => {
      if (worker !== this.worker) return;
      if (reply.ready) {
        clearTimeout(this.startupTimer);
        this.ready = true;
        this.pump();
        return;
      }
      const cur = this.current;
      if (!cur || cur.job.id !== reply.id) return;
      clearTimeout(cur.timer);
      this.current = undefined;
      if (reply.feed) cur.job.resolve(reply.feed);
      else cur.job.reject(new RssParserFailure('error', reply.error ?? 'rss-parser failed'));
      this.pump();
    });
    const onGone = (err?: Error): void => {
      if (worker !== this.worker) return; // terminated by us
      clearTimeout(this.startupTimer);
      const wasReady = this.ready;
      this.worker = undefined;
      this.ready = false;
      const message = err ? `rss-parser worker failed: ${err.message}` : 'rss-parser worker exited';
      // Dying before it was ready means rss-parser cannot be loaded: stop trying.
      if (!wasReady) return this.giveUp(message);
      if (this.current) {
        // Most likely the heap limit, on one feed: that feed fails over, the next gets a new worker.
        clearTimeout(this.current.timer);
        this.current.job.reject(new RssParserFailure('error', message));
        this.current = undefined;
      }
      this.pump();
    };
    worker.on('error', onGone);
    worker.on('exit', () => onGone());
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
  }

  /** rss-parser cannot run here (e.g. a bundle without node_modules): every job fails over. */
  private giveUp(reason: string): void {
    this.unavailable = reason;
    for (const job of this.queue.splice(0)) job.reject(new RssParserFailure('unavailable', reason));
  }

  private pump(): void {
    if (this.current || this.queue.length === 0) return;
    if (!this.worker) {
      if (this.unavailable) return this.giveUp(this.unavailable);
      this.spawn();
      if (!this.worker) return;
    }
    if (!this.ready) return;
    const worker = this.worker;
    const job = this.queue.shift()!;
    const timer = setTimeout(() => {
      // Overran its budget: the worker is stuck in synchronous code, so it is stopped, not asked.
      if (this.current?.job !== job) return;
      this.current = undefined;
      this.kill();
      job.reject(new RssParserFailure('timeout', `rss-parser took more than ${job.deadlineMs} ms`));
      this.pump();
    }, job.deadlineMs);
    this.current = { job, timer };
    worker.postMessage({ id: job.id, text: job.text });
  }

  private kill(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = false;
    clearTimeout(this.startupTimer);
    if (worker) void worker.terminate();
  }
}

const pool = new RssParserPool();

/** Parse with rss-parser in the worker; rejects with RssParserFailure on error or at the deadline. */
export function parseWithRssParser(text: string, deadlineMs: number): Promise<RssParserOutput> {
  return pool.parse(text, deadlineMs);
}

/** Workers spawned so far (for tests: a timeout replaces the worker). */
export const rssParserWorkersSpawned = (): number => pool.spawned;
