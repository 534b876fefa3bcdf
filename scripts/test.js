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

// The browser tests drive Debian's Chromium (no browser download: the machines reach only the npm
// and Debian registries). On a fresh machine where we are root with apt-get, install it first so
// `npm test` works as the README says; elsewhere say how, and the browser tests fail with that hint.
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  const canApt = process.getuid && process.getuid() === 0 && fs.existsSync('/usr/bin/apt-get');
  if (canApt) {
    process.stdout.write('Chromium is missing: installing Debian packages chromium and fonts-noto-core (one-time)...\n');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-noto-core', 'fonts-dejavu-core'], { stdio: 'inherit', env });
  } else {
    process.stdout.write(
      `Browser tests need Chromium at ${chromium}: install it with "sudo apt-get install chromium fonts-noto-core" (or set CHROMIUM_PATH).\n`,
    );
  }
}
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
