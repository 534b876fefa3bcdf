/**
 * Encoding detection for undeclared legacy encodings: which detector (jschardet or chardet) names
 * the right encoding more often on this repository's fixture texts
 * (tests/fixtures/feeds/encodings/<lang>.txt), each encoded in the legacy encodings real feeds in
 * that language use and wrapped in an RSS document with no declaration. Right = decoding with the
 * detected encoding gives back the original text exactly. Sizes: the whole feed (4 items), every
 * item alone (one sentence), and the first three words of each (a headline with one or two
 * accented letters), which is where detectors guess. As in decodeBody, a guess below the
 * detector's confidence floor falls back to windows-1252.
 *   npm run bench:encoding
 */
import fs from 'node:fs';
import path from 'node:path';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import jschardet from 'jschardet';
import { labelToName } from 'whatwg-encoding';
import { helpIfAsked } from './harness';

helpIfAsked(__filename);

const FIXTURES = path.join(__dirname, '../tests/fixtures/feeds/encodings');
export const ENCODINGS_BY_LANG: Record<string, string[]> = {
  ja: ['EUC-JP', 'Shift_JIS'],
  zh: ['GBK'],
  ko: ['EUC-KR'],
  ru: ['KOI8-R', 'windows-1251'],
  ar: ['windows-1256'],
  fr: ['windows-1252'],
  de: ['windows-1252'],
};

const rss = (lines: string[]): string =>
  `<rss version="2.0"><channel><title>${lines[0].slice(0, 20)}</title>` +
  lines
    .map(
      (l, i) =>
        `<item><title>${l.slice(0, 30)}</title><link>http://example.org/${i}</link><description>${l}</description></item>`,
    )
    .join('') +
  `</channel></rss>`;

const decodesRight = (bytes: Buffer, label: string | undefined | null, text: string): boolean => {
  // A WHATWG label, else a name iconv-lite knows (jschardet says CP932 / CP949, the Windows supersets
  // that the WHATWG Shift_JIS and EUC-KR decoders implement).
  const name = label ? (labelToName(label) ?? (iconv.encodingExists(label) ? label : null)) : null;
  return !!name && iconv.encodingExists(name) && iconv.decode(bytes, name) === text;
};

/** Confidence floors: jschardet's own minimum (0.2 of 1); chardet's scale is 0–100. */
const detectors: Record<string, (b: Buffer) => string | undefined> = {
  jschardet: (b) => {
    const r = jschardet.detect(b);
    return r.confidence >= 0.2 ? (r.encoding ?? undefined) : 'windows-1252';
  },
  chardet: (b) => {
    const [best] = chardet.analyse(b);
    return best && best.confidence >= 20 ? best.name : 'windows-1252';
  },
};

const score: Record<string, Record<string, [number, number]>> = {};
for (const [lang, encodings] of Object.entries(ENCODINGS_BY_LANG)) {
  const lines = fs
    .readFileSync(path.join(FIXTURES, `${lang}.txt`), 'utf8')
    .trim()
    .split('\n');
  const samples = [
    { size: 'feed', text: rss(lines) },
    ...lines.map((l) => ({ size: 'item', text: rss([l]) })),
    ...lines.map((l) => ({ size: 'words', text: rss([l.split(' ').slice(0, 3).join(' ')]) })),
  ];
  for (const encoding of encodings)
    for (const sample of samples) {
      const bytes = iconv.encode(sample.text, encoding);
      for (const [name, detect] of Object.entries(detectors)) {
        const row = (score[name] ??= {});
        const key = `${lang} ${encoding} ${sample.size}`;
        const [p, t] = row[key] ?? [0, 0];
        row[key] = [p + (decodesRight(bytes, detect(bytes), sample.text) ? 1 : 0), t + 1];
      }
    }
}
const keys = Object.keys(score.jschardet);
console.log(
  `${'case'.padEnd(28)} ${Object.keys(detectors)
    .map((d) => d.padStart(10))
    .join(' ')}`,
);
for (const k of keys)
  console.log(
    `${k.padEnd(28)} ${Object.keys(detectors)
      .map((d) => `${score[d][k][0]}/${score[d][k][1]}`.padStart(10))
      .join(' ')}`,
  );
for (const d of Object.keys(detectors)) {
  const [p, t] = Object.values(score[d]).reduce(([a, b], [x, y]) => [a + x, b + y], [0, 0]);
  console.log(`${d}: ${p}/${t} = ${((100 * p) / t).toFixed(1)}% right`);
}
