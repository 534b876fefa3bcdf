/**
 * One local HTTP server (127.0.0.1) that answers like Slack, Discord, Teams, Telegram and a signed
 * JSON webhook receiver, and validates each post as the platform does: required fields and types,
 * and the platform's length limits counted the platform's way. A valid post gets the platform's
 * own success reply (Slack 200 "ok", Discord 204, Teams 200 "1", Telegram `{ok:true}`); an invalid
 * one its error reply, and the reason is kept for the test to read.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SLACK_PATH = '/services/T000/B000/slack-secret-token';
export const DISCORD_PATH = '/api/webhooks/1234/discord-secret-token';
export const TEAMS_PATH = '/webhookb2/teams-secret-token';
export const TELEGRAM_TOKEN = '123456:telegram-secret-token';
export const WEBHOOK_PATH = '/hooks/digest-secret-path';
export const WEBHOOK_SECRET = 'webhook-signing-secret-0123456789';

export type Platform = 'slack' | 'discord' | 'teams' | 'telegram' | 'webhook';

export interface Received {
  platform: Platform;
  body: unknown;
  raw: string;
  headers: IncomingMessage['headers'];
  /** Why the platform refused it; undefined when accepted. */
  refused?: string;
}

export interface FakePlatforms {
  base: string;
  received: Received[];
  accepted(platform: Platform): Received[];
  /** The next `count` posts to `platform` get this reply instead (a 500, a 429 with Retry-After). */
  failNext(platform: Platform, reply: { status: number; retryAfter?: number; body?: string }, count?: number): void;
  close(): Promise<void>;
}

/** An unexpected value: the platform's "bad request". */
class Refusal extends Error {}
const check = (ok: unknown, why: string): void => {
  if (!ok) throw new Refusal(why);
};
const isString = (v: unknown): v is string => typeof v === 'string';
const isHttpUrl = (v: unknown): boolean => isString(v) && /^https?:\/\/[^\s]+$/.test(v) && URL.canParse(v);

function validateSlack(body: Record<string, unknown>): void {
  check(isString(body.text) && body.text.length > 0, 'text: required (the notification fallback)');
  const blocks = body.blocks as {
    type: string;
    text?: { type: string; text: string };
    elements?: { type: string; text: string }[];
  }[];
  check(Array.isArray(blocks) && blocks.length >= 1 && blocks.length <= 50, 'blocks: 1 to 50');
  for (const block of blocks) {
    if (block.type === 'header') {
      check(block.text?.type === 'plain_text' && isString(block.text.text), 'header: plain_text');
      check(block.text!.text.length >= 1 && block.text!.text.length <= 150, 'header text: at most 150');
    } else if (block.type === 'section') {
      check(block.text?.type === 'mrkdwn' && isString(block.text.text), 'section: text object');
      check(block.text!.text.length >= 1 && block.text!.text.length <= 3000, 'section text: at most 3000');
      checkMrkdwn(block.text!.text);
    } else if (block.type === 'context') {
      check(
        Array.isArray(block.elements) && block.elements.length >= 1 && block.elements.length <= 10,
        'context: 1 to 10 elements',
      );
      for (const e of block.elements!) {
        check(e.type === 'mrkdwn' && isString(e.text) && e.text.length <= 3000, 'context element: mrkdwn, at most 3000');
        checkMrkdwn(e.text);
      }
    } else {
      check(false, `unknown block type ${block.type}`);
    }
  }
}

/** Slack's control characters: "<" opens a link (<url|label>), "&" an escape; ">" only closes a link. */
function checkMrkdwn(text: string): void {
  const outside = text.replace(/<(https?:\/\/[^|<>\s]+)\|([^<>]*)>/g, (_all, url: string) => {
    check(URL.canParse(url), `link URL ${url}`);
    return '';
  });
  check(!/[<>]/.test(outside), 'unescaped < or > in mrkdwn');
  check(!/&(?!amp;|lt;|gt;)/.test(outside), 'unescaped & in mrkdwn');
}

