/**
 * site/feed.xml (Atom, RFC 4287) and site/feed.json (JSON Feed 1.1): one entry per day, newest
 * first, with the whole digest as HTML content. Ids are the day's page URL when the site URL is
 * known, else a stable urn:uuid derived from the digest title and date.
 */
import { createHash } from 'node:crypto';
import { chromeFor } from '../i18n';
import type { Digest } from '../types';
import { cleanLine, escapeXml } from './html';
import { formatLongDate } from './format';
import { absoluteSiteUrl } from './layout';
import { renderSections } from './daily';
import { dayPagePath } from './site-paths';

/** Days carried by the feeds (each entry holds a whole digest, so keep the file small). */
export const FEED_ENTRIES = 10;

export interface FeedContext {
  siteTitle: string;
  siteUrl?: string;
  lang: string;
}

export function uuidUrn(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // Shaped as an RFC 4122 version-5-style UUID (name-based) so strict validators accept it.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function entryId(ctx: FeedContext, digest: Digest): string {
  return absoluteSiteUrl(ctx, dayPagePath(digest.date)) ?? uuidUrn('rss-digest', ctx.siteTitle, digest.date);
}

const entryTitle = (d: Digest, lang: string): string => {
  const t = chromeFor(lang);
  return t.text('pageTitle', { title: cleanLine(d.title), date: formatLongDate(d.date, t.locale) });
};
const entrySummary = (d: Digest, lang: string): string => {
  const t = chromeFor(lang);
  const stories = t.count('storyCount', d.stories.length);
  if (!d.stories.length) return t.text('feedEntryEmpty', { stories });
  const titles = d.stories
    .slice(0, 5)
    .map((s) => cleanLine(s.title))
    .join(' · ');
  return t.text('feedEntrySummary', { stories, titles });
};
// Feed readers fetch what an entry links to: no lead images here (the page and the mail decide their own).
const entryContent = (d: Digest, lang: string): string => renderSections(d, lang, { headingId: false }).value;
const feedSubtitle = (ctx: FeedContext): string => chromeFor(ctx.lang).text('feedSubtitle', { title: cleanLine(ctx.siteTitle) });
/** When the digest was generated, or midnight UTC of its day when that is not a date. */
const entryUpdated = (d: Digest): string =>
  Number.isFinite(Date.parse(d.generatedAt)) ? new Date(d.generatedAt).toISOString() : `${d.date}T00:00:00.000Z`;

/** Digests newest first (the caller passes at most FEED_ENTRIES). */
export function renderAtomFeed(digests: Digest[], ctx: FeedContext): string {
  const feedUpdated = digests.reduce((max, d) => {
    const t = entryUpdated(d);
    return t > max ? t : max;
  }, '1970-01-01T00:00:00.000Z');
  const home = absoluteSiteUrl(ctx, '');
  const self = absoluteSiteUrl(ctx, 'feed.xml');
  const x = escapeXml;
  const entries = digests.map((d) => {
    const updated = entryUpdated(d);
    const link = absoluteSiteUrl(ctx, dayPagePath(d.date)) ?? dayPagePath(d.date);
    return `  <entry>
    <id>${x(entryId(ctx, d))}</id>
    <title>${x(entryTitle(d, ctx.lang))}</title>
    <link rel="alternate" type="text/html" href="${x(link)}"/>
    <published>${updated}</published>
    <updated>${updated}</updated>
    <summary>${x(entrySummary(d, ctx.lang))}</summary>
    <content type="html">${x(entryContent(d, ctx.lang))}</content>
  </entry>
`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${x(chromeFor(ctx.lang).lang)}">
  <id>${x(home ?? uuidUrn('rss-digest', ctx.siteTitle))}</id>
  <title>${x(cleanLine(ctx.siteTitle))}</title>
  <subtitle>${x(feedSubtitle(ctx))}</subtitle>
  <updated>${feedUpdated}</updated>
  <author><name>${x(cleanLine(ctx.siteTitle))}</name></author>
  <generator>rss-digest</generator>
${self ? `  <link rel="self" type="application/atom+xml" href="${x(self)}"/>\n` : ''}  <link rel="alternate" type="text/html" href="${x(home ?? 'index.html')}"/>
${entries.join('')}</feed>
`;
}

/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). */
export function renderJsonFeed(digests: Digest[], ctx: FeedContext): string {
  const home = absoluteSiteUrl(ctx, '');
  const self = absoluteSiteUrl(ctx, 'feed.json');
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: cleanLine(ctx.siteTitle),
    ...(home ? { home_page_url: home } : {}),
    ...(self ? { feed_url: self } : {}),
    description: feedSubtitle(ctx),
    language: chromeFor(ctx.lang).lang,
    authors: [{ name: cleanLine(ctx.siteTitle) }],
    items: digests.map((d) => {
      const url = absoluteSiteUrl(ctx, dayPagePath(d.date));
      return {
        id: entryId(ctx, d),
        ...(url ? { url } : {}),
        title: entryTitle(d, ctx.lang),
        summary: entrySummary(d, ctx.lang),
        content_html: entryContent(d, ctx.lang),
        date_published: entryUpdated(d),
        date_modified: entryUpdated(d),
        language: chromeFor(ctx.lang).lang,
      };
    }),
  };
  // "<" escaped so the JSON can never be read as markup if served or sniffed as HTML.
  return `${JSON.stringify(feed, null, 2).replace(/</g, '\\u003c')}\n`;
}
