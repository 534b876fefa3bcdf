/**
 * What a fetch returns or fails with, exactly: the result's fields, the request's headers, and each
 * named error with its message and status, against a real server on 127.0.0.1.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import { createFetcher, USER_AGENT, type FetchRequest } from '../../src/http/fetcher';
import { fetchErrorOf, network, startServer, type LocalServer } from './local-server';

const CAP = 100;
const gzipped = zlib.gzipSync('gzipped feed body');
const LONG_TEXT = Array.from({ length: 300 }, (_, i) => `item ${i} `).join('');

/** The client port of each request, in order: the same port means the same (kept-alive) connection. */
const clientPorts: number[] = [];

function route(req: http.IncomingMessage, res: http.ServerResponse): void {
  clientPorts.push(req.socket.remotePort ?? 0);
  const url = new URL(req.url ?? '/', 'http://x');
  const q = (name: string): string => url.searchParams.get(name) ?? '';
  switch (url.pathname) {
    case '/headers':
      return void res.end(JSON.stringify(req.headers));
    case '/status': {
      const headers: http.OutgoingHttpHeaders = {};
      if (q('location')) headers.location = q('location');
      if (q('retry')) headers['retry-after'] = q('retry');
      if (q('type')) headers['content-type'] = q('type');
      res.writeHead(Number(q('s')), headers);
      return void res.end(q('body'));
    }
    case '/hops': {
      const n = Number(q('n'));
      if (n === 0) return void res.end('arrived');
      res.writeHead(301, { location: `/hops?n=${n - 1}` });
      return void res.end();
    }
    case '/bytes': {
      // `n` bytes of "a", with a Content-Length unless chunked.
      const body = Buffer.alloc(Number(q('n')), 0x61);
      if (q('type')) res.setHeader('content-type', q('type'));
      if (q('chunked')) {
        res.write(body);
        return void res.end();
      }
      res.setHeader('content-length', body.length);
      return void res.end(body);
    }
    case '/encoded': {
      const plain = Buffer.alloc(Number(q('n') || 10), 0x62);
      res.setHeader('content-encoding', q('as'));
      if (q('as') === 'deflate, gzip') return void res.end(zlib.gzipSync(zlib.deflateSync(plain)));
      if (q('as') === 'compress' || q('as') === 'identity') return void res.end(plain);
      if (q('as') === 'gzip,') return void res.end(zlib.gzipSync(plain));
      if (q('as') === 'gzip-truncated') {
        res.setHeader('content-encoding', 'gzip');
        return void res.end(zlib.gzipSync(LONG_TEXT).subarray(0, -8)); // without its checksum trailer
      }
      if (q('as') === 'br-truncated') {
        res.setHeader('content-encoding', 'br');
        return void res.end(zlib.brotliCompressSync(LONG_TEXT).subarray(0, -3));
      }
      if (q('as') === 'gzip-garbage') {
        res.setHeader('content-encoding', 'gzip');
        return void res.end('this is not gzip at all');
      }
      return void res.end(zlib.gzipSync(plain));
    }
    case '/deflate': {
      // zlib-wrapped or raw (or the bytes given in `hex`), written in two parts: `split` bytes first
      // (the zlib header alone when 2), then the rest.
      const plain = Buffer.from(q('text'));
      const deflated = q('raw') ? zlib.deflateRawSync(plain) : zlib.deflateSync(plain);
      const body = q('hex') ? Buffer.from(q('hex'), 'hex') : plain.length > 0 ? deflated : Buffer.alloc(0);
      const split = Number(q('split') || body.length);
      res.writeHead(200, { 'content-encoding': 'deflate' });
      if (body.length === 0) return void res.end();
      res.write(body.subarray(0, split));
      return void setTimeout(() => res.end(body.subarray(split)), 30);
    }
    case '/cookies':
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      return void res.end('with cookies');
    case '/gzip':
      res.setHeader('content-encoding', 'gzip');
      res.setHeader('content-type', 'application/rss+xml; charset=utf-8');
      return void res.end(gzipped);
    case '/cut':
      res.writeHead(200, { 'content-length': '50' });
      res.write('only ten b');
      return void setTimeout(() => res.destroy(), 50);
    default:
      res.statusCode = 404;
      res.end();
  }
}

