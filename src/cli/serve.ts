/**
 * `rss-digest serve`: the site in the output folder over HTTP on localhost, for preview.
 * (Issue 8 adds the subscription endpoint under /api/.)
 */
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const TYPES: Record<string, string> = {
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
  config?: import('../config/schema').Config;
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

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const siteDir = path.resolve(options.outDir, 'site');
  const server = http.createServer(async (req, res) => {
    const file = req.method === 'GET' || req.method === 'HEAD' ? await resolveSitePath(siteDir, req.url ?? '/') : undefined;
    if (!file) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
      return;
    }
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
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
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
