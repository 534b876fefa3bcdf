/**
 * Sentence segmentation for news text: ICU's `Intl.Segmenter` for the language, then repairs where
 * ICU's rules are wrong for news (abbreviations and initials, dotted acronyms, ordinals, quotations
 * that run over several sentences, hard-wrapped lines, very long Arabic sentences chained with ؛).
 */
import { stopwordsFor } from './words';

export interface Sentence {
  /** The sentence, whitespace collapsed. */
  text: string;
  /** Index of its paragraph (newline-separated block) in the text. */
  paragraph: number;
  /** Position among all sentences of the text. */
  index: number;
}

const segmenters = new Map<string, Intl.Segmenter>();
function sentenceSegmenter(lang: string): Intl.Segmenter {
  let s = segmenters.get(lang);
  if (!s) {
    try {
      s = new Intl.Segmenter(lang || 'und', { granularity: 'sentence' });
    } catch {
      s = new Intl.Segmenter('und', { granularity: 'sentence' });
    }
    segmenters.set(lang, s);
  }
  return s;
}

/** Abbreviations that are followed by a name or a number, never by the end of a sentence. */
const TITLE_ABBREVIATIONS: Record<string, string[]> = {
  en: [
    'mr',
    'mrs',
    'ms',
    'dr',
    'prof',
    'sen',
    'rep',
    'gov',
    'gen',
    'lt',
    'col',
    'maj',
    'capt',
    'sgt',
    'cpl',
    'adm',
    'rev',
    'st',
    'mt',
    'ft',
    'hon',
    'pres',
    'supt',
    'det',
    'insp',
    'cmdr',
    'messrs',
    'gens',
    'reps',
    'sens',
    'vol',
    'pp',
    'fig',
    'vs',
  ],
  fr: ['m', 'mm', 'mme', 'mmes', 'mlle', 'dr', 'pr', 'me', 'st', 'ste', 'mgr', 'cf'],
  de: ['dr', 'prof', 'hr', 'fr', 'nr', 'st', 'abs', 'art', 'vgl', 'bzw', 'ca', 'inkl', 'ggf', 'evtl', 'sog'],
  es: ['sr', 'sra', 'srta', 'dr', 'dra', 'ud', 'uds', 'lic', 'ing', 'arq', 'sto', 'sta', 'núm'],
  it: ['sig', 'sigg', 'sig.ra', 'dott', 'prof', 'ing', 'avv', 'sen'],
  pt: ['sr', 'sra', 'dr', 'dra', 'prof', 'eng'],
  ru: ['г', 'гг', 'ул', 'им', 'тов', 'см', 'стр', 'проф', 'акад'],
  nl: ['dhr', 'mevr', 'dr', 'prof', 'mr', 'ir', 'nr', 'st'],
};
/** Abbreviations that may also end a sentence ("… Apple Inc. The company …"). */
const AMBIGUOUS_ABBREVIATIONS: Record<string, string[]> = {
  en: [
    'inc',
    'ltd',
    'co',
    'corp',
    'bros',
    'etc',
    'jan',
    'feb',
    'mar',
    'apr',
    'jun',
    'jul',
    'aug',
    'sep',
    'sept',
    'oct',
    'nov',
    'dec',
    'approx',
    'est',
    'dept',
    'univ',
    'ave',
    'blvd',
    'rd',
    'jr',
    'sr',
    'plc',
    'llc',
  ],
  fr: ['etc', 'janv', 'févr', 'avr', 'juil', 'sept', 'oct', 'nov', 'déc', 'av', 'bd'],
  de: ['usw', 'etc', 'jan', 'feb', 'aug', 'sept', 'okt', 'nov', 'dez', 'str'],
  es: ['etc', 'ene', 'feb', 'abr', 'ago', 'sept', 'oct', 'nov', 'dic', 'av', 'avda'],
};
/** Abbreviations that introduce a number. */
const NUMBER_ABBREVIATIONS = new Set(['no', 'nos', 'nr', 'núm', 'n°', 'nº', 'art', 'p', 'pp', 'vol', 'fig', 'ch', 'sec', 'tel']);
const abbreviationSets = new Map<string, { titles: Set<string>; ambiguous: Set<string> }>();
function abbreviationsFor(lang: string): { titles: Set<string>; ambiguous: Set<string> } {
  let a = abbreviationSets.get(lang);
  if (!a) {
    // English titles are common in every language's news ("Dr.", "St."), so they always apply.
    a = {
      titles: new Set([...(TITLE_ABBREVIATIONS[lang] ?? []), ...TITLE_ABBREVIATIONS.en]),
      ambiguous: new Set([...(AMBIGUOUS_ABBREVIATIONS[lang] ?? []), ...AMBIGUOUS_ABBREVIATIONS.en]),
    };
    abbreviationSets.set(lang, a);
  }
  return a;
}

