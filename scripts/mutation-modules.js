'use strict';
/**
 * The modules that guard users, and the tests that guard them: the one list `npm run test:mutation`
 * mutates and scores (scripts/test-mutation.js, stryker.config.mjs, scripts/mutation-scores.js). To put
 * a module under mutation testing, add a row: `id` names it on the command line and its files in
 * reports/; `mutate` and `tests` are globs from the repository root.
 *
 * Each module runs with only its own tests: Jest then finds a mutant's tests among a few files, not
 * the whole suite, which makes a run several times faster on two cores.
 */
const MUTATION_MODULES = [
  {
    id: 'http',
    name: 'http (fetcher, SSRF screen, caps, redaction)',
    mutate: ['src/http/**/*.ts'],
    tests: ['tests/http/**/*.test.ts'],
  },
  { id: 'feed-dates', name: 'feed dates', mutate: ['src/feeds/dates.ts'], tests: ['tests/feeds/dates.test.ts'] },
  {
    id: 'subscriptions',
    name: 'subscriptions',
    mutate: ['src/subscriptions/**/*.ts'],
    tests: ['tests/subscriptions/**/*.test.ts'],
  },
  {
    id: 'delivery',
    name: 'delivery',
    mutate: ['src/delivery/**/*.ts'],
    tests: ['tests/delivery/**/*.test.ts', 'tests/email/weekly-delivery.test.ts', 'tests/channels/**/*.test.ts'],
  },
  { id: 'config', name: 'config', mutate: ['src/config/**/*.ts'], tests: ['tests/config/**/*.test.ts'] },
  { id: 'render-escaping', name: 'render escaping', mutate: ['src/html/index.ts'], tests: ['tests/render/html.test.ts'] },
  // The stack's IAM through a small stack of its own: stack.test.ts bundles every function (a minute
  // per run), too slow to run for each mutant.
  { id: 'stack-iam', name: 'stack IAM', mutate: ['lib/store-grants.ts'], tests: ['tests/cdk/store-grants.test.ts'] },
];

/** Hold every module at this mutation score or above. */
const MUTATION_SCORE_TARGET = 85;

/** A module's committed incremental file and its (uncommitted) JSON and HTML reports. */
const mutationFiles = (id) => ({
  incremental: `reports/mutation-incremental/${id}.json`,
  json: `reports/mutation/${id}.json`,
  html: `reports/mutation/${id}.html`,
});

module.exports = { MUTATION_MODULES, MUTATION_SCORE_TARGET, mutationFiles };
