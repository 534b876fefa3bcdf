/**
 * HTTP Basic credentials per request: sent to the origin of the URL asked for and to no other,
 * and never written into an error message.
 */
import type http from 'node:http';
import { inspect } from 'node:util';
import { createFetcher, type FetchRequest } from '../../src/http/fetcher';
import { network, startServer, type LocalServer, fetchErrorOf } from './local-server';

const auth = { username: 'alice', password: 'pa55:wörd-SECRET' };
const token = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
const expected = `Basic ${token}`;

/** `/private` wants alice's credentials, `/refuse` nobody's; `/echo-auth` says what Authorization it got; `/to?u=` redirects. */
function route(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/private') {
    if (req.headers.authorization === expected) return void res.end('members only');
    res.writeHead(401, { 'www-authenticate': 'Basic realm="feeds"' });
    return void res.end();
  }
  if (url.pathname === '/refuse') {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="feeds"' });
    return void res.end();
  }
  if (url.pathname === '/echo-auth') return void res.end(req.headers.authorization ?? 'none');
  if (url.pathname === '/to') {
    res.writeHead(302, { location: url.searchParams.get('u') ?? '/' });
    return void res.end();
  }
  if (url.pathname === '/drip') {
    res.writeHead(200, { 'content-type': 'text/xml' });
    const t = setInterval(() => res.write('<'), 100);
    return void res.on('close', () => clearInterval(t));
  }
  res.statusCode = 404;
  res.end();
}

const errorOf = fetchErrorOf;

describe('HTTP Basic credentials', () => {
  let a: LocalServer;
  let c: LocalServer; // another origin: same host, another port

  beforeAll(async () => {
    a = await startServer(route);
    c = await startServer(route);
  });
  afterAll(async () => {
    await a.close();
    await c.close();
  });

  const fetcher = () => createFetcher(network({ allowHosts: [a.hostPort, c.hostPort], timeoutMs: 600 }));
  const withAuth: FetchRequest = { kind: 'feed', auth };
  const via = (server: LocalServer, target: string): string => `${server.origin}/to?u=${encodeURIComponent(target)}`;
  const seenBy = (server: LocalServer, path: string) => server.requests.filter((r) => r.path === path);

  it('a server that wants Basic auth answers 200 with the credentials and 401 without or with wrong ones', async () => {
    expect((await fetcher().fetch(`${a.origin}/private`, withAuth)).text).toBe('members only');
    const without = await errorOf(fetcher().fetch(`${a.origin}/private`, { kind: 'feed' }));
    expect([without.errorClass, without.status]).toEqual(['http-4xx', 401]);
    const wrong = await errorOf(fetcher().fetch(`${a.origin}/private`, { kind: 'feed', auth: { ...auth, password: 'nope' } }));
    expect(wrong.status).toBe(401);
  });

  it('a redirect within the same origin keeps the credentials', async () => {
    const res = await fetcher().fetch(via(a, '/private'), withAuth);
    expect([res.text, res.redirects]).toEqual(['members only', 1]);
    expect(seenBy(a, `/to?u=${encodeURIComponent('/private')}`).at(-1)!.headers.authorization).toBe(expected);
  });

  it('a redirect to another origin (here: another port) does not receive them', async () => {
    const res = await fetcher().fetch(via(a, `${c.origin}/echo-auth`), withAuth);
    expect(res.text).toBe('none');
    expect(seenBy(c, '/echo-auth').every((r) => r.headers.authorization === undefined)).toBe(true);
    const refused = await errorOf(fetcher().fetch(via(a, `${c.origin}/private`), withAuth));
    expect(refused.status).toBe(401);
  });

  it('they go to the origin asked for only, also when a chain comes back to it', async () => {
    const res = await fetcher().fetch(via(a, via(c, `${a.origin}/private`)), withAuth);
    expect([res.text, res.redirects]).toEqual(['members only', 2]);
    expect(c.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('never appear in an error message', async () => {
    const closedPort = await startServer(route);
    await closedPort.close();
    const failures = [
      `${a.origin}/refuse`, // credentials sent and refused (401)
      `${a.origin}/drip`, // timeout mid-body
      `${closedPort.origin}/private`, // connection refused
      via(a, 'http://127.0.0.1:9/'), // blocked redirect target (not allow-listed)
      via(a, 'http://[bad'), // bad Location
      via(a, `http://${auth.username}:${encodeURIComponent(auth.password)}@${a.hostPort}/private`), // userinfo in a Location
    ];
    const allowClosed = createFetcher(network({ allowHosts: [a.hostPort, c.hostPort, closedPort.hostPort], timeoutMs: 600 }));
    const classes: string[] = [];
    for (const url of failures) {
      const err = await errorOf(allowClosed.fetch(url, withAuth));
      const printed = `${err.message}\n${err.stack}\n${inspect(err)}\n${JSON.stringify(err)}`;
      const leaks = [auth.password, encodeURIComponent(auth.password), token, 'SECRET'].filter((secret) =>
        printed.includes(secret),
      );
      expect({ url, leaks }).toEqual({ url, leaks: [] });
      classes.push(err.errorClass);
    }
    expect(classes).toEqual(['http-4xx', 'timeout', 'network', 'blocked-address', 'invalid-url', 'invalid-url']);
  });

  it('URLs with userinfo stay refused (credentials come through `auth`), without echoing the password', async () => {
    const before = a.requests.length;
    const inUrl = `http://${auth.username}:${encodeURIComponent(auth.password)}@${a.hostPort}/private`;
    const err = await errorOf(fetcher().fetch(inUrl, withAuth));
    expect(err.errorClass).toBe('invalid-url');
    expect(err.message).not.toContain('SECRET');
    const unparsable = await errorOf(fetcher().fetch(`http://${auth.username}:${auth.password}@[bad/feed`, withAuth));
    expect(unparsable.errorClass).toBe('invalid-url');
    expect(unparsable.message).not.toContain('SECRET');
    expect(a.requests.length).toBe(before); // nothing was sent
  });
});
