/**
 * A server that closes a kept-alive socket just as we reuse it: the fetcher tries once more on a
 * fresh connection. A raw TCP server makes the race deterministic: on every connection it answers
 * the first request (keeping the connection open) and hangs up on the second one.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createFetcher } from '../../src/http/fetcher';
import { network } from './local-server';

describe('a kept-alive socket closed by the server', () => {
  let server: net.Server;
  let port = 0;
  let connections = 0;
  let requests = 0;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    server = net.createServer((socket) => {
      connections++;
      sockets.add(socket);
      let answered = 0;
      let pending = '';
      socket.on('data', (data) => {
        pending += data.toString('latin1');
        while (pending.includes('\r\n\r\n')) {
          pending = pending.slice(pending.indexOf('\r\n\r\n') + 4);
          requests++;
          if (answered++ > 0) return void socket.destroy(); // closed just as the client reused it
          socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 6\r\nConnection: keep-alive\r\n\r\n<rss/>');
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy(); // the fetcher's agent keeps its socket open
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('is retried once on a fresh connection', async () => {
    const f = createFetcher(network({ allowHosts: [`127.0.0.1:${port}`], perHostConcurrency: 1 }));
    expect((await f.fetch(`http://127.0.0.1:${port}/one`, { kind: 'feed' })).text).toBe('<rss/>');
    expect((await f.fetch(`http://127.0.0.1:${port}/two`, { kind: 'feed' })).text).toBe('<rss/>');
    expect([connections, requests]).toEqual([2, 3]); // /two on the reused socket (hung up), then on a new one
  });
});
