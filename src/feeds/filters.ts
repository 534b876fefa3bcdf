/**
 * Muting and keeping items by words, phrases or regular expressions (`filters` in the config).
 * Words and phrases match whole words after the same normalization as the site's search (case,
 * accents, Arabic letter variants such as أ/إ/آ → ا), so a filter written one way mutes the
 * other spellings too; in Chinese, Japanese, Thai and the other scripts written without spaces a
 * term matches as a run of characters. A term written `/…/flags` is a regular expression on the
 * raw text.
 * Filtering never loses an item silently: the fetch stage counts what it muted per feed.
 */
import { normalizeForSearch, splitSearchWords } from '../render/search-text';

export interface FilterRule {
  /** Feeds the rule applies to: names, or URL patterns (`*` matches anything); all feeds when absent. */
  feeds?: string[];
  /** When given, an item must match one of these to be kept. */
  include?: string[];
  /** An item matching any of these is muted. */
  exclude?: string[];
  /** Where terms are looked for: the title, the feed's text of the item, or both (default). */
  in?: 'title' | 'text' | 'any';
}

export interface FilterableItem {
  title: string;
  contentText?: string;
}

export interface FeedIdentity {
  url: string;
  name: string;
}

type Term = { regex: RegExp } | { words: string } | { chars: string };

/** Scripts written without spaces between words: a term in them matches as a run of characters. */
const SPACELESS = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;

/** " w1 w2 " : the normalized words between spaces, so a phrase matches only on word boundaries. */
const wordLine = (text: string): string => ` ${splitSearchWords(normalizeForSearch(text)).join(' ')} `;

/** A `/pattern/flags` term as a RegExp, or undefined when the term is a word or phrase. Throws on a bad pattern. */
export function regexTerm(term: string): RegExp | undefined {
  const m = /^\/(.+)\/([a-z]*)$/s.exec(term.trim());
  return m ? new RegExp(m[1], m[2].includes('u') ? m[2] : `${m[2]}u`) : undefined;
}

function compileTerm(term: string): Term | undefined {
  const regex = regexTerm(term);
  if (regex) return { regex };
  if (SPACELESS.test(term)) return { chars: normalizeForSearch(term).replace(/\s+/g, ' ').trim() };
  const words = wordLine(term);
  return words.trim() ? { words } : undefined;
}

const compileTerms = (terms: string[] | undefined): Term[] | undefined => terms?.map(compileTerm).filter((t): t is Term => !!t);

/** `*` as "anything", the rest literal. */
const globRegex = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );

interface CompiledRule {
  appliesTo: (feed: FeedIdentity) => boolean;
  include?: Term[];
  exclude?: Term[];
  in: 'title' | 'text' | 'any';
}

function compileRule(rule: FilterRule): CompiledRule {
  const names = (rule.feeds ?? []).filter((f) => !/[/*]/.test(f)).map((f) => normalizeForSearch(f.trim()));
  const patterns = (rule.feeds ?? []).filter((f) => /[/*]/.test(f)).map(globRegex);
  return {
    appliesTo: (feed) =>
      !rule.feeds?.length || names.includes(normalizeForSearch(feed.name.trim())) || patterns.some((p) => p.test(feed.url)),
    include: compileTerms(rule.include),
    exclude: compileTerms(rule.exclude),
    in: rule.in ?? 'any',
  };
}

/** Decides, item by item, whether the configured filters mute it. Built once per run. */
export function createItemFilter(rules: FilterRule[]): (item: FilterableItem, feed: FeedIdentity) => boolean {
  const compiled = rules.map(compileRule);
  return (item, feed) => {
    const applicable = compiled.filter((r) => r.appliesTo(feed));
    if (!applicable.length) return false;
    const raw = { title: item.title, text: item.contentText ?? '' };
    const lines: Partial<Record<'title' | 'text', string>> = {};
    const normalized: Partial<Record<'title' | 'text', string>> = {};
    const termMatches = (term: Term, f: 'title' | 'text'): boolean => {
      if ('regex' in term) return term.regex.test(raw[f]);
      if ('chars' in term) return (normalized[f] ??= normalizeForSearch(raw[f]).replace(/\s+/g, ' ')).includes(term.chars);
      return (lines[f] ??= wordLine(raw[f])).includes(term.words);
    };
    const matches = (terms: Term[], where: CompiledRule['in']): boolean => {
      const fields: ('title' | 'text')[] = where === 'any' ? ['title', 'text'] : [where];
      return terms.some((term) => fields.some((f) => termMatches(term, f)));
    };
    return applicable.some(
      (r) => (r.exclude?.length && matches(r.exclude, r.in)) || (r.include?.length && !matches(r.include, r.in)),
    );
  };
}
