/**
 * One hop and one body read on their own, against a real server on 127.0.0.1: what they do with a
 * deadline that has already run out.
 */
import { getEventListeners } from 'node:events';
import http from 'node:http';
import { readCappedBody } from '../../src/http/body';
import { exchange } from '../../src/http/exchange';
import { checkedLookup } from '../../src/http/screen';
import { startServer, type LocalServer } from './local-server';

describe('a hop and a body read whose deadline has already expired', () => {
  let a: LocalServer;
  const over = new Error('deadline over');

  beforeAll(async () => {
    a = await startServer((_req, res) => res.end('body'));
  });
  afterAll(async () => {
    await a.close();
  });

  it('a hop fails with the deadline’s reason and sends nothing', async () => {
    const before = a.requests.length;
    const hop = exchange(
      {
        url: new URL(`${a.origin}/feed`),
        kind: 'feed',
        headers: {},
        agent: new http.Agent(),
        lookup: checkedLookup(async () => [{ address: '127.0.0.1', family: 4 }], true),
        signal: AbortSignal.abort(over),
      },
      { connectTimeoutMs: 5_000, maxBytes: 1024 },
    );
    await expect(hop).rejects.toBe(over);
    expect(a.requests.length).toBe(before);
  });

  it('a body read fails with the deadline’s reason', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`${a.origin}/feed`, resolve));
    const read = readCappedBody(res, { maxBytes: 1024, signal: AbortSignal.abort(over), host: a.hostPort, status: 200 });
    await expect(read).rejects.toBe(over);
    expect(res.destroyed).toBe(true);
  });

  it('a body read fails with the deadline’s reason when it expires mid-body', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`${a.origin}/feed`, resolve));
    const deadline = new AbortController();
    const read = readCappedBody(res, { maxBytes: 1024, signal: deadline.signal, host: a.hostPort, status: 200 });
    deadline.abort(over);
    await expect(read).rejects.toBe(over);
  });
});

describe('a body read leaves nothing listening on the deadline', () => {
  let a: LocalServer;

  beforeAll(async () => {
    // The body in two parts, so a read that stops after the first never sees its end.
    a = await startServer((_req, res) => {
      res.write('a body of 24 ');
      setTimeout(() => res.end('bytes, read'), 50);
    });
  });
  afterAll(async () => {
    await a.close();
  });

  it.each([
    ['read to its end', 1024, undefined],
    ['refused over the cap', 10, 'Body over the 10-byte limit'],
  ])('%s', async (_how, maxBytes, error) => {
    const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`${a.origin}/feed`, resolve));
    const deadline = new AbortController();
    const read = readCappedBody(res, { maxBytes, signal: deadline.signal, host: a.hostPort, status: 200 });
    expect(getEventListeners(deadline.signal, 'abort')).toHaveLength(1);
    if (error) await expect(read).rejects.toThrow(error);
    else expect((await read).body.toString()).toBe('a body of 24 bytes, read');
    expect(getEventListeners(deadline.signal, 'abort')).toHaveLength(0);
  });
});
