#!/usr/bin/env node
'use strict';
/**
 * The mutation score of each module of scripts/mutation-modules.js, from its Stryker JSON report
 * (reports/mutation/<module>.json, written by scripts/test-mutation.js); `node
 * scripts/mutation-scores.js` prints the table again, and exits 1 when a module is under the target
 * or has files not measured yet.
 *
 * The score is Stryker's "mutation score": detected / valid mutants, where detected = Killed + Timeout
 * and valid = Killed + Timeout + Survived + NoCoverage (CompileError, RuntimeError and Ignored
 * mutants, i.e. static ones and equivalents marked with a `Stryker disable` comment, do not count).
 */
const fs = require('node:fs');
const path = require('node:path');
const { MUTATION_MODULES, MUTATION_SCORE_TARGET, mutationFiles } = require('./mutation-modules.js');

const root = path.join(__dirname, '..');

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

/** The files on disk a module's globs match, as paths from the repository root. */
function moduleFiles(globs) {
  const patterns = globs.map(globToRegExp);
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (patterns.some((p) => p.test(rel))) found.push(rel);
    }
  };
  for (const top of new Set(globs.map((g) => g.split('/')[0]))) walk(top);
  return found.sort();
}

/** A file of re-exports only (`export … from '…'`) has no mutant, so no place in a report: not a gap. */
function isBarrel(file) {
  const code = fs.readFileSync(path.join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  return code
    .split(';')
    .map((statement) => statement.trim())
    .every((statement) => statement === '' || /^export\b[\s\S]*\bfrom\s*['"][^'"]+['"]$/.test(statement));
}

/** A module's report's files, keyed by their path from the repository root; null before its first run. */
function readReport(id) {
  const file = path.join(root, mutationFiles(id).json);
  if (!fs.existsSync(file)) return null;
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  return Object.fromEntries(
    Object.entries(report.files).map(([name, result]) => [
      path.relative(root, path.resolve(root, name)).split(path.sep).join('/'),
      result,
    ]),
  );
}

/** Prints the table for `modules`; true when every module that has a report is at the target. */
function printScores(modules = MUTATION_MODULES) {
  const rows = modules.map((m) => {
    const files = readReport(m.id);
    if (!files) return { module: m.name, missing: true };
    const c = countStatuses(files, m.mutate);
    const unmeasured = moduleFiles(m.mutate).filter((f) => !(f in files) && !isBarrel(f));
    const detected = c.Killed + c.Timeout;
    const valid = detected + c.Survived + c.NoCoverage;
    const score = valid === 0 ? null : (100 * detected) / valid;
    return { module: m.name, ...c, valid, score, unmeasured };
  });

  const header = ['module', 'score', 'files', 'killed', 'timeout', 'survived', 'no coverage', 'ignored (static or equivalent)'];
  const lines = rows.map((r) =>
    r.missing
      ? [r.module, `not run (npm run test:mutation -- ${modules.find((m) => m.name === r.module).id})`, '', '', '', '', '', '']
      : [
          r.module,
          r.score === null ? 'no mutants' : `${r.score.toFixed(1)}%`,
          r.unmeasured.length === 0 ? `all ${r.files}` : `${r.files} of ${r.files + r.unmeasured.length}`,
          r.Killed,
          r.Timeout,
          r.Survived,
          r.NoCoverage,
          r.Ignored,
        ],
  );
  const table = [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  process.stdout.write(`\nMutation score per module (target ${MUTATION_SCORE_TARGET}%):\n\n${table}\n`);

  const partial = rows.filter((r) => !r.missing && r.unmeasured.length > 0);
  for (const r of partial) {
    process.stdout.write(`\n${r.module}: not measured yet: ${r.unmeasured.join(', ')} (its score covers the other files only)\n`);
  }
  const under = rows.filter((r) => !r.missing && r.score !== null && r.score < MUTATION_SCORE_TARGET);
  if (under.length > 0) {
    process.stdout.write(
      `\nUnder ${MUTATION_SCORE_TARGET}%: ${under.map((r) => r.module).join(', ')} (see reports/mutation/<module>.html)\n`,
    );
  }
  // A module measured in part has not shown that it holds the target.
  return under.length === 0 && partial.length === 0;
}

module.exports = { printScores };

if (require.main === module) {
  if (!printScores()) process.exitCode = 1;
}
