#!/usr/bin/env node
'use strict';
/**
 * `npm test`: runs Jest (arguments pass through), then prints the plain closing line
 * "N passed, N failed" from Jest's --json results, so every run's count is on record.
 * A test file that fails to load counts as one failure.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const resultsFile = path.join(root, '.tmp', 'jest-results.json');
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
fs.rmSync(resultsFile, { force: true });

const jest = require.resolve('jest/bin/jest');
const res = spawnSync(process.execPath, [jest, '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});

let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
} catch {
  failed = Math.max(1, failed);
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(res.status === 0 && failed === 0 ? 0 : res.status || 1);
