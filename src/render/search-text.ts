/**
 * Text normalization shared by the search index (built here at publish time) and the search
 * script (which runs in the reader's browser). `normalizeForSearch` is shipped to the browser as
 * its own source text, so it must stay self-contained: no imports, no outer variables.
 */

/**
 * Lower case, compatibility forms folded (Arabic presentation forms, full-width Latin, half-width
 * kana), accents and vowel points removed (Latin, Greek and Cyrillic accents, Arabic harakat and
 * hamza seats, Hebrew niqqud), Arabic letter variants unified (alef forms → ا, ى → ي, ة → ه,
 * tatweel dropped), Arabic-Indic digits → 0-9. Marks that are part of the letters stay: the vowel
 * signs of Devanagari, Thai and the other Indic and Southeast Asian scripts, kana voicing (が is
 * not か).
 */
export function normalizeForSearch(text: string): string {
  return String(text)
    .toLowerCase()
    .normalize('NFKD')
    .replace(/([\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}\p{sc=Arabic}\p{sc=Hebrew}])\p{M}+/gu, '$1')
    .replace(/\u0640/g, '')
    .replace(/[\u0671\u0672\u0673\u0675]/g, '\u0627')
    .replace(/\u0649/g, '\u064A')
    .replace(/\u0629/g, '\u0647')
    .replace(/[\u0660-\u0669]/g, (c) => String(c.charCodeAt(0) - 0x0660))
    .replace(/[\u06F0-\u06F9]/g, (c) => String(c.charCodeAt(0) - 0x06f0))
    .normalize('NFC');
}

/**
 * The words of an already normalized text: runs of letters (with their marks) and digits. Chinese,
 * Japanese, Thai, Lao, Khmer and Burmese are written without spaces between words, so a run of
 * those scripts becomes its overlapping character pairs plus its last character:
 * "東京都庁" → 東京 京都 都庁 庁. A query goes through the same
 * split, so a word found anywhere in a sentence matches, not only at the sentence's start.
 * Shipped to the browser as its own source text: no imports, no outer variables.
 */
export function splitSearchWords(normalized: string): string[] {
  const spaceless = /([\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}\u3005\u30FC]+)/u;
  const out: string[] = [];
  for (const word of String(normalized).split(/[^\p{L}\p{M}\p{N}]+/u)) {
    if (!word) continue;
    const parts = word.split(spaceless);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (!part) continue;
      // split() with a capture group puts the spaceless runs at the odd positions.
      if (i % 2 === 0) {
        out.push(part);
        continue;
      }
      const chars = Array.from(part);
      for (let c = 0; c + 1 < chars.length; c++) out.push(chars[c] + chars[c + 1]);
      out.push(chars[chars.length - 1]);
    }
  }
  return out;
}

/** Words of a text, normalized for search. */
export function searchWords(text: string): string[] {
  return splitSearchWords(normalizeForSearch(text));
}

const ARABIC = /^[\u0600-\u06FF]+$/;
const HEBREW = /^[\u0590-\u05FF]+$/;
const ARABIC_ARTICLE = /^(?:[وفبكل]?ال|لل)/;
const ARABIC_PROCLITIC = /^[وفبل]/;
const HEBREW_PREFIX = /^[ובכלמשה]/;

/**
 * The forms a word is indexed under. Arabic and Hebrew attach conjunctions, prepositions and the
 * article to the word ("والحكومة" = "and the government"), so the word is also indexed without
 * them; the search script matches query words as prefixes of these forms.
 */
export function indexForms(word: string): string[] {
  const forms = [word];
  if (ARABIC.test(word)) {
    const noArticle = word.replace(ARABIC_ARTICLE, '');
    if (noArticle !== word && noArticle.length >= 2) forms.push(noArticle);
    const noClitic = word.replace(ARABIC_PROCLITIC, '');
    if (noClitic !== word && noClitic.length >= 3) forms.push(noClitic);
  } else if (HEBREW.test(word)) {
    const noPrefix = word.replace(HEBREW_PREFIX, '');
    if (noPrefix !== word && noPrefix.length >= 2) forms.push(noPrefix);
  }
  return forms;
}

/** The keyword string stored for a document: every distinct indexed form, space-separated. */
export function indexKeywords(...texts: string[]): string {
  const set = new Set<string>();
  for (const t of texts) for (const w of searchWords(t)) for (const f of indexForms(w)) set.add(f);
  return [...set].join(' ');
}
