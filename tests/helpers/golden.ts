/**
 * Golden files: compared as text. With UPDATE_GOLDEN=1 a golden that differs is rewritten and the
 * test then fails, naming the file: a changed expectation always ends in a diff someone reads,
 * never in a run that passes because it just wrote its own answer.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

export function expectGolden(file: string, actual: string): void {
  const expected = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (UPDATE_GOLDEN && expected !== actual) {
    writeFileSync(file, actual);
    throw new Error(
      `Golden file ${relative(process.cwd(), file)} was rewritten: review it with git diff, then run the tests again without UPDATE_GOLDEN.`,
    );
  }
  if (expected === undefined)
    throw new Error(`Golden file ${relative(process.cwd(), file)} is missing: create it with UPDATE_GOLDEN=1`);
  expect(actual).toBe(expected);
}
