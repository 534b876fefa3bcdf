#!/usr/bin/env node
'use strict';
/**
 * After `stryker run`: keeps the committed incremental file (reports/stryker-incremental.json) free of
 * this machine's paths. Stryker stores each killed mutant's failure message with its stack trace
 * (absolute paths into the sandbox); the incremental run needs only statuses and which tests covered
 * and killed each mutant, so the messages are dropped.
 */
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'reports', 'stryker-incremental.json');
if (fs.existsSync(file)) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const result of Object.values(report.files)) {
    for (const mutant of result.mutants) delete mutant.statusReason;
  }
  // The run's root folder and options (with this checkout's path) are informative only.
  delete report.projectRoot;
  delete report.config;
  const root = path.join(__dirname, '..');
  const text = JSON.stringify(report);
  if (text.includes(root)) throw new Error(`${file} still names ${root}`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
