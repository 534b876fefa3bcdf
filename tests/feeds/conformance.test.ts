/**
 * Conformance set in the style of a mature feed parser's suite: one small feed per case under
 * tests/fixtures/feeds/conformance/<failure class>/, each naming its expected values in a header
 * comment ("Expect: title = ...") or, for JSON Feed, an "_expect" member. Every expectation is one
 * check; the suite reports the count and requires at least 95%.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseFeed } from '../../src/feeds';

const ROOT = path.join(__dirname, '../fixtures/feeds/conformance');
const DOCUMENT_URL = 'http://example.org/feeds/feed.xml';
const FETCHED_AT = '2030-01-01T00:00:00.000Z';

interface Case {
  file: string;
  failureClass: string;
  checks: [string, unknown][];
  text: string;
}

function loadCases(): Case[] {
  const cases: Case[] = [];
  for (const failureClass of fs.readdirSync(ROOT).sort()) {
    for (const name of fs.readdirSync(path.join(ROOT, failureClass)).sort()) {
      const file = path.join(failureClass, name);
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      let checks: [string, unknown][];
      if (name.endsWith('.json')) {
        checks = (JSON.parse(text) as { _expect: { checks: [string, unknown][] } })._expect.checks;
      } else {
        checks = [...text.matchAll(/^Expect: ([\w.]+) = (.*)$/gm)].map((m) => [m[1], JSON.parse(m[2])]);
      }
      cases.push({ file, failureClass, checks, text });
    }
  }
  return cases;
}

async function actual(c: Case): Promise<Record<string, unknown>> {
  try {
    const feed = await parseFeed(c.text, DOCUMENT_URL, { fetchedAt: FETCHED_AT });
    const item = feed.items[0];
    return {
      'feed.title': feed.title,
      'feed.link': feed.link,
      count: feed.items.length,
      title: item?.title,
      link: item?.link,
      id: item?.id,
      author: item?.author,
      contentText: item?.contentText,
      published: item?.publishedAt === FETCHED_AT ? 'fetchedAt' : item?.publishedAt,
    };
  } catch (err) {
    return { error: (err as { errorClass?: string }).errorClass ?? String(err) };
  }
}

describe('feed conformance set', () => {
  it('gets at least 95% of the expected titles, links, dates and other values right', async () => {
    const cases = loadCases();
    let passed = 0;
    let total = 0;
    const perClass = new Map<string, [number, number]>();
    const failures: string[] = [];
    for (const c of cases) {
      const got = await actual(c);
      expect(c.checks.length).toBeGreaterThan(0);
      for (const [key, want] of c.checks) {
        total++;
        const ok = got[key] === want;
        const [p, t] = perClass.get(c.failureClass) ?? [0, 0];
        perClass.set(c.failureClass, [p + (ok ? 1 : 0), t + 1]);
        if (ok) passed++;
        else failures.push(`${c.file}: ${key} expected ${JSON.stringify(want)}, got ${JSON.stringify(got[key] ?? got.error)}`);
      }
    }
    const lines = [...perClass].map(([cls, [p, t]]) => `  ${cls}: ${p}/${t}`);
    console.log(
      `conformance: ${passed}/${total} checks passed (${((100 * passed) / total).toFixed(1)}%) over ${cases.length} feeds\n${lines.join('\n')}${failures.length ? `\nfailing:\n  ${failures.join('\n  ')}` : ''}`,
    );
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(passed / total).toBeGreaterThanOrEqual(0.95);
  });
});
