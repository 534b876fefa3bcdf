/**
 * `rss-digest serve`: the site in the output folder over HTTP on localhost, for preview, and
 * the subscription endpoint under /api/ (the same core the deployed Lambda runs).
 */
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig, type Config } from '../config';
import { createSubscriptionEndpointFromConfig, MAX_BODY_BYTES, type SubscriptionEndpoint } from '../subscriptions';
import { createStore } from './adapters';
import { imageSources } from '../render/image-policy';

/** Content types by file extension for the site's files (also used by the browser tests' server). */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/atom+xml; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ServeOptions {
  /** Folder that holds site/ (the run's --out). */
  outDir: string;
  port: number;
  host?: string;
  config?: Config;
  /** Endpoint log events (never carry addresses); default: none. */
  log?: (event: { event: string; [key: string]: unknown }) => void;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Resolve a request path to a file under siteDir; undefined for anything outside it. */
export async function resolveSitePath(siteDir: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(siteDir, '.' + path.posix.normalize('/' + decoded));
  if (file !== siteDir && !file.startsWith(siteDir + path.sep)) return undefined;
  try {
    const s = await stat(file);
    if (s.isDirectory()) {
      const index = path.join(file, 'index.html');
      await stat(index);
      return index;
    }
    return file;
  } catch {
    return undefined;
  }
}

/** Read a request body, giving up (undefined) past `limit` bytes. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function serveApi(endpoint: SubscriptionEndpoint, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const body = req.method === 'POST' ? await readBody(req, MAX_BODY_BYTES) : Buffer.alloc(0);
  const response = await endpoint({
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.search,
    headers: req.headers,
    // The peer of the TCP connection: X-Forwarded-For is whatever the client wrote.
    clientIp: req.socket.remoteAddress,
    // Over the limit: hand the core one byte too many so it answers 413 itself.
    body: body ?? Buffer.alloc(MAX_BODY_BYTES + 1),
  });
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

/** The Content-Security-Policy `serve` sends with site files (remote images only when the pages show them). */
export const localSitePolicy = (images: boolean): string =>
  `default-src 'self'; img-src ${imageSources(images)}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const siteDir = path.resolve(options.outDir, 'site');
  const config = options.config ?? parseConfig({});
  // Built once the port is known: links in confirmation mails point at this server unless site.url is set.
  const api: { endpoint?: SubscriptionEndpoint } = {};
  const server = http.createServer(async (req, res) => {
    if (api.endpoint && /^\/api(\/|\?|$)/.test(req.url ?? '')) {
      try {
        await serveApi(api.endpoint, req, res);
      } catch {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Internal error\n');
      }
      return;
    }
    const readable = req.method === 'GET' || req.method === 'HEAD';
    let file = readable ? await resolveSitePath(siteDir, req.url ?? '/') : undefined;
    let status = 200;
    if (!file && readable) {
      // The published 404 page, as CloudFront answers for a missing page when deployed.
      file = await resolveSitePath(siteDir, '/404.html');
      status = 404;
    }
    if (!file) {
      res.writeHead(readable ? 404 : 405, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
      return;
    }
    const body = await readFile(file);
    res.writeHead(status, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'content-security-policy': localSitePolicy(config.site.images.page),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  api.endpoint = createSubscriptionEndpointFromConfig(config, {
    store: createStore(config, options.outDir),
    outDir: path.resolve(options.outDir),
    fallbackSiteUrl: url,
    log: options.log,
  });
  return {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
