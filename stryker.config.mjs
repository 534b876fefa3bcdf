// @ts-check
/**
 * StrykerJS for `npm run test:mutation` (README "Testing"), which runs it once per module of
 * scripts/mutation-modules.js with MUTATION_MODULE set to the module's id: the module's files are
 * mutated, only its tests run (for each mutant, only those that cover it), and the results go to the
 * module's own incremental file. Without MUTATION_MODULE, every module at once and nothing incremental.
 */
import { createRequire } from 'node:module';
import process from 'node:process';

const require = createRequire(import.meta.url);
const { MUTATION_MODULES, MUTATION_SCORE_TARGET, mutationFiles } = require('./scripts/mutation-modules.js');

const moduleId = process.env.MUTATION_MODULE;
const modules = moduleId ? MUTATION_MODULES.filter((m) => m.id === moduleId) : MUTATION_MODULES;
if (modules.length === 0) throw new Error(`MUTATION_MODULE=${moduleId} is not in scripts/mutation-modules.js`);
const files = moduleId
  ? mutationFiles(moduleId)
  : { json: 'reports/mutation/mutation.json', html: 'reports/mutation/mutation.html' };

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  mutate: modules.flatMap((m) => m.mutate),
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    config: {
      // src/ and lib/ are roots too, so Jest's --findRelatedTests can map a mutated file to its tests.
      roots: ['<rootDir>/tests', '<rootDir>/src', '<rootDir>/lib', '<rootDir>/lambdas'],
      testMatch: modules.flatMap((m) => m.tests.map((glob) => `<rootDir>/${glob}`)),
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
  // A mutant's tests get three times their time in the initial run plus 30 s before the mutant counts
  // as "timed out" (detected). With Stryker's defaults (1.5 times plus 5 s), runs of the CDK tests that
  // were only slow (a loaded machine loading aws-cdk-lib: up to 40 s) counted as timeouts, i.e. as
  // detected, including equivalent mutants. Only a mutant that really hangs pays the 30 s.
  timeoutFactor: 3,
  timeoutMS: 30_000,
  // Two cores, shared: never more than two test runners.
  concurrency: 2,
  // Re-test only mutants whose code or covering tests changed since the module's file, which is committed.
  incremental: Boolean(moduleId),
  ...(moduleId ? { incrementalFile: files.incremental } : {}),
  reporters: ['progress', 'clear-text', 'html', 'json'],
  htmlReporter: { fileName: files.html },
  jsonReporter: { fileName: files.json },
  thresholds: { high: 90, low: MUTATION_SCORE_TARGET, break: null },
  tempDirName: moduleId ? `.stryker-tmp/${moduleId}` : '.stryker-tmp/all',
  ignorePatterns: [
    '/.stryker-tmp',
    '/reports',
    '/docs',
    '/digest',
    '/demo-digest',
    '/.tmp',
    '/cdk.out',
    '/dist',
    '/test-artifacts',
    '/coverage',
  ],
};
