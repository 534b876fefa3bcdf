#!/usr/bin/env node
'use strict';
/**
 * After `stryker run`: prints the mutation score of each module in scripts/mutation-modules.js from
 * Stryker's JSON report (reports/mutation/mutation.json), and exits 1 when one is under the target.
 *
 * The score is Stryker's "mutation score": detected / valid mutants, where detected = Killed + Timeout
 * and valid = Killed + Timeout + Survived + NoCoverage (CompileError, RuntimeError and Ignored
 * mutants, i.e. equivalents marked with a `Stryker disable` comment, do not count).
 */
const fs = require('node:fs');
const path = require('node:path');
const { MUTATION_MODULES, MUTATION_SCORE_TARGET } = require('./mutation-modules.js');

const root = path.join(__dirname, '..');
const reportFile = path.join(root, 'reports', 'mutation', 'mutation.json');

/** A glob from mutation-modules.js (`**`, `*`) as a regular expression on repository paths. */
function globToRegExp(glob) {
  const source = glob
    .split('**/')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('(?:.*/)?');
  return new RegExp(`^${source}$`);
}

/** Status counts of one module's mutants. */
function countStatuses(files, globs) {
  const patterns = globs.map(globToRegExp);
  const counts = { files: 0, Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, invalid: 0 };
  for (const [file, result] of Object.entries(files)) {
    if (!patterns.some((p) => p.test(file))) continue;
    counts.files += 1;
    for (const mutant of result.mutants) {
      if (mutant.status in counts) counts[mutant.status] += 1;
      else counts.invalid += 1; // CompileError, RuntimeError
    }
  }
  return counts;
}

function main() {
  if (!fs.existsSync(reportFile)) {
    process.stderr.write(`No Stryker report at ${path.relative(root, reportFile)}: run "npm run test:mutation" first.\n`);
    process.exit(1);
  }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const files = Object.fromEntries(
    Object.entries(report.files).map(([file, result]) => [
      path.relative(root, path.resolve(root, file)).split(path.sep).join('/'),
      result,
    ]),
  );

  const rows = MUTATION_MODULES.map((m) => {
    const c = countStatuses(files, m.mutate);
    const detected = c.Killed + c.Timeout;
    const valid = detected + c.Survived + c.NoCoverage;
    const score = valid === 0 ? null : (100 * detected) / valid;
    return { module: m.name, ...c, valid, score };
  });

  const header = ['module', 'score', 'killed', 'timeout', 'survived', 'no coverage', 'ignored (static or equivalent)'];
  const lines = rows.map((r) => [
    r.module,
    r.score === null ? 'no mutants' : `${r.score.toFixed(1)}%`,
    r.Killed,
    r.Timeout,
    r.Survived,
    r.NoCoverage,
    r.Ignored,
  ]);
  const table = [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  process.stdout.write(`\nMutation score per module (target ${MUTATION_SCORE_TARGET}%):\n\n${table}\n`);

  const under = rows.filter((r) => r.score !== null && r.score < MUTATION_SCORE_TARGET);
  if (under.length > 0) {
    process.stdout.write(
      `\nUnder ${MUTATION_SCORE_TARGET}%: ${under.map((r) => r.module).join(', ')} (see reports/mutation/mutation.html)\n`,
    );
    process.exitCode = 1;
  }
}

main();