describe('fetch outcomes', () => {
  let a: LocalServer;

  beforeAll(async () => {
    a = await startServer(route);
  });
  afterAll(async () => {
    await a.close();
  });

  const fetcher = (overrides = {}) => createFetcher(network({ allowHosts: [a.hostPort], maxBytes: CAP, ...overrides }));
  const feed: FetchRequest = { kind: 'feed' };
  const page: FetchRequest = { kind: 'page' };
  const status = (s: number, extra: Record<string, string> = {}): string =>
    `${a.origin}/status?${new URLSearchParams({ s: String(s), ...extra })}`;
  const failure = async (url: string, request: FetchRequest = feed, overrides = {}) => {
    const err = await fetchErrorOf(fetcher(overrides).fetch(url, request));
    return { errorClass: err.errorClass, message: err.message, status: err.status, retryAfter: err.retryAfter };
  };

  describe('request headers', () => {
    const headersSent = async (request: FetchRequest, overrides = {}): Promise<http.IncomingHttpHeaders> =>
      JSON.parse((await fetcher({ maxBytes: 64 * 1024, ...overrides }).fetch(`${a.origin}/headers`, request)).text);

    it('asks for feed formats for a feed and for HTML for a page', async () => {
      expect((await headersSent(feed)).accept).toBe(
        'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5',
      );
      expect((await headersSent(page)).accept).toBe('text/html, application/xhtml+xml;q=0.9, */*;q=0.5');
    });

    it('names itself with the default User-Agent, or the configured one', async () => {
      expect((await headersSent(feed))['user-agent']).toBe(USER_AGENT);
      expect((await headersSent(feed, { userAgent: 'my-reader/2.0' }))['user-agent']).toBe('my-reader/2.0');
    });

    it('sends no conditional headers and no credentials unless given', async () => {
      const sent = await headersSent(feed);
      expect([sent['if-none-match'], sent['if-modified-since'], sent.authorization]).toEqual([undefined, undefined, undefined]);
      const onlyDate = await headersSent({ kind: 'feed', lastModified: 'Sun, 29 Nov 2026 10:00:00 GMT' });
      expect([onlyDate['if-none-match'], onlyDate['if-modified-since']]).toEqual([undefined, 'Sun, 29 Nov 2026 10:00:00 GMT']);
    });
  });

  describe('the result', () => {
    it('holds the final URL, status, headers, decoded text and the bytes on the wire', async () => {
      const res = await fetcher().fetch(`${a.origin}/gzip`, feed);
      expect(res).toMatchObject({
        url: `${a.origin}/gzip`,
        status: 200,
        notModified: false,
        text: 'gzipped feed body',
        charset: 'utf-8',
        wireBytes: gzipped.length,
        redirects: 0,
      });
      expect(res.body).toEqual(Buffer.from('gzipped feed body'));
      expect(res.headers['content-encoding']).toBe('gzip');
    });

    it('joins a repeated header', async () => {
      expect((await fetcher().fetch(`${a.origin}/cookies`, feed)).headers['set-cookie']).toBe('a=1, b=2');
    });

    it('measures its duration from the start of the fetch', async () => {
      const before = Date.now();
      const { durationMs } = await fetcher().fetch(`${a.origin}/gzip`, feed);
      expect(durationMs).toBeGreaterThanOrEqual(0);
      expect(durationMs).toBeLessThanOrEqual(Date.now() - before);
    });

    it('matches allowHosts entries whatever their case', async () => {
      const f = createFetcher(network({ allowHosts: [`Feeds.Example.TEST:${a.port}`] }), {
        resolve: async () => [{ address: '127.0.0.1', family: 4 }],
      });
      expect((await f.fetch(`http://feeds.example.test:${a.port}/gzip`, feed)).text).toBe('gzipped feed body');
    });

    it('after redirects, holds the URL arrived at and how many redirects it took', async () => {
      const res = await fetcher().fetch(`${a.origin}/hops?n=2`, feed);
      expect([res.url, res.redirects, res.text, res.wireBytes]).toEqual([`${a.origin}/hops?n=0`, 2, 'arrived', 7]);
    });

    it('reports a 304 as not modified, with no body and no text', async () => {
      const res = await fetcher().fetch(status(304), { kind: 'feed', etag: '"v1"' });
      expect(res).toMatchObject({ status: 304, notModified: true, text: '', wireBytes: 0, redirects: 0 });
      expect(res.body).toEqual(Buffer.alloc(0));
      expect(res.charset).toBeUndefined();
    });

    it('accepts any 2xx, even an empty one', async () => {
      const res = await fetcher().fetch(status(204), feed);
      expect([res.status, res.notModified, res.text, res.body.length]).toEqual([204, false, '', 0]);
      expect((await fetcher().fetch(status(299, { body: 'edge' }), feed)).text).toBe('edge');
      expect((await fetcher().fetch(status(200, { body: 'plain' }), feed)).text).toBe('plain');
    });
  });

  describe('HTTP errors', () => {
    it.each([
      [400, 'http-4xx'],
      [404, 'http-4xx'],
      [499, 'http-4xx'],
      [500, 'http-5xx'],
      [503, 'http-5xx'],
    ])('%i is %s', async (code, errorClass) => {
      expect(await failure(status(code, { body: 'error page' }))).toEqual({
        errorClass,
        message: `HTTP ${code}`,
        status: code,
        retryAfter: undefined,
      });
    });

    it('passes Retry-After on', async () => {
      expect((await failure(status(429, { retry: '3600' }))).retryAfter).toBe('3600');
    });

    it.each([300, 305])('a %i that is not a redirect is unexpected', async (code) => {
      expect(await failure(status(code, { body: 'choose' }))).toEqual({
        errorClass: 'network',
        message: `Unexpected HTTP ${code}`,
        status: code,
        retryAfter: undefined,
      });
    });
  });

  describe('redirects', () => {
    it.each([301, 302, 303, 307, 308])('follows a %i', async (code) => {
      const res = await fetcher().fetch(status(code, { location: '/hops?n=0' }), feed);
      expect([res.status, res.text, res.redirects]).toEqual([200, 'arrived', 1]);
    });

    it('follows exactly maxRedirects and refuses one more', async () => {
      expect((await fetcher({ maxRedirects: 2 }).fetch(`${a.origin}/hops?n=2`, feed)).redirects).toBe(2);
      expect(await failure(`${a.origin}/hops?n=3`, feed, { maxRedirects: 2 })).toMatchObject({
        errorClass: 'redirects',
        message: 'More than 2 redirects',
        status: 301,
      });
      expect(await failure(`${a.origin}/hops?n=1`, feed, { maxRedirects: 0 })).toMatchObject({
        errorClass: 'redirects',
        message: 'More than 0 redirects',
      });
    });

    it('refuses a redirect without a Location', async () => {
      expect(await failure(status(302))).toMatchObject({
        errorClass: 'http-4xx',
        message: 'Redirect (302) without a Location',
        status: 302,
      });
    });

    it('refuses a redirect to a Location that is not a URL, quoting it without credentials', async () => {
      expect(await failure(status(307, { location: 'http://[bad' }))).toMatchObject({
        errorClass: 'invalid-url',
        message: 'Bad redirect Location: http://[bad',
        status: 307,
      });
      expect((await failure(status(301, { location: 'http://u:secret@[bad/x' }))).message).toBe(
        'Bad redirect Location: …@[bad/x',
      );
    });

    it('screens the redirect target like the first URL', async () => {
      expect(await failure(status(302, { location: 'ftp://example.org/feed' }))).toMatchObject({
        errorClass: 'invalid-url',
        message: 'Not http(s): ftp:',
      });
      expect(await failure(status(302, { location: 'http://10.1.2.3/feed' }))).toMatchObject({
        errorClass: 'blocked-address',
        message: 'Refusing 10.1.2.3: private address',
      });
    });
  });

  describe('pages that are not HTML', () => {
    it.each([
      ['Audio/MPEG ; foo=bar', 'audio/mpeg'],
      ['application/pdf', 'application/pdf'],
    ])('a page of type %s is not downloaded', async (type, named) => {
      expect(await failure(`${a.origin}/bytes?n=10&type=${encodeURIComponent(type)}`, page)).toEqual({
        errorClass: 'not-html',
        message: `Not an HTML page (${named})`,
        status: 200,
        retryAfter: undefined,
      });
    });

    it.each(['text/html; charset=utf-8', 'application/xhtml+xml', 'text/xml', ''])(
      'a page of type "%s" is read',
      async (type) => {
        const res = await fetcher().fetch(`${a.origin}/bytes?n=10&type=${encodeURIComponent(type)}`, page);
        expect(res.text).toBe('a'.repeat(10));
      },
    );

    it('a refused page frees its connection for the next fetch', async () => {
      const f = fetcher({ perHostConcurrency: 1, maxBytes: 1024 * 1024 });
      const big = `${a.origin}/bytes?n=${512 * 1024}&type=application%2Fpdf`;
      expect((await fetchErrorOf(f.fetch(big, page))).errorClass).toBe('not-html');
      expect((await f.fetch(`${a.origin}/gzip`, page)).text).toBe('gzipped feed body');
    });

    it('a feed of any type is read', async () => {
      expect((await fetcher().fetch(`${a.origin}/bytes?n=3&type=application%2Fpdf`, feed)).text).toBe('aaa');
    });
  });

  describe('the byte cap', () => {
    it('reads a body of exactly maxBytes, declared or chunked', async () => {
      expect((await fetcher().fetch(`${a.origin}/bytes?n=${CAP}`, feed)).body.length).toBe(CAP);
      expect((await fetcher().fetch(`${a.origin}/bytes?n=${CAP}&chunked=1`, feed)).body.length).toBe(CAP);
    });

    it('refuses a declared length of one byte more before reading', async () => {
      expect(await failure(`${a.origin}/bytes?n=${CAP + 1}`)).toEqual({
        errorClass: 'too-large',
        message: `Body of ${CAP + 1} bytes is over the ${CAP}-byte limit`,
        status: 200,
        retryAfter: undefined,
      });
    });

    it('cuts off an undeclared body one byte over the cap', async () => {
      expect(await failure(`${a.origin}/bytes?n=${CAP + 1}&chunked=1`)).toEqual({
        errorClass: 'too-large',
        message: `Body over the ${CAP}-byte limit`,
        status: 200,
        retryAfter: undefined,
      });
    });

    it('counts the cap after decompression too, to the byte', async () => {
      expect((await fetcher().fetch(`${a.origin}/encoded?as=gzip&n=${CAP}`, feed)).body.length).toBe(CAP);
      expect(await failure(`${a.origin}/encoded?as=gzip&n=${CAP + 1}`)).toEqual({
        errorClass: 'too-large',
        message: `Body over the ${CAP}-byte limit after decompression`,
        status: 200,
        retryAfter: undefined,
      });
    });
  });

  describe('content codings', () => {
    it.each(['GZIP', 'x-gzip', 'identity', 'deflate, gzip'])('undoes "%s"', async (coding) => {
      const res = await fetcher().fetch(`${a.origin}/encoded?as=${encodeURIComponent(coding)}`, feed);
      expect(res.text).toBe('b'.repeat(10));
    });

    it.each([
      ['zlib-wrapped, its header arriving alone', { text: 'wrapped body', split: '2' }],
      ['zlib-wrapped, its first byte arriving alone', { text: 'wrapped body', split: '1' }],
      ['raw', { text: 'raw body', raw: '1' }],
      ['raw, its first two bytes arriving alone', { text: 'raw body', raw: '1', split: '2' }],
    ])('inflates "deflate" sent %s', async (_how, params) => {
      const res = await fetcher().fetch(`${a.origin}/deflate?${new URLSearchParams(params)}`, feed);
      expect(res.text).toBe(params.text);
    });

    // A raw stream whose first byte has a zlib header's compression method (8): a stored block
    // ("hello") with its padding bit set, then an empty final block.
    const storedHello = '080500faff68656c6c6f010000ffff';
    it.each([
      ['a raw stream starting with compression method 8', { hex: storedHello }, 'hello'],
      ['a raw stream whose first two bytes are a multiple of 31', { text: 'b aw body', raw: '1' }, 'b aw body'],
      ['one byte, the first of a zlib header', { hex: '78' }, ''],
    ])('reads %s as raw deflate', async (_what, params, text) => {
      const res = await fetcher().fetch(`${a.origin}/deflate?${new URLSearchParams(params)}`, feed);
      expect(res.text).toBe(text);
    });

    it('names a "deflate" body that does not inflate', async () => {
      expect(await failure(`${a.origin}/deflate?hex=789cffffffff`)).toEqual({
        errorClass: 'network',
        message: `Could not decode the body from ${a.hostPort}: invalid block type`,
        status: 200,
        retryAfter: undefined,
      });
    });

    it('reads an empty "deflate" body as empty', async () => {
      const res = await fetcher().fetch(`${a.origin}/deflate?text=`, feed);
      expect([res.status, res.text]).toEqual([200, '']);
    });

    it('ignores empty tokens in Content-Encoding', async () => {
      expect((await fetcher().fetch(`${a.origin}/encoded?as=${encodeURIComponent('gzip,')}`, feed)).text).toBe('b'.repeat(10));
    });

    it('reads a gzip body cut before its trailer', async () => {
      expect((await fetcher({ maxBytes: 64 * 1024 }).fetch(`${a.origin}/encoded?as=gzip-truncated`, feed)).text).toBe(LONG_TEXT);
    });

    it('reads what arrived of a truncated brotli body', async () => {
      const { text } = await fetcher({ maxBytes: 64 * 1024 }).fetch(`${a.origin}/encoded?as=br-truncated`, feed);
      expect(text.length).toBeGreaterThan(LONG_TEXT.length / 2);
      expect(LONG_TEXT.startsWith(text)).toBe(true);
    });

    it('refuses a coding it cannot undo, before reading', async () => {
      expect(await failure(`${a.origin}/encoded?as=compress`)).toEqual({
        errorClass: 'network',
        message: 'Unsupported Content-Encoding "compress"',
        status: undefined,
        retryAfter: undefined,
      });
    });

    it('names a body that does not decompress', async () => {
      expect(await failure(`${a.origin}/encoded?as=gzip-garbage`)).toEqual({
        errorClass: 'network',
        message: `Could not decode the body from ${a.hostPort}: incorrect header check`,
        status: 200,
        retryAfter: undefined,
      });
    });
  });

  describe('connections kept for the next request', () => {
    const portsOf = async (urls: string[], request: FetchRequest = feed): Promise<number[]> => {
      const f = fetcher({ perHostConcurrency: 1 });
      const from = clientPorts.length;
      for (const url of urls) await f.fetch(url, request).catch(() => undefined);
      return clientPorts.slice(from);
    };

    it('keeps the connection after a 304 (it has no body) and after a body read to its end', async () => {
      const [first, second, third] = await portsOf([status(304), status(304), status(200, { body: 'x' })]);
      expect([second, third]).toEqual([first, first]);
    });

    it.each([
      ['a redirect', 302, { location: '/status?s=200' }],
      ['an HTTP error', 404, { body: 'no' }],
      ['the lowest HTTP error', 400, { body: 'no' }],
    ])('drops the connection after %s instead of reading its body', async (_what, code, extra) => {
      const [first, second] = await portsOf([status(code, extra), status(200)]);
      expect(second).not.toBe(first);
    });
  });

  describe('broken connections', () => {
    it('names a connection closed mid-body', async () => {
      expect(await failure(`${a.origin}/cut`)).toEqual({
        errorClass: 'network',
        message: `Connection to ${a.hostPort} closed mid-body`,
        status: 200,
        retryAfter: undefined,
      });
    });

    it('names a refused connection by its code', async () => {
      const closed = await startServer(route);
      await closed.close();
      const err = await fetchErrorOf(createFetcher(network({ allowHosts: [closed.hostPort] })).fetch(`${closed.origin}/`, feed));
      expect([err.errorClass, err.message, err.status]).toEqual(['network', `${closed.hostPort}: ECONNREFUSED`, undefined]);
    });
  });
});
