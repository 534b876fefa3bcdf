/** Step one of every hop: which URLs may be fetched at all, before and after DNS. */
import type { LookupAddress } from 'node:dns';
import { FetchError } from '../../src/http/fetch-error';
import { checkedLookup, hostAndPort, quoteUrl, screenUrl } from '../../src/http/screen';

const thrown = (fn: () => unknown): FetchError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FetchError);
    return err as FetchError;
  }
  throw new Error('expected a FetchError');
};

describe('hostAndPort (the allow-list entry and the limiter key)', () => {
  it.each([
    ['http://Feeds.Example.ORG/rss', 'feeds.example.org:80'],
    ['https://Feeds.Example.ORG/rss', 'feeds.example.org:443'],
    ['http://example.org:8080/', 'example.org:8080'],
    ['https://example.org:8443/', 'example.org:8443'],
    ['http://[::1]/', '[::1]:80'],
  ])('%s → %s', (url, expected) => {
    expect(hostAndPort(new URL(url))).toBe(expected);
  });
});

describe('screenUrl', () => {
  const none = new Set<string>();

  it('passes a public URL, not allow-listed', () => {
    const screened = screenUrl('https://example.org/feed.xml', none);
    expect([screened.url.href, screened.allowListed]).toEqual(['https://example.org/feed.xml', false]);
  });

  it.each([
    ['http://10.0.0.1/feed', '10.0.0.1:80'],
    ['https://10.0.0.1/feed', '10.0.0.1:443'],
    ['http://127.0.0.1:8080/feed', '127.0.0.1:8080'],
  ])('lets the private %s through when %s is allow-listed', (url, entry) => {
    expect(screenUrl(url, new Set([entry])).allowListed).toBe(true);
  });

  it('matches the allow-list on the port as well', () => {
    const err = thrown(() => screenUrl('https://10.0.0.1/feed', new Set(['10.0.0.1:80'])));
    expect([err.errorClass, err.message]).toEqual(['blocked-address', 'Refusing 10.0.0.1: private address']);
  });

  it.each([
    ['http://127.0.0.1:8080/', 'Refusing 127.0.0.1:8080: loopback address'],
    ['http://[::1]/', 'Refusing [::1]: loopback address'],
    ['http://169.254.169.254/latest/meta-data/', 'Refusing 169.254.169.254: linkLocal address'],
    ['http://0x7f.1/', 'Refusing 127.0.0.1: loopback address'],
  ])('refuses the private literal %s before any connection', (url, message) => {
    const err = thrown(() => screenUrl(url, none));
    expect([err.errorClass, err.message, err.status]).toEqual(['blocked-address', message, undefined]);
  });

  it('leaves names and public literals to the DNS check', () => {
    expect(screenUrl('http://localhost/', none).allowListed).toBe(false);
    expect(screenUrl('http://8.8.8.8/', none).allowListed).toBe(false);
  });

  it.each([
    ['file:///etc/passwd', 'Not http(s): file:'],
    ['ftp://example.org/feed', 'Not http(s): ftp:'],
    ['https://user:pw@example.org/', 'URLs with credentials are not fetched'],
    ['https://user@example.org/', 'URLs with credentials are not fetched'],
    ['https://:pw@example.org/', 'URLs with credentials are not fetched'],
    ['not a url', 'Not a URL: not a url'],
    ['http://user:secret@[bad/feed', 'Not a URL: …@[bad/feed'],
  ])('refuses %s as an invalid URL', (url, message) => {
    const err = thrown(() => screenUrl(url, none));
    expect([err.errorClass, err.message]).toEqual(['invalid-url', message]);
  });
});

describe('quoteUrl', () => {
  it('cuts everything up to the last "@" and keeps at most 200 characters', () => {
    expect(quoteUrl('http://u:p@ss@[bad')).toBe('…@[bad');
    expect(quoteUrl('x'.repeat(300))).toBe('x'.repeat(200));
    expect(quoteUrl('http://[bad')).toBe('http://[bad');
  });
});

describe('checkedLookup (DNS answers screened before connecting)', () => {
  type Answer = { err: Error | null; address: string | LookupAddress[]; family?: number };
  const lookup = (
    addresses: LookupAddress[] | Error,
    allowListed: boolean,
    opts: { family?: number; all?: boolean } = {},
  ): Promise<Answer & { asked: string[] }> => {
    const asked: string[] = [];
    const resolve = async (hostname: string): Promise<LookupAddress[]> => {
      asked.push(hostname);
      if (addresses instanceof Error) throw addresses;
      return addresses;
    };
    return new Promise((done) =>
      checkedLookup(resolve, allowListed)('feeds.example.org', opts, (err, address, family) =>
        done({ err, address, family, asked }),
      ),
    );
  };
  const v4 = { address: '93.184.216.34', family: 4 };
  const v6 = { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 };

  it('answers with the first address and its family, for the name asked', async () => {
    expect(await lookup([v4, v6], false)).toEqual({ err: null, address: v4.address, family: 4, asked: ['feeds.example.org'] });
  });

  it('answers with every address when asked for all', async () => {
    expect(await lookup([v4, v6], false, { all: true })).toMatchObject({ err: null, address: [v4, v6] });
  });

  it('keeps the addresses of the family asked for', async () => {
    expect(await lookup([v4, v6], false, { family: 6 })).toMatchObject({ err: null, address: v6.address, family: 6 });
    expect(await lookup([v4, v6], false, { family: 6, all: true })).toMatchObject({ address: [v6] });
  });

  it('falls back to every address when none is of the family asked for', async () => {
    expect(await lookup([v4], false, { family: 6 })).toMatchObject({ err: null, address: v4.address, family: 4 });
  });

  it('refuses a name when any of its addresses is private', async () => {
    const { err, address } = await lookup([v4, { address: '10.0.0.7', family: 4 }], false);
    expect(err).toBeInstanceOf(FetchError);
    expect([(err as FetchError).errorClass, err!.message, address]).toEqual([
      'blocked-address',
      'Refusing feeds.example.org: resolves to private address 10.0.0.7',
      '',
    ]);
  });

  it('lets an allow-listed name resolve to a private address', async () => {
    expect(await lookup([{ address: '10.0.0.7', family: 4 }], true)).toMatchObject({ err: null, address: '10.0.0.7' });
  });

  it.each([false, true])('fails a name without addresses (allow-listed: %s)', async (allowListed) => {
    const { err, address } = await lookup([], allowListed);
    expect([(err as FetchError).errorClass, err!.message, address]).toEqual(['network', 'No address for feeds.example.org', '']);
  });

  it('reports a failed DNS lookup by its code, else by its message', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND feeds.example.org'), { code: 'ENOTFOUND' });
    const byCode = await lookup(notFound, false);
    expect([(byCode.err as FetchError).errorClass, byCode.err!.message, byCode.address]).toEqual([
      'network',
      'DNS lookup failed for feeds.example.org: ENOTFOUND',
      '',
    ]);
    const byMessage = await lookup(new Error('resolver gone'), false);
    expect(byMessage.err!.message).toBe('DNS lookup failed for feeds.example.org: resolver gone');
  });
});

describe('FetchError', () => {
  it('names itself in stack traces and logs', () => {
    const err = thrown(() => screenUrl('not a url', new Set()));
    expect(err.name).toBe('FetchError');
    expect(String(err)).toBe('FetchError: Not a URL: not a url');
  });
});
