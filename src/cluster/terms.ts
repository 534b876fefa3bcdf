/**
 * The terms an article is compared by: the search index's words (accents and Arabic letter variants
 * folded, Chinese, Japanese and Thai as character pairs), without the language's stopwords, with the
 * summarizer's light stem. Each term is tagged with what it is, because the kind of word says how
 * much it tells about the event: a name or a number tells two earthquakes apart, "earthquake" does not.
 */
import { normalizeForSearch, splitSearchWords } from '../render/search-text';
import { stem, stopwordsFor } from '../summarize/words';

/** Where a term was seen and what kind of word it is; weights in `CLUSTER_WEIGHTS`. */
export interface ArticleTerms {
  /** Stemmed content words of the title and the lead, and of the whole article, with counts. */
  title: Map<string, number>;
  lead: Map<string, number>;
  body: Map<string, number>;
  /** Words written with a capital inside a sentence (names of people, places, organisations). */
  names: Set<string>;
  /** Numbers (years, counts, magnitudes, scores), also counted as terms in `title`, `lead` and `body`. */
  numbers: Set<string>;
}

/** Words of the lead: the first sentences of an article say what the event is. */
export const LEAD_WORDS = 60;

const stopwordCache = new Map<string, Set<string>>();

/** The language's stopwords, folded like the text they are matched against. */
function stopwords(lang: string): Set<string> {
  let set = stopwordCache.get(lang);
  if (!set) {
    set = new Set([...stopwordsFor(lang)].flatMap((w) => splitSearchWords(normalizeForSearch(w))));
    stopwordCache.set(lang, set);
  }
  return set;
}

/** Base language of a tag ("en-GB" → "en"); "und" when unknown. */
export function baseLang(tag: string | undefined): string {
  return (tag ?? '').trim().toLowerCase().split(/[-_]/)[0] || 'und';
}

function contentTerms(text: string, lang: string): string[] {
  const skip = stopwords(lang);
  const out: string[] = [];
  const normalized = normalizeForSearch(text);
  for (const word of splitSearchWords(normalized)) {
    // Numbers are read whole below ("5.2", "2,000"), not as the digit runs the word split leaves.
    if (skip.has(word) || /^\p{N}+$/u.test(word)) continue;
    // One letter is noise in spaced scripts; a lone Han or kana character is a real word.
    if (word.length < 2 && !/[^\p{sc=Latin}\p{sc=Arabic}\p{sc=Hebrew}\p{sc=Cyrillic}\p{sc=Greek}\p{N}]/u.test(word)) continue;
    out.push(stem(word, lang));
  }
  out.push(...numbersOf(normalized));
  return out;
}

function count(terms: string[], into = new Map<string, number>()): Map<string, number> {
  for (const t of terms) into.set(t, (into.get(t) ?? 0) + 1);
  return into;
}

// A capitalized word that does not start a sentence: the cheap, language-independent sign of a name.
const CAPITALIZED_INSIDE = /(?<=[\p{L}\p{N},;)'’]\s+)\p{Lu}[\p{L}\p{M}'’-]*/gu;
// A number with its decimal point or thousands separators; one digit alone ("3 people") is too common.
const NUMBER = /\p{N}(?:[.,]?\p{N})+/gu;

/** The names in a text (folded and stemmed like every other term). */
function namesOf(text: string, lang: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(CAPITALIZED_INSIDE)) for (const t of contentTerms(m[0], lang)) names.add(t);
  return names;
}

/** Numbers of two or more digits in normalized text; thousands separators dropped ("2,000" is 2000). */
function numbersOf(normalized: string): string[] {
  return Array.from(normalized.matchAll(NUMBER), (m) => m[0].replace(/,(?=\p{N}{3})/gu, ''));
}

/** The first `LEAD_WORDS` words of a text (by spaces; scripts without spaces by characters). */
function leadOf(text: string): string {
  const spaced = text.split(/\s+/);
  if (spaced.length > LEAD_WORDS) return spaced.slice(0, LEAD_WORDS).join(' ');
  return spaced.length > 1 ? text : text.slice(0, LEAD_WORDS * 2);
}

export function articleTerms(title: string, text: string, lang: string): ArticleTerms {
  const base = baseLang(lang);
  // Single-line articles repeat their title as text: count it once.
  const body = text.trim() === title.trim() ? '' : text;
  const lead = leadOf(body);
  return {
    title: count(contentTerms(title, base)),
    lead: count(contentTerms(lead, base)),
    body: count(contentTerms(body, base)),
    names: namesOf(body || title, base),
    numbers: new Set(numbersOf(normalizeForSearch(`${title}\n${body}`))),
  };
}
