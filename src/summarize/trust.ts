/**
 * Whether an LLM reply can be published. Cheap checks, no second model: the reply must be
 * non-empty, not too long, in the expected script, free of links, e-mail addresses and markup,
 * and every number and capitalized name in it must occur in the source (the union of a story's
 * articles). A refused reply gives way to the extractive summary; the reason is recorded.
 */
import { segmentSentences } from './sentences';

export type SummaryErrorKind =
  | 'timeout'
  | 'service'
  | 'rate-limited'
  | 'blocked-address'
  | 'malformed'
  | 'empty'
  | 'too-long'
  | 'wrong-language'
  | 'url'
  | 'email'
  | 'markup'
  | 'invented-number'
  | 'invented-name'
  | 'budget';

/** Why an LLM summary was not used; `fallbackReason` is `${kind}: ${message}`. */
export class SummaryError extends Error {
  constructor(
    readonly kind: SummaryErrorKind,
    message: string,
    options?: { cause?: unknown; tokens?: { input: number; output: number } },
  ) {
    super(message, options);
    this.name = 'SummaryError';
    this.tokens = options?.tokens;
  }
  readonly tokens?: { input: number; output: number };
}

/** Refusals of a reply's content: asking again would give the same answer, so they are cached. */
export const REFUSAL_KINDS: ReadonlySet<SummaryErrorKind> = new Set([
  'empty',
  'too-long',
  'wrong-language',
  'url',
  'email',
  'markup',
  'invented-number',
  'invented-name',
]);

export interface ParsedReply {
  sentences: string[];
  /** The translated title, when one was asked for. */
  title?: string;
}

/** Summary sentences of a reply: one per line, bullets, numbering and preambles removed. */
export function parseReply(text: string, lang: string, maxSentences: number, withTitle = false): ParsedReply {
  let lines = text
    .trim()
    .split('\n')
    .map((l) => l.replace(/^\s*(?:[-*•·]|\d+[.)])\s+/, '').trim())
    .filter(Boolean);
  let title: string | undefined;
  // A title line is never a summary sentence, asked for or not.
  const titleLine = lines.findIndex((l) => /^(?:\*\*)?title\s*[:：]/i.test(l));
  if (titleLine >= 0) {
    if (withTitle) title = lines[titleLine].replace(/^(?:\*\*)?title\s*[:：]\s*(?:\*\*)?/i, '').trim() || undefined;
    lines.splice(titleLine, 1);
  }
  // Preambles such as "Summary:" or "Here is the summary in Arabic:".
  lines = lines.filter((l) => !(/[:：]$/.test(l) && l.split(/\s+/).length <= 8) && !/^summary\s*[:：]?$/i.test(l));
  if (lines.length < maxSentences) lines = lines.flatMap((l) => segmentSentences(l, lang).map((s) => s.text));
  // Every line is checked, including those past maxSentences: an extra line is still the model's text.
  return { sentences: lines, ...(title ? { title } : {}) };
}

// Scripts that identify a language's output unambiguously (a summary in English for an Arabic
// article is a failure, not a summary). Languages not listed here are written in Latin script.
const SCRIPT_OF: Record<string, RegExp> = {
  ar: /\p{Script=Arabic}/u,
  fa: /\p{Script=Arabic}/u,
  ur: /\p{Script=Arabic}/u,
  ps: /\p{Script=Arabic}/u,
  he: /\p{Script=Hebrew}/u,
  yi: /\p{Script=Hebrew}/u,
  ru: /\p{Script=Cyrillic}/u,
  uk: /\p{Script=Cyrillic}/u,
  bg: /\p{Script=Cyrillic}/u,
  sr: /\p{Script=Cyrillic}/u,
  mk: /\p{Script=Cyrillic}/u,
  be: /\p{Script=Cyrillic}/u,
  kk: /\p{Script=Cyrillic}/u,
  el: /\p{Script=Greek}/u,
  hi: /\p{Script=Devanagari}/u,
  mr: /\p{Script=Devanagari}/u,
  ne: /\p{Script=Devanagari}/u,
  bn: /\p{Script=Bengali}/u,
  ta: /\p{Script=Tamil}/u,
  th: /\p{Script=Thai}/u,
  ka: /\p{Script=Georgian}/u,
  hy: /\p{Script=Armenian}/u,
  am: /\p{Script=Ethiopic}/u,
  zh: /\p{Script=Han}/u,
  ja: /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u,
  ko: /\p{Script=Hangul}/u,
};
const LATIN = /\p{Script=Latin}/u;

/** Base language of a tag ("pt-BR" → "pt"). */
export const baseOf = (tag: string): string => tag.split(/[-_]/)[0]?.toLowerCase() ?? '';

const scriptOf = (lang: string): RegExp | undefined => (lang && lang !== 'und' ? (SCRIPT_OF[baseOf(lang)] ?? LATIN) : undefined);

/** At least half the letters are in the language's script (unknown language: anything goes). */
export function inExpectedScript(text: string, lang: string): boolean {
  const script = scriptOf(lang);
  const letters = [...text].filter((ch) => /\p{L}/u.test(ch));
  if (letters.length === 0) return false;
  if (!script) return true;
  return letters.filter((ch) => script.test(ch)).length / letters.length >= 0.5;
}

