/**
 * Golden summaries: one folder per case under tests/summarize/golden/<case>/ with the expected
 * sentences; `UPDATE_GOLDEN=1 npx jest tests/summarize` rewrites them for review in the diff.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from '../../src/summarize';
import { expectGolden } from '../helpers/golden';

const GOLDEN = join(__dirname, 'golden');

function golden(name: string, actual: unknown): void {
  expectGolden(join(GOLDEN, name, 'expected.json'), `${JSON.stringify(actual, null, 2)}\n`);
}

/** `count` sentences of `body`, verbatim and in their original order, 40–90 words in all. */
function expectExtractedInOrder(summary: string[], body: string, count: number): void {
  expect(summary).toHaveLength(count);
  const positions = summary.map((s) => body.indexOf(s));
  expect(positions.every((p) => p >= 0)).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  const words = summary.join(' ').split(/\s+/).length;
  expect(words).toBeGreaterThanOrEqual(40);
  expect(words).toBeLessThanOrEqual(90);
}

/**
 * The seed article's body: the paragraphs after the correspondent line, without the photo
 * captions (lines ending with a parenthesized credit) and without the last two lines (page chrome).
 */
function seedArticle(): { title: string; body: string } {
  const lines = readFileSync(join(__dirname, '..', 'fixtures', 'seed', 'ar-defense-deal.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const start = lines.findIndex((l) => l.startsWith('مراسل')) + 1;
  const body = lines
    .slice(start, -2)
    .filter((l) => !/\([^()]+\)$/.test(l))
    .join('\n');
  return { title: lines[0], body };
}

describe('golden: seed article ar-defense-deal (Arabic)', () => {
  const { title, body } = seedArticle();
  const summary = summarize(body, { lang: 'ar', maxSentences: 3, title });

  test('body extraction is as the brief describes', () => {
    expect(body.startsWith('المغرب – قال مسؤول دفاع إسرائيلي كبير')).toBe(true);
    expect(body).not.toContain('(وزارة الدفاع)');
    expect(body).not.toContain('اقرأ المزيد');
    expect(body.endsWith('قال بالتي.')).toBe(true);
  });

  test('three sentences in Arabic, original order, 40–90 words', () => {
    expectExtractedInOrder(summary, body, 3);
    expect(summary.join(' ')).not.toMatch(/[A-Za-z]/);
  });

  test('says who signed what, where and when, and what the agreement allows', () => {
    const text = summary.join(' ');
    expect(text).toContain('غانتس'); // who: Defense Minister Benny Gantz
    expect(text).toContain('مذكرة تفاهم'); // what: a memorandum of understanding
    expect(text).toMatch(/المغرب|الرباط/); // where: Morocco, Rabat
    expect(text).toContain('الأربعاء'); // when: Wednesday
    expect(text).toContain('تبادل المعلومات'); // allows: intelligence sharing …
    expect(text).toMatch(/التدريبات|تدريبات مشتركة/); // … and joint exercises
    expect(text).not.toMatch(/^المغرب –/); // dateline removed
  });

  test('matches the golden file', () => {
    golden('ar-defense-deal', summary);
  });
});

/** Cases written for this suite: input.txt (first line = title, then the body) and meta.json. */
const cases = readdirSync(GOLDEN).filter((d) => existsSync(join(GOLDEN, d, 'input.txt')));

describe.each(cases)('golden: %s', (name) => {
  const [title, ...bodyLines] = readFileSync(join(GOLDEN, name, 'input.txt'), 'utf8')
    .trimEnd()
    .split('\n');
  const body = bodyLines.join('\n');
  const meta = JSON.parse(readFileSync(join(GOLDEN, name, 'meta.json'), 'utf8')) as { lang: string; maxSentences: number };
  const summary = summarize(body, { lang: meta.lang, maxSentences: meta.maxSentences, title });

  test('extracted sentences only, in order, within the length prior, no boilerplate', () => {
    expectExtractedInOrder(summary, body, meta.maxSentences);
    expect(summary.join(' ')).not.toMatch(/Read more|Lire aussi|PUBLISHED|Publié le|^By |^Par |\?$|\(Photo/m);
  });

  test('matches the golden file', () => {
    golden(name, summary);
  });
});
