#!/usr/bin/env node
'use strict';
/**
 * Keeps a committed incremental file (reports/mutation-incremental/<module>.json) free of this
 * machine's paths. Stryker stores each killed mutant's failure message with its stack trace (absolute
 * paths into the sandbox); the incremental run needs only statuses and which tests covered and killed
 * each mutant, so the messages are dropped. `node scripts/mutation-incremental.js <file>...` after a
 * hand-run `stryker run`; scripts/test-mutation.js calls it for every module.
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function stripIncrementalFile(file) {
  if (!fs.existsSync(file)) return;
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const result of Object.values(report.files)) {
    for (const mutant of result.mutants) delete mutant.statusReason;
  }
  // The run's root folder and options (with this checkout's path) are informative only.
  delete report.projectRoot;
  delete report.config;
  const text = JSON.stringify(report);
  if (text.includes(root)) throw new Error(`${file} still names ${root}`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

module.exports = { stripIncrementalFile };

if (require.main === module) {
  for (const file of process.argv.slice(2)) stripIncrementalFile(path.resolve(file));
}