const URL_LIKE = /\b(?:https?:\/\/|www\.)|\b[a-z0-9-]+\.(?:com|org|net|io|info|biz|co|ly|gl|xyz|ru|cn|me|app|dev|ai)(?:\/|\b)/i;
const EMAIL_LIKE = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+\.[\p{L}]{2,}/u;
const MARKUP = /<\/?[a-z][^>]*>|&[a-z]+;|\*\*|__|^\s*#{1,6}\s|\[[^\]]*\]\([^)]*\)|```/im;

const ARABIC_INDIC = /[٠-٩۰-۹]/g;
/** Numbers as digit strings: Arabic-Indic digits mapped, thousands separators and leading zeros dropped. */
function numbersIn(text: string): string[] {
  const western = text.replace(ARABIC_INDIC, (d) => String((d.charCodeAt(0) & 0xf) % 10));
  return (western.match(/\d[\d,.\u066c\u066b\u202f]*\d|\d/g) ?? [])
    .map((n) => n.replace(/[,\u066c\u202f ]/g, '').replace(/[.\u066b]$/, ''))
    .flatMap((n) => [n, ...n.split(/[.\u066b]/)])
    .map((n) => n.replace(/^0+(?=\d)/, ''));
}

/** Whole-word tokens of a text, lower-cased, for the name check. */
const wordsOf = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{M}]+/gu) ?? [];

/**
 * Capitalized words of the reply that do not start a sentence (names, places, organizations), in
 * scripts with case. Possessive endings are dropped ("Gantz's" → "Gantz").
 */
function capitalizedWords(sentences: string[]): string[] {
  const names: string[] = [];
  for (const sentence of sentences) {
    const tokens = sentence.split(/\s+/);
    tokens.forEach((raw, i) => {
      const word = raw.replace(/^[^\p{L}]+/u, '').replace(/(?:['’]s)?[^\p{L}]*$/u, '');
      if (!word || !/^\p{Lu}/u.test(word)) return;
      const afterBreak = i === 0 || /[.!?:;"“«]$/.test(tokens[i - 1]) || /^["“«(]/.test(raw);
      if (afterBreak || word === 'I') return;
      // "Morocco-based", "Al-Qaeda": each capitalized part on its own.
      for (const part of word.split(/[-‐]/)) if (/^\p{Lu}/u.test(part)) names.push(part);
    });
  }
  return names;
}

export interface TrustContext {
  /** Every text the summary may draw on: the article (or each article of a story), titles included. */
  sources: string[];
  /** The language the reply must be written in. */
  lang: string;
  /** The language of the sources; names are only checked when the reply is in the same script. */
  sourceLang: string;
  maxSentences: number;
}

/** Throws a SummaryError naming the first problem; returns the sentences to publish otherwise. */
export function checkReply(reply: ParsedReply, context: TrustContext): string[] {
  const sentences = reply.sentences;
  const all = [...sentences, ...(reply.title ? [reply.title] : [])].join('\n');
  if (!sentences.join('').trim()) throw new SummaryError('empty', 'the reply has no summary text');
  const words = sentences.join(' ').split(/\s+/).filter(Boolean).length;
  const chars = [...sentences.join('')].length;
  // Generous: the prompt asks for about 20 words a sentence; a reply far past that ignored it.
  if (sentences.length > context.maxSentences + 2 || words > context.maxSentences * 45 || chars > context.maxSentences * 320)
    throw new SummaryError(
      'too-long',
      `${sentences.length} sentences, ${words} words for ${context.maxSentences} sentences asked`,
    );
  if (!inExpectedScript(all, context.lang))
    throw new SummaryError('wrong-language', `the reply is not written in ${context.lang}`);
  if (URL_LIKE.test(all)) throw new SummaryError('url', 'the reply contains a link');
  if (EMAIL_LIKE.test(all)) throw new SummaryError('email', 'the reply contains an e-mail address');
  if (MARKUP.test(all)) throw new SummaryError('markup', 'the reply contains markup');

  const source = context.sources.join('\n');
  const sourceNumbers = new Set(numbersIn(source));
  const invented = numbersIn(all).find((n) => !sourceNumbers.has(n));
  if (invented !== undefined) throw new SummaryError('invented-number', `${invented} does not occur in the article`);

  // Names can only be compared within one script: a translation spells them differently.
  const sourceScript = scriptOf(context.sourceLang) ?? LATIN;
  const sameScript = (scriptOf(context.lang) ?? LATIN).source === sourceScript.source;
  if (sameScript && /\p{Lu}/u.test(source)) {
    const known = new Set(wordsOf(source));
    const stems = new Set([...known].filter((w) => w.length >= 5).map((w) => w.slice(0, 5)));
    for (const name of capitalizedWords([...sentences, ...(reply.title ? [reply.title] : [])])) {
      const lower = name.toLowerCase();
      // A word of the source, or an inflection of one ("Moroccan" for "Morocco").
      if (known.has(lower) || (lower.length >= 5 && stems.has(lower.slice(0, 5)))) continue;
      throw new SummaryError('invented-name', `"${name}" does not occur in the article`);
    }
  }
  return sentences.slice(0, context.maxSentences);
}
