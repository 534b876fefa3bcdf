// @ts-check
/**
 * StrykerJS for `npm run test:mutation` (README "Testing"): mutates the modules listed in
 * scripts/mutation-modules.js and runs, for each mutant, only the Jest tests that cover it.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { MUTATION_MODULES, MUTATION_SCORE_TARGET } = require('./scripts/mutation-modules.js');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  mutate: MUTATION_MODULES.flatMap((m) => m.mutate),
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    config: {
      // src/ and lib/ are roots too, so Jest's --findRelatedTests can map a mutated file to its tests.
      roots: ['<rootDir>/tests', '<rootDir>/src', '<rootDir>/lib', '<rootDir>/lambdas'],
      testMatch: MUTATION_MODULES.flatMap((m) => m.tests.map((glob) => `<rootDir>/${glob}`)),
    },
    enableFindRelatedTests: true,
  },
  coverageAnalysis: 'perTest',
  // Static mutants (code that runs once when a module loads: the zod schema, constant tables) would
  // each run every related test file: 21% of the mutants, 83% of the time. They are reported as
  // Ignored, and the score is over the mutants that tests reach one by one.
  ignoreStatic: true,
  // The TypeScript checker is off by default: on two shared cores it takes one of the two slots and
  // two and a half minutes to start. Opt in with `npm run test:mutation -- --checkers typescript`
  // (fast mode: mutants checked in groups, only the files they can affect).
  checkers: [],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // Two cores, shared: never more than two test runners.
  concurrency: 2,
  // Re-test only mutants whose code or covering tests changed since this file, which is committed.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['progress', 'clear-text', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: MUTATION_SCORE_TARGET, break: null },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['/docs', '/digest', '/demo-digest', '/.tmp', '/cdk.out', '/dist', '/test-artifacts', '/coverage'],
};
