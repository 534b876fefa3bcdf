#!/usr/bin/env node
'use strict';
// In a checkout, run the TypeScript source through tsx (never a stale build); in an installed
// package (no src/), run the compiled dist/.
const path = require('node:path');
const fs = require('node:fs');
const source = path.join(__dirname, '..', 'src', 'cli', 'main.ts');
let cli;
if (fs.existsSync(source)) {
  require('tsx/cjs');
  cli = require(source);
} else {
  cli = require(path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js'));
}
cli.main(process.argv);
