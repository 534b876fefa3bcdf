/**
 * The search index, built at publish time: one shard per month (site/search/YYYY-MM.json) and a
 * manifest (site/search/index.json) listing them, so a publish rewrites one month, not the
 * whole archive, and the browser fetches plain JSON it can scan in milliseconds.
 */
import type { Digest } from '../types';
import { cleanLine, safeDir, safeHttpUrl, safeLang } from './html';
import { indexKeywords } from './search-text';
import { dayPagePath } from './site-paths';

/** Characters of summary kept for the result snippet. */
const SNIPPET_CHARS = 220;

/** One story in the index. Short keys: the shards are downloaded by readers. */
export interface SearchDoc {
  /** Digest date. */
  d: string;
  /** Page of that day, relative to the site root. */
  p: string;
  t: string;
  u: string;
  /** Source name. */
  s: string;
  l: string;
  r: 'ltr' | 'rtl' | 'auto';
  /** Snippet. */
  x: string;
  /** Title keywords (normalized). */
  tk: string;
  /** All keywords: title, summary, source, category. */
  k: string;
}

export interface SearchShard {
  version: 1;
  month: string;
  docs: SearchDoc[];
}

/**
 * Version of the normalization and word split (search-text.ts) the shards were built with: a
 * publish that finds another one rebuilds every month, since the browser splits queries the new way.
 * 2: character pairs for Chinese, Japanese, Thai, Lao, Khmer and Burmese; marks removed only in
 * Latin, Greek, Cyrillic, Arabic and Hebrew (Indic and Thai vowel signs, kana voicing kept).
 */
export const SEARCH_WORDS_VERSION = 2;

export interface SearchManifest {
  version: 1;
  /** SEARCH_WORDS_VERSION of the shards; absent in manifests written before it existed. */
  words?: number;
  generatedAt: string;
  shards: { month: string; key: string; docs: number }[];
}

export function searchDocsFor(digest: Digest): SearchDoc[] {
  const page = dayPagePath(digest.date);
  const docs: SearchDoc[] = [];
  for (const s of digest.stories) {
    const url = safeHttpUrl(s.url);
    if (!url) continue;
    const title = cleanLine(s.title);
    const summary = (s.summary ?? []).map(cleanLine).join(' ');
    // A clustered story is found by any of its sources' names and headlines too.
    const sources = (s.sources ?? []).flatMap((x) => [cleanLine(x.name), cleanLine(x.title)]);
    docs.push({
      d: digest.date,
      p: page,
      t: title,
      u: url,
      s: cleanLine(s.source),
      l: safeLang(s.lang),
      r: safeDir(s.dir),
      x: summary.length > SNIPPET_CHARS ? `${summary.slice(0, SNIPPET_CHARS - 1).trimEnd()}…` : summary,
      tk: indexKeywords(title),
      k: indexKeywords(title, summary, cleanLine(s.source), ...sources, cleanLine(s.category)),
    });
  }
  return docs;
}

/** A month's shard from that month's digests (any order; newest day first in the output). */
export function buildSearchShard(month: string, digests: Digest[]): SearchShard {
  const sorted = [...digests].sort((a, b) => b.date.localeCompare(a.date));
  return { version: 1, month, docs: sorted.flatMap(searchDocsFor) };
}

export const searchShardKey = (month: string): string => `site/search/${month}.json`;
export const SEARCH_MANIFEST_KEY = 'site/search/index.json';
