/**
 * Chat channels: the day's digest posted to Slack, Discord, Teams, Telegram or a signed JSON
 * webhook, each in its platform's own format and within its limits (one message a day: the best
 * `maxStories` stories, fewer when the platform's limits say so, and a link to the day's page for
 * the rest). Secrets come from environment variables named in the config; a missing one fails that
 * channel only. Exactly-once a day is src/delivery's job.
 */
import type { ChannelConfig } from '../config/schema';
import type { Digest } from '../types';
import { discordMessage } from './discord';
import { ChannelError, postJson, type ChannelRequest } from './post';
import { postView, type PostView } from './post-view';
import { slackMessage } from './slack';
import { teamsMessage } from './teams';
import { telegramMessage } from './telegram';
import { signedWebhookRequest, webhookPayload } from './webhook';

export { ChannelError, maskSecrets } from './post';
export { postView, postLabels, fitText, type PostView, type PostStory, type PostLabels } from './post-view';
export { slackMessage, fitsSlack, SLACK_LIMITS, type SlackMessage } from './slack';
export { discordMessage, fitsDiscord, DISCORD_LIMITS, type DiscordMessage } from './discord';
export { teamsMessage, fitsTeams, TEAMS_LIMITS, ADAPTIVE_CARD_CONTENT_TYPE, type TeamsMessage } from './teams';
export { telegramMessage, telegramVisibleText, TELEGRAM_LIMITS, type TelegramMessage } from './telegram';
export { webhookPayload, webhookSignature, signedWebhookRequest, WEBHOOK_HEADERS, type WebhookPayload } from './webhook';

/** The channel's name in reports and claims: its `id`, else its kind. */
export const channelId = (channel: ChannelConfig): string => channel.id ?? channel.kind;

export interface PostDeps {
  /** The day's page on the site. */
  dayUrl: string;
  /** Language of the post's own words (config digest.lang). */
  lang: string;
  /** Where the secrets are read (process.env by default). */
  env: Record<string, string | undefined>;
  now: () => Date;
}

/** Posts the day's digest to one channel; resolves with what the delivery record keeps, throws a ChannelError. */
export async function postDigestToChannel(
  channel: ChannelConfig,
  digest: Digest,
  deps: PostDeps,
): Promise<Record<string, unknown>> {
  const view = postView(digest, { dayUrl: deps.dayUrl, maxStories: channel.maxStories, lang: deps.lang });
  const { request, secrets } = channelRequest(channel, view, deps);
  await postJson(request, { timeoutMs: channel.timeoutMs, secrets });
  return { kind: channel.kind, stories: view.stories.length };
}

function channelRequest(channel: ChannelConfig, view: PostView, deps: PostDeps): { request: ChannelRequest; secrets: string[] } {
  switch (channel.kind) {
    case 'slack': {
      const url = secretUrl(channel.urlEnv, deps.env);
      // Slack answers a good post with the body "ok".
      return {
        request: { url, body: JSON.stringify(slackMessage(view)), accepted: (_s, text) => text.trim() === 'ok' },
        secrets: [url],
      };
    }
    case 'discord': {
      const url = secretUrl(channel.urlEnv, deps.env);
      return { request: { url, body: JSON.stringify(discordMessage(view)) }, secrets: [url] };
    }
    case 'teams': {
      const url = secretUrl(channel.urlEnv, deps.env);
      return { request: { url, body: JSON.stringify(teamsMessage(view)) }, secrets: [url] };
    }
    case 'telegram': {
      const token = secretValue(channel.tokenEnv, deps.env);
      const url = `${channel.apiBaseUrl.replace(/\/+$/, '')}/bot${token}/sendMessage`;
      const body = JSON.stringify(telegramMessage(view, channel.chatId));
      return { request: { url, body, accepted: (_s, text) => telegramOk(text) }, secrets: [token, url] };
    }
    case 'webhook': {
      const url = secretUrl(channel.urlEnv, deps.env);
      const secret = secretValue(channel.secretEnv, deps.env);
      const signed = signedWebhookRequest(webhookPayload(view), {
        secret,
        now: deps.now(),
        delivery: `${channelId(channel)}/${view.date}`,
      });
      return { request: { url, ...signed }, secrets: [url, secret] };
    }
  }
}

/** The Bot API answers `{ "ok": true, "result": … }` when the message was sent. */
function telegramOk(text: string): boolean {
  try {
    return (JSON.parse(text) as { ok?: unknown }).ok === true;
  } catch {
    return false;
  }
}

function secretValue(name: string, env: PostDeps['env']): string {
  const value = env[name]?.trim();
  if (!value) throw new ChannelError(`the environment variable ${name} is not set`);
  return value;
}

/** A webhook URL from the environment; its value is never quoted, even when it is not a URL. */
function secretUrl(name: string, env: PostDeps['env']): string {
  const value = secretValue(name, env);
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.toString();
  } catch {
    // Reported below without the value.
  }
  throw new ChannelError(`the environment variable ${name} does not hold an http(s) URL`);
}
