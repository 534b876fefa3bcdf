import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The seed Arabic article as scraped, split into its parts (see tests/fixtures/seed/). */
export function seedArticle(): {
  headline: string;
  standfirst: string;
  correspondent: string;
  captions: string[];
  body: string[];
  tail: string[];
} {
  const lines = readFileSync(path.join(__dirname, '..', 'fixtures', 'seed', 'ar-defense-deal.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const isCaption = (l: string): boolean =>
    /\((وزارة الدفاع|AP \/ Mosa’ab Elshamy|فاضل السنا \/ وكالة الصحافة الفرنسية)\)$/.test(l);
  const rest = lines.slice(5, -2);
  return {
    headline: lines[0],
    standfirst: lines[3],
    correspondent: lines[4],
    captions: [...new Set(rest.filter(isCaption))],
    body: rest.filter((l) => !isCaption(l)),
    tail: lines.slice(-2),
  };
}
