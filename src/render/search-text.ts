/**
 * Text normalization shared by the search index (built here at publish time) and the search
 * script (which runs in the reader's browser). `normalizeForSearch` is shipped to the browser as
 * its own source text, so it must stay self-contained: no imports, no outer variables.
 */

/**
 * Lower case, compatibility forms folded (Arabic presentation forms, full-width Latin), marks
 * removed (Latin accents, Arabic harakat and hamza seats, Hebrew niqqud), Arabic letter variants
 * unified (alef forms → ا, ى → ي, ة → ه, tatweel dropped), Arabic-Indic digits → 0-9.
 */
export function normalizeForSearch(text: string): string {
  return String(text)
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/\u0640/g, '')
    .replace(/[\u0671\u0672\u0673\u0675]/g, '\u0627')
    .replace(/\u0649/g, '\u064A')
    .replace(/\u0629/g, '\u0647')
    .replace(/[\u0660-\u0669]/g, (c) => String(c.charCodeAt(0) - 0x0660))
    .replace(/[\u06F0-\u06F9]/g, (c) => String(c.charCodeAt(0) - 0x06f0));
}

/** Words of a normalized text (letters and digits; everything else separates). */
export function searchWords(text: string): string[] {
  return normalizeForSearch(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
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
