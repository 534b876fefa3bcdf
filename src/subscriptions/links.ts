/** The public URLs that go into mails and pages, from config (site.url, site.subscribeEndpoint). */
import type { Config } from '../config/schema';
import { datePath } from '../render/site-paths';

/** Where `rss-digest serve` listens by default: the site URL of a purely local setup. */
export const LOCAL_SITE_URL = 'http://127.0.0.1:8080';

export interface PublicUrls {
  /** Site base URL without a trailing slash. */
  siteUrl: string;
  /** Endpoint base URL ("…/api") without a trailing slash. */
  endpointUrl: string;
}

const trim = (u: string): string => u.replace(/\/+$/, '');

/** `fallbackSiteUrl` is the address `serve` actually listens on, when site.url is not configured. */
export function resolvePublicUrls(config: Config, fallbackSiteUrl = LOCAL_SITE_URL): PublicUrls {
  const siteUrl = trim(config.site.url ?? fallbackSiteUrl);
  return { siteUrl, endpointUrl: trim(config.site.subscribeEndpoint ?? `${siteUrl}/api`) };
}

/** The page of one day's digest on the site (same layout as the renderer: site/YYYY/MM/DD/). */
export const dayPageUrl = (siteUrl: string, date: string): string => `${trim(siteUrl)}/${datePath(date)}/`;
