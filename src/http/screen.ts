/**
 * Step one of every hop: decide whether a URL may be fetched at all, before and after DNS. The
 * check runs again on every redirect target, so a public page cannot bounce us onto a private one.
 */
import type dns from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { blockedAddressReason, isIpLiteral } from './address';
import { FetchError } from './fetch-error';

export interface ScreenedUrl {
  url: URL;
  /** Listed in `network.allowHosts`: its private addresses may be reached. */
  allowListed: boolean;
}

export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

/**
 * "host:port" with the scheme's default port filled in: the allow-list entry and the per-host limiter
 * key (URL has already lower-cased the host name of an http(s) URL).
 */
export const hostAndPort = (u: URL): string => `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;

/** Parses and screens a URL before any connection: scheme, credentials, IP literals, allow-list. */
export function screenUrl(raw: string, allowHosts: ReadonlySet<string>): ScreenedUrl {
  const url = parseUrl(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchError('invalid-url', `Not http(s): ${url.protocol}`);
  // Credentials come through `FetchRequest.auth`, where they are scoped to one origin.
  if (url.username || url.password) throw new FetchError('invalid-url', 'URLs with credentials are not fetched');
  const allowListed = allowHosts.has(hostAndPort(url));
  const { hostname } = url;
  if (!allowListed && isIpLiteral(hostname)) {
    const reason = blockedAddressReason(hostname);
    if (reason) throw new FetchError('blocked-address', `Refusing ${url.host}: ${reason} address`);
  }
  return { url, allowListed };
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new FetchError('invalid-url', `Not a URL: ${quoteUrl(raw)}`);
  }
}

/**
 * An unparsable URL as quoted in an error: shortened, and cut up to its last "@" so that no
 * password written before it (even one holding an "@" itself) is ever printed.
 */
export const quoteUrl = (raw: string): string => raw.replace(/[^]*@/, '…@').slice(0, 200); // the first match starts at 0

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;
export type LookupFunction = (hostname: string, opts: dns.LookupOptions, callback: LookupCallback) => void;

/** net's `lookup` hook: resolve, and refuse if any returned address is not public (unless allow-listed). */
export const checkedLookup =
  (resolve: Resolve, allowListed: boolean): LookupFunction =>
  (hostname, opts, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refusal =
          addresses.length === 0 ? noAddress(hostname) : allowListed ? undefined : privateAddress(hostname, addresses);
        if (refusal) return callback(refusal, '');
        const usable = opts.family ? addresses.filter((a) => a.family === opts.family) : addresses;
        const list = usable.length ? usable : addresses;
        if (opts.all) callback(null, list);
        else callback(null, list[0].address, list[0].family);
      },
      (err: NodeJS.ErrnoException) =>
        callback(new FetchError('network', `DNS lookup failed for ${hostname}: ${err.code ?? err.message}`), ''),
    );
  };

const noAddress = (hostname: string): FetchError => new FetchError('network', `No address for ${hostname}`);

/** Any private answer refuses the name: connecting to "the public one" would let DNS pick for us. */
function privateAddress(hostname: string, addresses: LookupAddress[]): FetchError | undefined {
  for (const a of addresses) {
    const reason = blockedAddressReason(a.address);
    if (reason) return new FetchError('blocked-address', `Refusing ${hostname}: resolves to ${reason} address ${a.address}`);
  }
  return undefined;
}
