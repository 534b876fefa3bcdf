/**
 * Conformance set in the style of a mature feed parser's suite: one small feed per case under
 * tests/fixtures/feeds/conformance/<failure class>/, each naming its expected values in a header
 * comment ("Expect: title = ...") or, for JSON Feed, an "_expect" member. Every expectation is one
 * check; the suite reports the count and requires at least 95%.
 *
 * conformance.expected.json, beside this file, records per case which checks fail today. A check
 * that passed before and fails now fails the test by case name, whatever the overall rate; a check
 * that newly passes is reported. UPDATE_GOLDEN=1 rewrites the file and fails the run listing what
 * changed, so the new record is read in a diff before it is committed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseFeed } from '../../src/feeds';
import { UPDATE_GOLDEN } from '../helpers/golden';

const ROOT = path.join(__dirname, '../fixtures/feeds/conformance');
const EXPECTED_FILE = path.join(__dirname, 'conformance.expected.json');
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

/** Per case (its file under ROOT): "pass", or the checks (keys) that fail. */
type CaseRecord = 'pass' | { failing: string[] };

function record(failing: string[]): CaseRecord {
  return failing.length === 0 ? 'pass' : { failing: [...failing].sort() };
}

const failingKeys = (r: CaseRecord | undefined): string[] => (r === undefined || r === 'pass' ? [] : r.failing);

/** What differs between the committed record and this run, one line per case. */
function compareRecords(
  expected: Record<string, CaseRecord>,
  actual: Record<string, CaseRecord>,
): { regressions: string[]; improvements: string[]; added: string[]; removed: string[] } {
  const regressions: string[] = [];
  const improvements: string[] = [];
  const added: string[] = [];
  for (const [file, now] of Object.entries(actual)) {
    if (!(file in expected)) {
      added.push(`${file}: not in conformance.expected.json (${JSON.stringify(now)})`);
      continue;
    }
    const before = failingKeys(expected[file]);
    const after = failingKeys(now);
    const broke = after.filter((k) => !before.includes(k));
    const fixed = before.filter((k) => !after.includes(k));
    if (broke.length) regressions.push(`${file}: ${broke.join(', ')} passed before and fails now`);
    if (fixed.length) improvements.push(`${file}: ${fixed.join(', ')} failed before and passes now`);
  }
  const removed = Object.keys(expected)
    .filter((file) => !(file in actual))
    .map((file) => `${file}: in conformance.expected.json but no longer a case`);
  return { regressions, improvements, added, removed };
}

describe('feed conformance set', () => {
  it('gets at least 95% of the expected titles, links, dates and other values right', async () => {
    const cases = loadCases();
    let passed = 0;
    let total = 0;
    const perClass = new Map<string, [number, number]>();
    const failures: string[] = [];
    const records: Record<string, CaseRecord> = {};
    for (const c of cases) {
      const got = await actual(c);
      expect(c.checks.length).toBeGreaterThan(0);
      const failing: string[] = [];
      for (const [key, want] of c.checks) {
        total++;
        const ok = got[key] === want;
        const [p, t] = perClass.get(c.failureClass) ?? [0, 0];
        perClass.set(c.failureClass, [p + (ok ? 1 : 0), t + 1]);
        if (ok) passed++;
        else {
          failing.push(key);
          failures.push(`${c.file}: ${key} expected ${JSON.stringify(want)}, got ${JSON.stringify(got[key] ?? got.error)}`);
        }
      }
      records[c.file.split(path.sep).join('/')] = record(failing);
    }
    const lines = [...perClass].map(([cls, [p, t]]) => `  ${cls}: ${p}/${t}`);
    console.log(
      `conformance: ${passed}/${total} checks passed (${((100 * passed) / total).toFixed(1)}%) over ${cases.length} feeds\n${lines.join('\n')}${failures.length ? `\nfailing:\n  ${failures.join('\n  ')}` : ''}`,
    );
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(passed / total).toBeGreaterThanOrEqual(0.95);

    const expected = fs.existsSync(EXPECTED_FILE)
      ? (JSON.parse(fs.readFileSync(EXPECTED_FILE, 'utf8')) as Record<string, CaseRecord>)
      : {};
    const { regressions, improvements, added, removed } = compareRecords(expected, records);
    const changes = [...regressions, ...improvements, ...added, ...removed];
    if (UPDATE_GOLDEN && changes.length > 0) {
      fs.writeFileSync(EXPECTED_FILE, `${JSON.stringify(records, null, 2)}\n`);
      throw new Error(
        `${path.relative(process.cwd(), EXPECTED_FILE)} was rewritten; review it with git diff, then run the tests again without UPDATE_GOLDEN:\n  ${changes.join('\n  ')}`,
      );
    }
    if (improvements.length || removed.length) {
      console.log(
        `conformance: record these with UPDATE_GOLDEN=1 (then review the diff):\n  ${[...improvements, ...removed].join('\n  ')}`,
      );
    }
    // By name, whatever the overall rate: a check that passed before must still pass.
    expect(regressions).toEqual([]);
    // Every case has a record (a new case is added with UPDATE_GOLDEN=1, like a golden file).
    expect(added).toEqual([]);
  });
});