function validateDiscord(body: Record<string, unknown>): void {
  const embeds = (body.embeds ?? []) as { title?: string; url?: string; description?: string; author?: { name?: string } }[];
  check(isString(body.content) || embeds.length > 0, 'content or embeds required');
  check(!isString(body.content) || body.content.length <= 2000, 'content: at most 2000');
  check(Array.isArray(embeds) && embeds.length <= 10, 'embeds: at most 10');
  let total = 0;
  for (const e of embeds) {
    check(!e.title || (isString(e.title) && e.title.length <= 256), 'embed title: at most 256');
    check(e.url === undefined || isHttpUrl(e.url), 'embed url: http(s)');
    check(!e.description || (isString(e.description) && e.description.length <= 4096), 'embed description: at most 4096');
    check(!e.author || (isString(e.author.name) && e.author.name.length <= 256), 'embed author name: at most 256');
    total += (e.title ?? '').length + (e.description ?? '').length + (e.author?.name ?? '').length;
  }
  check(total <= 6000, `embeds: ${total} characters, at most 6000 together`);
}

function validateTeams(body: Record<string, unknown>, raw: string): void {
  check(Buffer.byteLength(raw) <= 28 * 1024, 'payload over 28 KB');
  check(body.type === 'message', 'type: message');
  const attachments = body.attachments as { contentType: string; content: Record<string, unknown> }[];
  check(Array.isArray(attachments) && attachments.length === 1, 'one attachment');
  const [card] = attachments;
  check(card.contentType === 'application/vnd.microsoft.card.adaptive', 'contentType: adaptive card');
  check(card.content.type === 'AdaptiveCard', 'content.type: AdaptiveCard');
  check(isString(card.content.version) && Number(card.content.version) <= 1.4, 'version: 1.4 or lower');
  const walk = (elements: unknown): void => {
    check(Array.isArray(elements), 'body: array of elements');
    for (const el of elements as { type: string; text?: unknown; items?: unknown }[]) {
      if (el.type === 'TextBlock') check(isString(el.text) && el.text.length > 0, 'TextBlock: text');
      else if (el.type === 'Container') walk(el.items);
      else check(false, `unknown element ${el.type}`);
    }
  };
  walk(card.content.body);
  for (const action of (card.content.actions ?? []) as { type: string; url: string }[])
    check(action.type === 'Action.OpenUrl' && isHttpUrl(action.url), 'action: OpenUrl with a URL');
}

const TELEGRAM_TAGS = new Set(['b', 'i', 'a', 'code', 'pre']);

/** Telegram's HTML parse mode: allowed tags only, balanced, entities named lt/gt/amp/quot or numeric. */
export function telegramVisibleLength(html: string): number {
  const open: string[] = [];
  let visible = '';
  const token = /<(\/?)([a-zA-Z]+)((?:\s+[a-z]+="[^"<>]*")*)\s*>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|([<>&])|([^<>&]+)/g;
  for (const m of html.matchAll(token)) {
    const [, closing, tag, attrs, entity, stray, text] = m;
    if (tag) {
      check(TELEGRAM_TAGS.has(tag.toLowerCase()), `unsupported tag <${tag}>`);
      if (closing) check(open.pop() === tag.toLowerCase(), `unbalanced </${tag}>`);
      else {
        if (tag === 'a') check(/^\s+href="[^"]+"$/.test(attrs ?? ''), '<a> needs href');
        else check(!attrs, `<${tag}> takes no attributes`);
        open.push(tag.toLowerCase());
      }
    } else if (entity) {
      check(entity.startsWith('#') || ['lt', 'gt', 'amp', 'quot'].includes(entity), `unsupported entity &${entity};`);
      visible += entity.startsWith('#')
        ? String.fromCodePoint(entity[1] === 'x' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)))
        : { lt: '<', gt: '>', amp: '&', quot: '"' }[entity];
    } else if (stray) check(false, `can't parse entities: unescaped "${stray}"`);
    else visible += text;
  }
  check(open.length === 0, `unclosed <${open.join('>, <')}>`);
  return visible.length;
}

