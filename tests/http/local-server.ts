import { FetchError } from '../../src/http/fetch-error';
/** A real HTTP server on 127.0.0.1 for fetcher and fetch-stage tests, recording every request. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NetworkConfig } from '../../src/config/schema';

export interface SeenRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface LocalServer {
  origin: string;
  hostPort: string;
  port: number;
  requests: SeenRequest[];
  /** Sockets the server saw closed (a cut-off drip must close its socket). */
  closedSockets: () => number;
  close(): Promise<void>;
}

export async function startServer(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<LocalServer> {
  const requests: SeenRequest[] = [];
  let closed = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => {
      closed++;
      sockets.delete(s);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    hostPort: `127.0.0.1:${port}`,
    port,
    requests,
    closedSockets: () => closed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export const network = (overrides: Partial<NetworkConfig> = {}): NetworkConfig => ({
  allowHosts: [],
  timeoutMs: 2_000,
  connectTimeoutMs: 1_000,
  maxBytes: 256 * 1024,
  maxRedirects: 5,
  concurrency: 16,
  perHostConcurrency: 2,
  ...overrides,
});

/** The FetchError a fetch fails with (the test fails if it succeeds or fails otherwise). */
export const fetchErrorOf = async (p: Promise<unknown>): Promise<FetchError> => {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FetchError);
    return err as FetchError;
  }
  throw new Error('expected the fetch to fail');
};
