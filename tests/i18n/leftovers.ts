/**
 * "No English chrome left": every literal piece of an English message (the text between its
 * placeholders, each plural form too) that has a word in it, searched for in a rendered page or
 * mail after the fixture data (titles, summaries, names: not chrome) has been taken out. A piece
 * the language's own catalogue also uses ("Feed" in German, "rss-digest") is not a leftover.
 */
import { CATALOGUES, type Catalogue } from '../../src/i18n';
import type { Digest } from '../../src/types';

const textsOf = (catalogue: Catalogue): string[] =>
  Object.values(catalogue).flatMap((m) => (typeof m === 'string' ? [m] : Object.values(m).filter((x): x is string => !!x)));

/** The English pieces to look for when the chrome is `lang`. */
export function englishPieces(lang: string): string[] {
  const own = textsOf(CATALOGUES[lang]!).join('\n');
  const pieces = textsOf(CATALOGUES.en!)
    .flatMap((m) => m.split(/\{\w+\}/))
    .map((p) => p.trim().replace(/^[\s.,:;·+()←]+|[\s.,:;·+()]+$/g, ''))
    .filter((p) => /[A-Za-z]{3,}/.test(p) && !own.includes(p));
  return [...new Set(pieces)];
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** English pieces found in `text` once every `data` string (fixture content) is removed from it. */
export function englishLeftovers(text: string, lang: string, data: string[]): string[] {
  let rest = text.replace(/\s+/g, ' ');
  for (const d of [...new Set(data.map((x) => x.replace(/\s+/g, ' ').trim()).filter(Boolean))].sort(
    (a, b) => b.length - a.length,
  ))
    rest = rest.split(d).join(' ');
  return englishPieces(lang).filter((p) => new RegExp(`(?<![A-Za-z])${escapeRegExp(p)}(?![A-Za-z])`).test(rest));
}

/** What a digest holds that is fixture data, not chrome (set aside before looking for English). */
export const fixtureData = (d: Digest): string[] => [
  d.title,
  d.timezone,
  ...d.stories.flatMap((s) => [
    s.title,
    s.source,
    s.category ?? '',
    s.summary.join(' '),
    ...s.summary,
    s.byline ?? '',
    s.leadImageAlt ?? '',
    ...(s.authors ?? []).map((a) => a.name),
    ...s.sources.flatMap((x) => [x.name, x.title ?? '', x.url ?? '']),
  ]),
  ...d.feeds.flatMap((f) => [f.name, f.error ?? '', f.errorClass ?? '', f.url]),
];
