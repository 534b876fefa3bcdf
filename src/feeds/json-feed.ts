/** JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1) into the same raw shape as the XML formats. */
import { FeedParseError } from './errors';
import { firstAuthors, resolve, type RawAuthor, type RawFeed, type RawItem } from './raw';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

const resolveRef = (ref: unknown, base: string): string | undefined => resolve(str(ref), base);

/** JSON Feed 1.1 `authors` (1.0's single `author` too): `{ name, url }` objects. */
const authorsOf = (o: Record<string, unknown>, base: string): RawAuthor[] => {
  const list = Array.isArray(o['authors']) ? o['authors'] : o['author'] ? [o['author']] : [];
  const out: RawAuthor[] = [];
  for (const a of list) {
    if (!a || typeof a !== 'object') continue;
    const person = a as Record<string, unknown>;
    const name = str(person['name'])?.trim() || undefined;
    const url = resolveRef(person['url'], base);
    if (name || url) out.push({ name, url });
  }
  return out;
};

export function readJsonFeed(text: string, documentUrl: string): RawFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new FeedParseError('parse', `JSON Feed is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new FeedParseError('not-a-feed', 'JSON document is not a JSON Feed');
  const feed = doc as Record<string, unknown>;
  const version = str(feed['version']) ?? '';
  if (!/^https?:\/\/jsonfeed\.org\/version\//i.test(version) && !Array.isArray(feed['items'])) {
    throw new FeedParseError('not-a-feed', 'JSON document is not a JSON Feed (no jsonfeed.org version)');
  }
  const base = resolveRef(feed['feed_url'], documentUrl) ?? documentUrl;
  const feedAuthors = authorsOf(feed, base);
  const items: RawItem[] = [];
  for (const entry of Array.isArray(feed['items']) ? feed['items'] : []) {
    if (!entry || typeof entry !== 'object') continue;
    const it = entry as Record<string, unknown>;
    const links = [resolveRef(it['url'], base), resolveRef(it['external_url'], base)].filter((l): l is string => !!l);
    const id = str(it['id']);
    if (links.length === 0 && id && /^https?:\/\//i.test(id)) links.push(id);
    items.push({
      title: str(it['title']),
      titleIsHtml: false,
      links,
      id,
      dates: [str(it['date_published']), str(it['date_modified'])].filter((d): d is string => !!d),
      authors: firstAuthors(authorsOf(it, base), feedAuthors),
      contentHtml: str(it['content_html']),
      contentText: str(it['content_text']) ?? str(it['summary']),
      categories: Array.isArray(it['tags']) ? it['tags'].map(str).filter((t): t is string => !!t) : [],
      lang: str(it['language']),
    });
  }
  return {
    format: 'json',
    title: str(feed['title']),
    link: resolveRef(feed['home_page_url'], base),
    lang: str(feed['language']),
    items,
  };
}
