/**
 * HTML character references to text, with the table of HTML named entities that sax (our XML
 * tokenizer) already carries: no second copy of the table in the bundle.
 */
import sax from 'sax';

const NAMED = (sax as unknown as { ENTITIES: Record<string, string | number> }).ENTITIES;

const fromCodePoint = (n: number): string =>
  Number.isFinite(n) && n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : '\uFFFD';

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[xX][0-9a-fA-F]{1,8}|#\d{1,9}|[A-Za-z][A-Za-z0-9]{1,31});/g, (whole, ref: string) => {
    if (ref[0] === '#')
      return fromCodePoint(ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10));
    const v = NAMED[ref] ?? NAMED[ref.toLowerCase()];
    if (v === undefined) return whole;
    return typeof v === 'number' ? String.fromCodePoint(v) : v;
  });
}
