#!/usr/bin/env node
'use strict';
/**
 * `npm run test:mutation [-- <module id>... [stryker options]]`: StrykerJS once per module of
 * scripts/mutation-modules.js (all of them, or those named), each with only its own tests and its
 * own committed incremental file; then the score per module (scripts/mutation-scores.js), exit 1
 * when one is under the target. Options after the module ids go to every `stryker run`
 * (`-- http --checkers typescript`, `-- config --force`).
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { MUTATION_MODULES, mutationFiles } = require('./mutation-modules.js');
const { stripIncrementalFile } = require('./mutation-incremental.js');
const { printScores } = require('./mutation-scores.js');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('-'));
const ids = firstOption === -1 ? args : args.slice(0, firstOption);
const strykerOptions = firstOption === -1 ? [] : args.slice(firstOption);

const unknown = ids.filter((id) => !MUTATION_MODULES.some((m) => m.id === id));
if (unknown.length > 0) {
  process.stderr.write(
    `Unknown module ${unknown.join(', ')}; the modules are: ${MUTATION_MODULES.map((m) => m.id).join(', ')}\n`,
  );
  process.exit(2);
}
const modules = ids.length > 0 ? MUTATION_MODULES.filter((m) => ids.includes(m.id)) : MUTATION_MODULES;

let failedRuns = 0;
for (const m of modules) {
  process.stdout.write(`\n=== ${m.name} (${m.id}): ${m.mutate.join(' ')} ===\n`);
  const run = spawnSync('npx', ['stryker', 'run', ...strykerOptions], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, MUTATION_MODULE: m.id },
  });
  if (run.status !== 0) {
    process.stderr.write(`stryker run failed for ${m.id} (exit ${run.status ?? run.signal})\n`);
    failedRuns += 1;
    continue;
  }
  stripIncrementalFile(path.join(root, mutationFiles(m.id).incremental));
}
const allAtTarget = printScores(modules);
process.exitCode = failedRuns > 0 || !allAtTarget ? 1 : 0;