function validateTelegram(body: Record<string, unknown>): void {
  check(body.chat_id !== undefined, 'chat_id: required');
  check(body.parse_mode === 'HTML', 'parse_mode: HTML');
  check(isString(body.text) && body.text.length > 0, 'text: required');
  const length = telegramVisibleLength(body.text as string);
  check(length <= 4096, `message is too long (${length})`);
}

function validateWebhook(raw: string, headers: IncomingMessage['headers']): void {
  const timestamp = Number(headers['x-rss-digest-timestamp']);
  check(
    Number.isInteger(timestamp) && Math.abs(Date.now() / 1000 - timestamp) <= 300,
    'timestamp missing or more than 5 minutes off',
  );
  const expected = Buffer.from(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(`${timestamp}.${raw}`).digest('hex')}`);
  const given = Buffer.from(String(headers['x-rss-digest-signature'] ?? ''));
  check(given.length === expected.length && timingSafeEqual(given, expected), 'bad signature');
}

export async function startFakePlatforms(): Promise<FakePlatforms> {
  const received: Received[] = [];
  const failures = new Map<Platform, { status: number; retryAfter?: number; body?: string }[]>();

  const platformOf = (url: string): Platform | undefined => {
    if (url === SLACK_PATH) return 'slack';
    if (url === DISCORD_PATH) return 'discord';
    if (url === TEAMS_PATH) return 'teams';
    if (url.startsWith('/bot') && url.endsWith('/sendMessage')) return 'telegram';
    if (url === WEBHOOK_PATH) return 'webhook';
    return undefined;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const platform = platformOf(req.url ?? '');
    if (!platform || req.method !== 'POST') {
      res.writeHead(404).end('no such webhook');
      return;
    }
    const entry: Received = { platform, body: undefined, raw, headers: req.headers };
    received.push(entry);
    const failure = failures.get(platform)?.shift();
    if (failure) {
      entry.refused = `forced ${failure.status}`;
      const headers: Record<string, string> =
        failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {};
      // A failing service that quotes the request's path, as some proxies do: it must not reach our reports.
      res.writeHead(failure.status, headers).end(failure.body ?? `upstream error for POST ${req.url}`);
      return;
    }
    try {
      check(/^application\/json\b/.test(req.headers['content-type'] ?? ''), 'content-type: application/json');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        throw new Refusal('body is not JSON');
      }
      entry.body = body;
      if (platform === 'telegram') check(req.url === `/bot${TELEGRAM_TOKEN}/sendMessage`, 'Unauthorized');
      ({
        slack: validateSlack,
        discord: validateDiscord,
        teams: () => validateTeams(body, raw),
        telegram: validateTelegram,
        webhook: () => validateWebhook(raw, req.headers),
      })[platform](body);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      entry.refused = err.message;
      const replies: Record<Platform, () => void> = {
        slack: () => res.writeHead(400).end('invalid_blocks'),
        discord: () =>
          res
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ message: 'Invalid Form Body', code: 50035 })),
        teams: () => res.writeHead(400).end('Bad payload received by generic incoming webhook.'),
        telegram: () =>
          res.writeHead(err.message === 'Unauthorized' ? 401 : 400, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              ok: false,
              error_code: err.message === 'Unauthorized' ? 401 : 400,
              description: `Bad Request: ${err.message}`,
            }),
          ),
        webhook: () => res.writeHead(401).end('signature refused'),
      };
      replies[platform]();
      return;
    }
    const success: Record<Platform, () => void> = {
      slack: () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'),
      discord: () => res.writeHead(204).end(),
      teams: () => res.writeHead(200).end('1'),
      telegram: () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            ok: true,
            result: { message_id: received.length, chat: { id: (entry.body as { chat_id: unknown }).chat_id } },
          }),
        ),
      webhook: () => res.writeHead(200).end(),
    };
    success[platform]();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    accepted: (platform) => received.filter((r) => r.platform === platform && !r.refused),
    failNext(platform, reply, count = 1) {
      failures.set(platform, [...(failures.get(platform) ?? []), ...Array.from({ length: count }, () => reply)]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