const TERMINAL = /[.!?؟…。！？۔]["'”’»)\]]*$/u;
const LAST_TOKEN = /(?:^|[\s(“"«„‘])([^\s(“"«„‘]+)\.$/u;
const FIRST_WORD = /^[\s"'“”«»„‘’([\-–—]*([\p{L}\p{N}]+)/u;

/** True when the text has cased letters (Latin, Cyrillic, Greek …), unlike Arabic or Hebrew. */
const hasCase = (s: string): boolean => /\p{Lu}|\p{Ll}/u.test(s);

function startsLowercase(s: string): boolean {
  const m = /^[\s"'“”«»„‘’([\-–—]*(\p{L})/u.exec(s);
  return !!m && /\p{Ll}/u.test(m[1]) && m[1] !== m[1].toUpperCase();
}

/** True when ICU's break between `prev` and `next` sits after an abbreviation, an initial or an ordinal. */
function isFalseBreak(prev: string, next: string, lang: string): boolean {
  const p = prev.trimEnd();
  if (startsLowercase(next)) return true; // "“Why?” he asked." — ICU breaks after ? and !
  if (!p.endsWith('.')) return false;
  const m = LAST_TOKEN.exec(p.slice(-40)); // an anchored-at-end regex still scans from the start
  if (!m) return false;
  const token = m[1].toLowerCase();
  const nextWord = (FIRST_WORD.exec(next)?.[1] ?? '').toLowerCase();
  const nextIsFunctionWord = nextWord !== '' && stopwordsFor(lang === 'und' ? 'en' : lang).has(nextWord);
  const abbr = abbreviationsFor(lang);
  if (abbr.titles.has(token)) return true;
  if (/^\p{N}/u.test(next) && NUMBER_ABBREVIATIONS.has(token)) return true; // "No. 5", "Art. 3"
  // Initials ("J. R. R. Tolkien", Arabic "د. محمد"); the next word may be another initial.
  if (/^\p{L}$/u.test(token)) return !nextIsFunctionWord || !hasCase(token) || /^\p{Lu}\./u.test(next);
  // Dotted acronyms ("U.S. Army", "a.m. Monday", "أ.د."): a break only before a function word ("U.S. The …").
  if (/^(?:\p{L}{1,2}\.)+\p{L}{1,2}$/u.test(token)) return !nextIsFunctionWord;
  if (abbr.ambiguous.has(token)) return !nextIsFunctionWord;
  // Ordinal numbers in languages that write them with a dot ("am 3. Oktober").
  if (
    /^\d{1,2}$/.test(token) &&
    ['de', 'da', 'no', 'nb', 'fi', 'cs', 'sk', 'pl', 'hu', 'hr', 'sl', 'sr', 'et', 'lv', 'lt'].includes(lang)
  ) {
    return !nextIsFunctionWord;
  }
  return false;
}

/**
 * Quote depth change of a segment: opening minus closing double quotes. Straight quotes toggle.
 * German and Czech open with „ and close with “; elsewhere “ opens and ” closes.
 */
function quoteDelta(s: string, lang: string): number {
  if (!QUOTE_CHAR.test(s)) return 0;
  const lowOpen =
    lang === 'de' || lang === 'cs' || lang === 'sk' || lang === 'pl' || lang === 'hu' || lang === 'ro' || lang === 'bg';
  let d = 0;
  let straight = 0;
  for (const ch of s) {
    if (ch === '«' || ch === '„') d++;
    else if (ch === '»') d--;
    else if (ch === '“') d += lowOpen ? -1 : 1;
    else if (ch === '”') d--;
    else if (ch === '"') straight++;
  }
  return d + (straight % 2);
}

const QUOTE_CHAR = /["“”«»„]/;

// Quotations longer than this are left split: a missing closing quote must not swallow a paragraph.
const MAX_QUOTE_SEGMENTS = 5;

function repairParagraph(segments: string[], lang: string): string[] {
  const merged: string[] = [];
  for (const seg of segments) {
    const prev = merged[merged.length - 1];
    if (prev !== undefined && isFalseBreak(prev, seg, lang)) merged[merged.length - 1] = `${prev} ${seg}`;
    else merged.push(seg);
  }
  // Quotations that run across sentences ("“A. B,” he said.") become one unit with their attribution.
  const out: string[] = [];
  for (let i = 0; i < merged.length; i++) {
    let depth = quoteDelta(merged[i], lang);
    if (depth <= 0) {
      out.push(merged[i]);
      continue;
    }
    let j = i;
    while (depth > 0 && j + 1 < merged.length && j - i + 1 < MAX_QUOTE_SEGMENTS) {
      j++;
      depth += quoteDelta(merged[j], lang);
    }
    if (depth <= 0 && j > i) {
      out.push(merged.slice(i, j + 1).join(' '));
      i = j;
    } else out.push(merged[i]);
  }
  return out.flatMap((s) => splitLongAtSemicolons(s));
}

// Arabic prose chains clauses with ؛ and ، for a whole paragraph; a summary needs shorter units.
const LONG_SENTENCE_WORDS = 60;
const MIN_CLAUSE_WORDS = 8;
function splitLongAtSemicolons(s: string): string[] {
  // Cheap filters first: this runs on every sentence.
  if (s.length < LONG_SENTENCE_WORDS * 3 || !/[;؛]/.test(s)) return [s];
  const count = (t: string): number => t.split(' ').length;
  if (count(s) <= LONG_SENTENCE_WORDS) return [s];
  const parts = s.split(/(?<=[;؛])\s+/);
  const out: string[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (last !== undefined && (count(last) < MIN_CLAUSE_WORDS || count(part) < MIN_CLAUSE_WORDS))
      out[out.length - 1] = `${last} ${part}`;
    else out.push(part);
  }
  return out;
}

/**
 * Paragraphs of a text: blank lines and newlines separate paragraphs, except in blocks that are
 * hard-wrapped (most lines end mid-sentence at a similar width), whose lines are joined first.
 */
export function paragraphs(text: string): string[] {
  const out: string[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n[ \t\u00A0]*\n/)) {
    const lines = block
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (lines.length >= 3 && isHardWrapped(lines)) {
      let current = '';
      for (const line of lines) {
        current = current ? `${current} ${line}` : line;
        if (TERMINAL.test(line)) {
          out.push(current);
          current = '';
        }
      }
      if (current) out.push(current);
    } else out.push(...lines);
  }
  return out;
}

function isHardWrapped(lines: string[]): boolean {
  const body = lines.slice(0, -1);
  const open = body.map((l, i) => ({ line: l, next: lines[i + 1] })).filter(({ line }) => !TERMINAL.test(line));
  if (open.length < body.length / 2) return false;
  // A wrapped line continues a sentence: the next line does not start with a capital letter
  // (scripts without case, like Arabic, always pass this test).
  const continued = open.filter(({ next }) => !/^[\s"'“«„‘(]*\p{Lu}/u.test(next)).length;
  if (continued < open.length * 0.7) return false;
  const lengths = body.map((l) => l.length).sort((a, b) => a - b);
  const median = lengths[Math.floor(lengths.length / 2)];
  const even = body.filter((l) => l.length >= median * 0.75 && l.length <= median * 1.25).length;
  return median >= 30 && median <= 120 && even >= body.length * 0.6;
}

// Sentences glued without a space ("…to resume.A spokesman", "…society\".But") come from joined HTML
// paragraphs; ICU does not break there. The regex finds the punctuation (a cheap literal scan); the
// callback checks that a word ends before it (two lower-case or two capital letters, or a digit).
const GLUED_BOUNDARY = /["”’»)]?[.!?]["”’»)]?(?=\p{Lu}[\p{Ll} ])/gu;
const WORD_END = /(?:\p{Ll}\p{Ll}|\p{Lu}\p{Lu}|\p{N})$/u;
function unglue(text: string): string {
  return text.replace(GLUED_BOUNDARY, (m: string, offset: number) =>
    WORD_END.test(text.slice(Math.max(0, offset - 2), offset)) ? `${m} ` : m,
  );
}

/** Sentences of `text` in order, with their paragraph and position. */
export function segmentSentences(text: string, lang: string): Sentence[] {
  const seg = sentenceSegmenter(lang);
  const out: Sentence[] = [];
  const paras = paragraphs(text);
  for (let p = 0; p < paras.length; p++) {
    const raw: string[] = [];
    for (const s of seg.segment(unglue(paras[p].replace(/\s+/g, ' ')))) {
      const t = s.segment.trim();
      if (t) raw.push(t);
    }
    for (const t of repairParagraph(raw, lang)) out.push({ text: t, paragraph: p, index: out.length });
  }
  return out;
}
