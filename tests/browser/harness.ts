/**
 * Browser test harness: headless Debian chromium through playwright-core, and a static server
 * for a built site on 127.0.0.1 that sends the production Content-Security-Policy (or none, so
 * the XSS test proves the escaping itself rather than CSP's backstop).
 */
import http from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CONTENT_TYPES, resolveSitePath } from '../../src/cli/serve';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');
export const CSP = "default-src 'self'";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

export interface SiteServer {
  url: string;
  /** Every path requested, to prove the page made no other requests. */
  requests: string[];
  close(): Promise<void>;
}

/** `csp`: false sends none; a string sends that policy instead of CSP. */
export async function serveSite(outDir: string, options: { csp?: boolean | string } = {}): Promise<SiteServer> {
  const root = path.resolve(outDir, 'site');
  const requests: string[] = [];
  const server = http.createServer(async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(decodeURIComponent(pathname));
    try {
      // The same path resolution as `rss-digest serve`: nothing outside site/, index.html for folders.
      const file = await resolveSitePath(root, pathname);
      if (!file) throw new Error('not found');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'x-content-type-options': 'nosniff',
        ...(options.csp === false ? {} : { 'content-security-policy': typeof options.csp === 'string' ? options.csp : CSP }),
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Console errors, page errors, CSP violations, failed requests and dialogs of a page. */
export function watchPage(page: Page): { problems: string[]; dialogs: string[] } {
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { problems, dialogs };
}

export async function artifactPath(name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
