/**
 * One hop and one body read on their own, against a real server on 127.0.0.1: what they do with a
 * deadline that has already run out.
 */
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
