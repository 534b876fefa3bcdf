/**
 * Sending one chat post: an HTTPS POST of JSON with Node's fetch under a deadline. Anything but
 * the platform's success (a 429 with Retry-After, a 5xx, a refused payload, a timeout) is a
 * `ChannelError` for this run: the delivery gives its claim back and the next run of the day posts
 * again. Secrets (webhook URLs, bot tokens) never appear in an error: the request's URL is not
 * quoted, and every secret value is masked in whatever the platform replied.
 */
import { redactText, REDACTED } from '../http/redact';

export class ChannelError extends Error {
  constructor(
    message: string,
    /** Seconds the platform asked us to wait (HTTP 429 Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

export interface ChannelRequest {
  url: string;
  body: string;
  headers?: Record<string, string>;
  /** The platform's own test of a 2xx reply (Telegram answers `{ ok: true }`). */
  accepted?: (status: number, text: string) => boolean;
}

/** The longest piece of a platform's reply an error quotes. */
const REPLY_EXCERPT = 200;

/** `text` with each secret (and a URL secret's path, which carries its token) replaced by `***`. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    const parts = [secret];
    try {
      const url = new URL(secret);
      if (url.pathname.length > 8) parts.push(url.pathname + url.search);
    } catch {
      // Not a URL: the value itself is the secret.
    }
    for (const part of parts) out = out.split(part).join(REDACTED);
  }
  return redactText(out);
}

export async function postJson(
  request: ChannelRequest,
  options: { timeoutMs: number; secrets: readonly string[] },
): Promise<string> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: request.body,
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    throw new ChannelError(maskSecrets(describeFetchFailure(err, options.timeoutMs), options.secrets));
  }
  const text = await response.text().catch(() => '');
  const excerpt = maskSecrets(text.slice(0, REPLY_EXCERPT).replace(/\s+/g, ' ').trim(), options.secrets);
  if (response.status === 429) {
    const retryAfter = Number(response.headers.get('retry-after'));
    const wait = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined;
    throw new ChannelError(
      `rate limited (HTTP 429${wait === undefined ? '' : `, Retry-After ${wait} s`}): posted on the next run`,
      wait,
    );
  }
  const ok = response.status >= 200 && response.status < 300 && (request.accepted?.(response.status, text) ?? true);
  if (!ok) throw new ChannelError(`HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`);
  return text;
}

function describeFetchFailure(err: unknown, timeoutMs: number): string {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no reply within ${timeoutMs} ms`;
  const cause = error.cause?.code ?? error.cause?.message;
  return `cannot connect${cause ? `: ${cause}` : `: ${error.message}`}`;
}
