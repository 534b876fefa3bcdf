/**
 * The subscribed feeds as OPML 2.0 (http://opml.org/spec2.opml), the file feed readers import and
 * export: one `type="rss"` outline per feed, inside an outline per category. `parseOpml`
 * (src/config/opml.ts) reads it back: export then import gives the same feeds.
 */
export interface OpmlFeed {
  url: string;
  name?: string;
  category?: string;
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const feedOutline = (feed: OpmlFeed, indent: string): string => {
  const name = escapeXml(feed.name ?? feed.url);
  return `${indent}<outline type="rss" text="${name}" title="${name}" xmlUrl="${escapeXml(feed.url)}"/>`;
};

export function toOpml(feeds: OpmlFeed[], title: string, now: Date): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeXml(title)}</title>`,
    `    <dateCreated>${now.toUTCString()}</dateCreated>`,
    '  </head>',
    '  <body>',
  ];
  const categories = new Map<string, OpmlFeed[]>();
  for (const feed of feeds) {
    if (!feed.category) lines.push(feedOutline(feed, '    '));
    else categories.set(feed.category, [...(categories.get(feed.category) ?? []), feed]);
  }
  for (const [category, members] of categories) {
    const name = escapeXml(category);
    lines.push(`    <outline text="${name}" title="${name}">`, ...members.map((f) => feedOutline(f, '      ')), '    </outline>');
  }
  lines.push('  </body>', '</opml>');
  return lines.join('\n') + '\n';
}
