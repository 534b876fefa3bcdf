/** `startServer` (rss-digest serve) in-process: the site and the endpoint under /api/ side by side. */
import http from 'node:http';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/cli/serve';
import { parseConfig } from '../../src/config';
import { tempDir } from '../helpers/tmp';

/** A POST whose body is streamed without a Content-Length (chunked), so only the byte cap can stop it. */
const chunkedPost = (url: string, bytes: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(1024, 'a');
    for (let sent = 0; sent < bytes; sent += chunk.length) req.write(chunk);
    req.end();
  });

describe('serve', () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = await tempDir('serve-');
    await mkdir(path.join(dir, 'site'), { recursive: true });
    await writeFile(path.join(dir, 'site', 'index.html'), '<!doctype html><title>Digest</title>');
    server = await startServer({ outDir: dir, port: 0, config: parseConfig({ digest: { title: 'Served Digest' } }) });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the site and the endpoint, and writes confirmation mails to the outbox beside the site', async () => {
    expect(await (await fetch(`${server.url}/`)).text()).toContain('<title>Digest</title>');
    const res = await fetch(`${server.url}/api/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=local%40example.org',
    });
    expect(res.status).toBe(202);
    expect(await res.text()).toContain('Served Digest');
    const [mail] = await readdir(path.join(dir, 'outbox', 'confirmations'));
    expect(mail).toMatch(/^confirm-.*\.eml$/);
    // The link points at this server, since site.url is not configured.
    const eml = await readFile(path.join(dir, 'outbox', 'confirmations', mail), 'utf8');
    expect(eml.replace(/=\r?\n/g, '')).toContain(`${server.url}/api/confirm?token=3D`);
    expect((await readdir(path.join(dir, 'state', 'subscribers'))).length).toBe(1);
    expect(await readdir(path.join(dir, 'state', 'secrets'))).toEqual(['token-secret']);
  });

  it('counts sign-ups per connection address, whatever X-Forwarded-For says', async () => {
    // A store of its own: the first test's sign-up from 127.0.0.1 is in the other one.
    const limitedDir = await tempDir('serve-limited-');
    const limited = await startServer({
      outDir: limitedDir,
      port: 0,
      config: parseConfig({ email: { maxSignupsPerClientPerHour: 1 } }),
    });
    try {
      const post = (email: string, forwardedFor: string): Promise<Response> =>
        fetch(`${limited.url}/api/subscribe`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
          body: `email=${email}`,
        });
      expect((await post('first%40example.org', '203.0.113.1')).status).toBe(202);
      const second = await post('second%40example.org', '203.0.113.2');
      expect([second.status, second.headers.get('retry-after')]).toEqual([429, '3600']);
    } finally {
      await limited.close();
      await rm(limitedDir, { recursive: true, force: true });
    }
  });

  it('cuts off a streamed body past the limit with 413', async () => {
    expect(await chunkedPost(`${server.url}/api/subscribe`, 64 * 1024)).toBe(413);
  });

  it('answers unknown API paths and methods with 404 / 405, and HEAD without a body', async () => {
    expect((await fetch(`${server.url}/api/nope`)).status).toBe(404);
    const put = await fetch(`${server.url}/api/subscribe`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST');
    const head = await fetch(`${server.url}/api/unsubscribe?token=x.y`, { method: 'HEAD' });
    expect(head.status).toBe(400);
    expect(await head.text()).toBe('');
    // Paths that merely start with "api" are site files, not the endpoint.
    expect((await fetch(`${server.url}/apiary`)).status).toBe(404);
  });
});
