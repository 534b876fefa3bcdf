/**
 * One hop and one body read on their own, against a real server on 127.0.0.1: what they do with a
 * deadline that has already run out.
 */
import { getEventListeners } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { readCappedBody } from '../../src/http/body';
import { exchange, type Hop } from '../../src/http/exchange';
import { FetchError } from '../../src/http/fetch-error';
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

/**
 * A raw HTTP/1.1 server, so what happens to a connection is exact: `answer` is told the number of
 * each request on its connection (from 1) and writes to the socket or hangs up.
 */
async function rawServer(answer: (nth: number, socket: net.Socket) => void) {
  const counts = { connections: 0, requests: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    counts.connections++;
    sockets.add(socket);
    let nth = 0;
    let pending = '';
    socket.on('data', (data) => {
      pending += data.toString('latin1');
      while (pending.includes('\r\n\r\n')) {
        pending = pending.slice(pending.indexOf('\r\n\r\n') + 4);
        counts.requests++;
        answer(++nth, socket);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    counts,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 6\r\nConnection: keep-alive\r\n\r\n<rss/>';

describe('one hop against a raw server', () => {
  const servers: { close: () => Promise<void> }[] = [];
  const agents: http.Agent[] = [];
  afterEach(async () => {
    for (const agent of agents.splice(0)) agent.destroy();
    for (const server of servers.splice(0)) await server.close();
  });

  const serve = async (answer: (nth: number, socket: net.Socket) => void) => {
    const server = await rawServer(answer);
    servers.push(server);
    return server;
  };
  const keepAliveAgent = (): http.Agent => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2, scheduling: 'lifo' });
    agents.push(agent);
    return agent;
  };
  const hopTo = (port: number, agent: http.Agent, signal = new AbortController().signal): Hop => ({
    url: new URL(`http://127.0.0.1:${port}/feed`),
    kind: 'feed',
    headers: {},
    agent,
    lookup: checkedLookup(async () => [{ address: '127.0.0.1', family: 4 }], true),
    signal,
  });
  const limits = { connectTimeoutMs: 5_000, maxBytes: 1024 };
  const failureOf = async (hop: Promise<unknown>) => {
    const err = await hop.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof FetchError)) throw new Error(`expected a FetchError, got ${String(err)}`);
    return [err.errorClass, err.message];
  };

  it('does not retry a fresh connection the server hung up on', async () => {
    const server = await serve((_nth, socket) => socket.destroy());
    expect(await failureOf(exchange(hopTo(server.port, keepAliveAgent()), limits))).toEqual([
      'network',
      `127.0.0.1:${server.port}: ECONNRESET`,
    ]);
    expect(server.counts).toEqual({ connections: 1, requests: 1 });
  });

  it('does not retry a reused connection that answered with something not HTTP', async () => {
    const server = await serve((nth, socket) => socket.write(nth === 1 ? OK : 'NOT HTTP AT ALL\r\n\r\n'));
    const agent = keepAliveAgent();
    expect((await exchange(hopTo(server.port, agent), limits)).body?.toString()).toBe('<rss/>');
    const [errorClass, message] = await failureOf(exchange(hopTo(server.port, agent), limits));
    expect([errorClass, message]).toEqual(['network', expect.stringMatching(/^127\.0\.0\.1:\d+: HPE_/)]);
    expect(server.counts).toEqual({ connections: 1, requests: 2 });
  });

  it('gives up when the one retry also lands on a kept-alive socket the server had closed', async () => {
    const server = await serve((nth, socket) => (nth === 1 ? socket.write(OK) : socket.destroy()));
    const agent = keepAliveAgent();
    // Two kept-alive connections: the hop and its retry each reuse one, and each is hung up on.
    await Promise.all([exchange(hopTo(server.port, agent), limits), exchange(hopTo(server.port, agent), limits)]);
    expect(await failureOf(exchange(hopTo(server.port, agent), limits))).toEqual([
      'network',
      `127.0.0.1:${server.port}: ECONNRESET`,
    ]);
    expect(server.counts).toEqual({ connections: 2, requests: 4 });
  });

  it('does not count a slow answer on a connected or reused socket against the connect timeout', async () => {
    const server = await serve((_nth, socket) => setTimeout(() => socket.write(OK), 400));
    const agent = keepAliveAgent();
    const quickConnect = { connectTimeoutMs: 100, maxBytes: 1024 };
    expect((await exchange(hopTo(server.port, agent), quickConnect)).status).toBe(200);
    expect((await exchange(hopTo(server.port, agent), quickConnect)).status).toBe(200);
    expect(server.counts).toEqual({ connections: 1, requests: 2 });
  });

  it('leaves nothing listening on the deadline, answered or not', async () => {
    const server = await serve((nth, socket) => (nth === 1 ? socket.write(OK) : socket.destroy()));
    const deadline = new AbortController();
    const agent = new http.Agent(); // no keep-alive: every hop on a new connection, the second hung up on
    agents.push(agent);
    await exchange(hopTo(server.port, agent, deadline.signal), limits);
    expect(getEventListeners(deadline.signal, 'abort')).toHaveLength(0);
    const lateServer = await serve((_nth, socket) => socket.destroy());
    await failureOf(exchange(hopTo(lateServer.port, agent, deadline.signal), limits));
    expect(getEventListeners(deadline.signal, 'abort')).toHaveLength(0);
  });
});
