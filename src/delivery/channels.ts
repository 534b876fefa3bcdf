/**
 * Posting the published digest to every configured chat channel, once a day each: the same claims
 * as mail (state/runs/<date>/deliveries/channel-<id>.json). A failing channel (a missing secret, a
 * 5xx, a 429, a timeout) is reported and gives its claim back, so the next run of the day tries it
 * again; it never stops mail, the site or the other channels. An empty day posts nothing.
 */
import { randomUUID } from 'node:crypto';
import { channelId, postDigestToChannel } from '../channels';
import { redactText } from '../http/redact';
import type { ChannelConfig, Config } from '../config/schema';
import type { Store } from '../store';
import { dayPageUrl, resolvePublicUrls } from '../subscriptions/links';
import type { Digest } from '../types';
import { deliverOnce } from './deliver-once';
import { emptyDeliveryReport, type DeliveryReport } from './report';

/** A channel's claim name under state/runs/<date>/deliveries/ (subscriber ids are hex, so never clash). */
export const channelClaimName = (channel: ChannelConfig): string => `channel-${channelId(channel)}`;

export interface DeliverToChannelsDeps {
  channels: readonly ChannelConfig[];
  store: Store;
  siteUrl: string;
  /** Language of the posts' own words (config digest.lang). */
  lang: string;
  /** Where the channels' secrets are read; default process.env. */
  env?: Record<string, string | undefined>;
  now?: () => Date;
  /** Who is delivering (the run's id): a retry of the same run may take its own claims again. */
  owner?: string;
  /** Channels posted to at once. */
  concurrency?: number;
}

export async function deliverToChannels(digest: Digest, deps: DeliverToChannelsDeps): Promise<DeliveryReport> {
  const now = deps.now ?? (() => new Date());
  // Like mail: a day without stories is shown on the site, not announced.
  if (digest.stories.length === 0) return emptyDeliveryReport();
  const postDeps = { dayUrl: dayPageUrl(deps.siteUrl, digest.date), lang: deps.lang, env: deps.env ?? process.env, now };
  return deliverOnce({
    store: deps.store,
    date: digest.date,
    // Unique per call: two deliverers in one process must not pass for one run retrying its own claims.
    owner: deps.owner ?? `channels-${process.pid}-${now().toISOString()}-${randomUUID().slice(0, 8)}`,
    targets: deps.channels,
    nameOf: channelClaimName,
    send: (channel) => postDigestToChannel(channel, digest, postDeps),
    concurrency: deps.concurrency ?? 4,
    now,
    // A ChannelError is written with its secrets masked already (redacting again changes nothing); a
    // store error may quote a signed URL.
    describeError: (channel, err) => `${channel.kind}: ${redactText(err.message)}`,
  });
}

export interface ChannelDelivererOptions {
  config: Config;
  store: Store;
  env?: Record<string, string | undefined>;
  now?: () => Date;
}

/** A function that posts a published digest to the config's channels, or undefined when there are none. */
export function createChannelDeliverer(
  options: ChannelDelivererOptions,
): ((digest: Digest) => Promise<DeliveryReport>) | undefined {
  const { config, store } = options;
  if (config.channels.length === 0) return undefined;
  const { siteUrl } = resolvePublicUrls(config);
  return (digest) =>
    deliverToChannels(digest, {
      channels: config.channels,
      store,
      siteUrl,
      lang: config.digest.lang,
      env: options.env,
      now: options.now,
    });
}
