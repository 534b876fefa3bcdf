/**
 * A generic JSON webhook: the day's post as JSON, signed so the receiver can tell it came from us
 * and is not a replay.
 *
 *   X-RSS-Digest-Timestamp: <Unix seconds when it was sent>
 *   X-RSS-Digest-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" under the shared secret>
 *   X-RSS-Digest-Delivery:  <channel id>/<date>, the same for every retry of one day's post
 *
 * The receiver recomputes the HMAC over the raw bytes it received, compares in constant time, and
 * refuses a timestamp more than five minutes from its own clock (README "Webhook signatures").
 */
import { createHmac } from 'node:crypto';
import type { PostView } from './post-view';

export const WEBHOOK_HEADERS = {
  timestamp: 'X-RSS-Digest-Timestamp',
  signature: 'X-RSS-Digest-Signature',
  delivery: 'X-RSS-Digest-Delivery',
} as const;

export interface WebhookPayload {
  type: 'rss-digest.daily';
  title: string;
  date: string;
  url: string;
  stories: { title: string; source: string; url: string | null; summary: string; lang: string; dir: string }[];
  /** Stories of the day not in this post (the page has them). */
  more: number;
}

export function webhookPayload(view: PostView): WebhookPayload {
  return {
    type: 'rss-digest.daily',
    title: view.title,
    date: view.date,
    url: view.dayUrl,
    stories: view.stories.map((s) => ({
      title: s.title,
      source: s.source,
      url: s.url ?? null,
      summary: s.sentence,
      lang: s.lang,
      dir: s.dir,
    })),
    more: view.more,
  };
}

/** The signature header's value for `body` sent at `timestamp` (Unix seconds). */
export const webhookSignature = (secret: string, timestamp: number, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

/** The raw body and the headers of one signed post. */
export function signedWebhookRequest(
  payload: WebhookPayload,
  options: { secret: string; now: Date; delivery: string },
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(options.now.getTime() / 1000);
  return {
    body,
    headers: {
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: webhookSignature(options.secret, timestamp, body),
      [WEBHOOK_HEADERS.delivery]: options.delivery,
    },
  };
}
