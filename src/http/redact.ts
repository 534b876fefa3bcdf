/**
 * The one redaction of URLs for everything that leaves state/: the site (digest.json, pages,
 * feeds), mail, logs, metrics and CLI output. A private feed's URL may carry a password
 * (`https://user:pass@host/…`) or a key in its query (`?token=…`, `api_key=…`); the public
 * digest names the feed by its redacted URL, so the secret stays in the config and state/ only.
 */

/** Query parameter names whose values are masked (compared lower-case, with "-" read as "_"). */
const SECRET_PARAMS = new Set([
  'token',
  'key',
  'api_key',
  'apikey',
  'access_token',
  'refresh_token',
  'id_token',
  'auth',
  'authorization',
  'secret',
  'client_secret',
  'sig',
  'signature',
  'password',
  'passwd',
  'pwd',
  'pass',
  'session',
  'sessionid',
  'sid',
  'credential',
  'credentials',
  'jwt',
  'x_amz_signature',
  'x_amz_credential',
  'x_amz_security_token',
  'awsaccesskeyid',
]);

/** Names that end like a secret (`private_token`, `feed_key`, `app_secret`) are masked as well. */
const SECRET_SUFFIX = /(^|_)(token|key|secret|password|signature|sig)$/;

export const REDACTED = '***';

export function isSecretParam(name: string): boolean {
  const normalized = name.toLowerCase().replace(/-/g, '_');
  return SECRET_PARAMS.has(normalized) || SECRET_SUFFIX.test(normalized);
}

const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]*@/gi;
// A value ends where the URL does: at a separator, a space, a quote or an angle bracket.
const QUERY_PARAM = /([?&;])([^=&;#\s]+)=([^&;#\s<>"']*)/g;

/** Userinfo removed and secret parameters masked by pattern, for text that does not parse as a URL. */
const redactByPattern = (text: string): string =>
  text
    .replace(USERINFO, '$1')
    .replace(QUERY_PARAM, (all, sep: string, name: string) => (isSecretParam(name) ? `${sep}${name}=${REDACTED}` : all));

/**
 * `url` without its userinfo and with the values of secret-looking query parameters replaced by
 * `***`. A string that does not parse as an http(s) URL is cleaned by pattern instead, so a
 * malformed URL quoted in an error message is covered too.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactByPattern(url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return redactByPattern(url);
  parsed.username = '';
  parsed.password = '';
  const params = [...new URLSearchParams(parsed.search)];
  if (params.some(([name]) => isSecretParam(name))) {
    // Re-serialized only when something is masked, so other URLs keep their exact form.
    parsed.search = new URLSearchParams(
      params.map(([name, value]): [string, string] => [name, isSecretParam(name) ? REDACTED : value]),
    ).toString();
  }
  return parsed.toString();
}

/** Every URL inside free text (an error message, a log line) redacted. */
export function redactText(text: string): string {
  return redactByPattern(text.replace(/https?:\/\/[^\s"'<>]+/gi, (url) => redactUrl(url)));
}
