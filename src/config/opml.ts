import * as cheerio from 'cheerio';
import type { FeedConfig } from './schema';

/** Feeds from an OPML 1.0/2.0 document: every outline with an http(s) xmlUrl; the parent outline's title becomes the category. */
export function parseOpml(xml: string): FeedConfig[] {
  const $ = cheerio.load(xml, { xml: true });
  const feeds: FeedConfig[] = [];
  $('outline[xmlUrl], outline[xmlurl]').each((_, el) => {
    const node = $(el);
    // Stryker disable next-line StringLiteral: the selector above guarantees one of the two attributes, so '' is never used
    const url = (node.attr('xmlUrl') ?? node.attr('xmlurl') ?? '').trim();
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return;
    } catch {
      return;
    }
    const name = (node.attr('title') ?? node.attr('text') ?? '').trim() || undefined;
    // Stryker disable next-line StringLiteral: in OPML an outline's parent is an outline or <body>, which has no title or text
    const parent = node.parent('outline');
    const category = parent.length ? (parent.attr('title') ?? parent.attr('text') ?? '').trim() || undefined : undefined;
    feeds.push({ url, name, category, priority: 0 });
  });
  return feeds;
}
