/**
 * Word-level text handling for the extractive summarizer: normalization (Arabic diacritics,
 * tatweel, alef forms), tokenization, stopwords (the maintained `stopwords-iso` lists) and a
 * light, language-aware stem used only for matching words between sentences.
 */
import stopwordsIso from 'stopwords-iso/stopwords-iso.json';

// Harakat, tanwin, shadda, sukun, superscript alef, Quranic marks and tatweel.
const ARABIC_DIACRITICS = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]/g;
const ARABIC_ALEF = /[\u0622\u0623\u0625\u0671]/g;
const HEBREW_POINTS = /[\u0591-\u05C7]/g;

/** Case-folded text with Arabic and Hebrew normalized, so that spelling variants match. */
export function normalizeWords(text: string): string {
  let t = text.toLowerCase();
  if (/[\u0590-\u06FF]/.test(t)) {
    t = t
      .replace(ARABIC_DIACRITICS, '')
      .replace(ARABIC_ALEF, '\u0627')
      .replace(/\u0649/g, '\u064A') // alef maqsura → yeh, as users type both
      .replace(/\u0629/g, '\u0647') // teh marbuta → heh
      .replace(HEBREW_POINTS, '');
  }
  return t;
}

// Scripts written without spaces between words: only these need ICU's dictionary word segmenter
// (which is ~30× slower than a regular expression on space-separated text).
const NO_SPACE_RUN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]+/u;
const WORD_RUN = /[\p{L}\p{N}\p{M}]+(?:['’]\p{L}+)?/gu;
let dictionaryWordSegmenter: Intl.Segmenter | undefined;

/** True when the text has runs of a script written without spaces (Chinese, Japanese, Thai …). */
export const hasNoSpaceScript = (text: string): boolean => NO_SPACE_RUN.test(text);

/**
 * Word tokens of already-normalized text, in order. `noSpaceScript` (default: tested) lets a caller
 * that checked the whole document skip the per-sentence test.
 */
export function words(normalized: string, noSpaceScript = NO_SPACE_RUN.test(normalized)): string[] {
  const runs = normalized.match(WORD_RUN) ?? [];
  if (!noSpaceScript) return runs;
  dictionaryWordSegmenter ??= new Intl.Segmenter('und', { granularity: 'word' });
  const out: string[] = [];
  for (const run of runs) {
    if (!NO_SPACE_RUN.test(run)) {
      out.push(run);
      continue;
    }
    for (const s of dictionaryWordSegmenter.segment(run)) if (s.isWordLike) out.push(s.segment);
  }
  return out;
}

const stopwordCache = new Map<string, Set<string>>();
const lists = stopwordsIso as Record<string, string[]>;

/** Stopwords of a language (normalized like the text); an empty set when the package has none. */
export function stopwordsFor(lang: string): Set<string> {
  let set = stopwordCache.get(lang);
  if (!set) {
    set = new Set((lists[lang] ?? []).map((w) => normalizeWords(w)));
    stopwordCache.set(lang, set);
  }
  return set;
}

// Arabic clitics: conjunction/preposition + article prefixes, and frequent pronoun/plural suffixes
// (a "light stemmer" in the spirit of Larkey et al.'s light10, kept short on purpose).
const ARABIC_PREFIXES = ['وال', 'بال', 'كال', 'فال', 'لل', 'ال', 'و'];
const ARABIC_SUFFIXES = ['ها', 'ان', 'ات', 'ون', 'ين', 'يه', 'ه', 'ي'];
const HEBREW_PREFIXES = ['וה', 'שה', 'מה', 'לה', 'בה', 'ה', 'ו', 'ב', 'ל', 'מ', 'ש'];

// Stems repeat across sentences and articles; a bounded cache per language avoids recomputing them.
const STEM_CACHE_LIMIT = 50_000;
const stemCaches = new Map<string, Map<string, string>>();

const ENGLISH_ENDINGS = ['ing', 'ed', 'es', 'ly', 'e', 's'];
function stripEnglishEnding(word: string): string {
  for (const end of ENGLISH_ENDINGS) if (word.length - end.length >= 3 && word.endsWith(end)) return word.slice(0, -end.length);
  return word;
}

/** A matching key for a content word: light affix stripping for Arabic/Hebrew, truncation elsewhere. */
export function stem(word: string, lang: string): string {
  if (lang !== 'ar' && lang !== 'fa' && lang !== 'ur' && lang !== 'he') return stemWord(word, lang);
  let cache = stemCaches.get(lang);
  if (!cache) stemCaches.set(lang, (cache = new Map()));
  let s = cache.get(word);
  if (s === undefined) {
    if (cache.size >= STEM_CACHE_LIMIT) cache.clear();
    cache.set(word, (s = stemWord(word, lang)));
  }
  return s;
}

function stemWord(word: string, lang: string): string {
  if (lang === 'ar' || lang === 'fa' || lang === 'ur') {
    let w = word;
    for (const p of ARABIC_PREFIXES) {
      if (w.startsWith(p) && w.length - p.length >= 3) {
        w = w.slice(p.length);
        break;
      }
    }
    for (const s of ARABIC_SUFFIXES) {
      if (w.endsWith(s) && w.length - s.length >= 3) {
        w = w.slice(0, -s.length);
        break;
      }
    }
    return w;
  }
  if (lang === 'he') {
    for (const p of HEBREW_PREFIXES) if (word.startsWith(p) && word.length - p.length >= 3) return word.slice(p.length);
    return word;
  }
  // English inflection endings first ("agreed" → "agre", "agrees" → "agre"), then truncation to a
  // prefix: crude but language-independent, it merges inflections ("présidente", "président").
  const w = lang === 'en' ? stripEnglishEnding(word) : word;
  return w.length > 6 ? w.slice(0, 6) : w;
}

/** Content-word stems of a sentence (stopwords and one-character tokens removed; numbers kept). */
export function contentStems(text: string, lang: string, stopwords: Set<string>): string[] {
  return contentStemsOfTokens(words(normalizeWords(text)), lang, stopwords);
}

export function contentStemsOfTokens(tokens: string[], lang: string, stopwords: Set<string>): string[] {
  const out: string[] = [];
  for (const w of tokens) {
    if (w.length < 2 || stopwords.has(w)) continue;
    out.push(stem(w, lang));
  }
  return out;
}
