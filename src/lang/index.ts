/** Language tags, detection and writing direction, shared by extraction, summaries and rendering. */
import type * as Tinyld from 'tinyld';
import type { TextDirection } from '../types';

// tinyld's normal model (0.6 MB, ~50 MB in memory; the heavy one costs ~120 MB for no gain on the
// languages news comes in). Loaded on first use, so processes that never detect never pay for it.
let tinyld: typeof Tinyld | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const detect = (text: string): string => (tinyld ??= require('tinyld') as typeof Tinyld).detect(text);

const RTL_LANGS = new Set(['ar', 'he', 'iw', 'fa', 'ur', 'ps', 'yi', 'dv', 'sd', 'ug', 'ckb', 'syr', 'arc', 'nqo']);
const RTL_SCRIPTS = new Set(['arab', 'hebr', 'thaa', 'syrc', 'nkoo', 'adlm', 'rohg']);

/** Normalize a language tag ("EN_us" → "en-US"); "" when it is not a plausible BCP 47 tag. */
export function normalizeLang(tag: string | undefined | null): string {
  if (!tag) return '';
  const t = String(tag).trim().replace(/_/g, '-');
  if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(t)) return '';
  try {
    return Intl.getCanonicalLocales(t)[0] ?? '';
  } catch {
    return '';
  }
}

/** Writing direction of a language tag: ar, he, fa, ur, ps, yi, dv, ku-Arab … are right-to-left. */
export function dirForLang(tag: string | undefined): TextDirection {
  const norm = normalizeLang(tag);
  if (!norm) return 'ltr';
  const parts = norm.toLowerCase().split('-');
  const script = parts.find((p, i) => i > 0 && p.length === 4);
  if (script) return RTL_SCRIPTS.has(script) ? 'rtl' : 'ltr';
  return RTL_LANGS.has(parts[0] ?? '') ? 'rtl' : 'ltr';
}

/** Direction from the text itself: the first strong character (as `dir="auto"` does). */
export function dirForText(text: string): TextDirection {
  const m =
    /[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF\u3040-\u30FF\u4E00-\u9FFF\uAC00-\uD7AF]|[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/.exec(
      text,
    );
  return m && /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/.test(m[0]) ? 'rtl' : 'ltr';
}

/** Detect the language of a text (ISO 639-1), "" when unsure. Looks at most at the first 2,000 characters. */
export function detectLang(text: string): string {
  const sample = text.slice(0, 2000);
  if (sample.replace(/\s+/g, '').length < 12) return '';
  return normalizeLang(detect(sample));
}
