'use strict';
/**
 * The modules that guard users, and the tests that guard them: the one list `npm run test:mutation`
 * mutates (stryker.config.mjs) and scores per module (scripts/mutation-scores.js). To put a module
 * under mutation testing, add a row; `mutate` and `tests` are globs from the repository root.
 * Globs that match nothing yet (src/delivery/**) are fine: they are picked up when the code lands.
 */
const MUTATION_MODULES = [
  { name: 'http (fetcher, SSRF screen, caps, redaction)', mutate: ['src/http/**/*.ts'], tests: ['tests/http/**/*.test.ts'] },
  { name: 'feed dates', mutate: ['src/feeds/dates.ts'], tests: ['tests/feeds/dates.test.ts'] },
  { name: 'subscriptions', mutate: ['src/subscriptions/**/*.ts'], tests: ['tests/subscriptions/**/*.test.ts'] },
  {
    name: 'delivery',
    mutate: ['src/delivery/**/*.ts'],
    tests: ['tests/delivery/**/*.test.ts', 'tests/email/weekly-delivery.test.ts', 'tests/channels/**/*.test.ts'],
  },
  { name: 'config', mutate: ['src/config/**/*.ts'], tests: ['tests/config/**/*.test.ts'] },
  { name: 'render escaping', mutate: ['src/html/index.ts'], tests: ['tests/render/html.test.ts'] },
  // The stack's IAM through a small stack of its own: stack.test.ts bundles every function (a minute
  // per run), too slow to run for each mutant.
  { name: 'stack IAM', mutate: ['lib/store-grants.ts'], tests: ['tests/cdk/store-grants.test.ts'] },
];

/** Hold every module at this mutation score or above. */
const MUTATION_SCORE_TARGET = 85;

module.exports = { MUTATION_MODULES, MUTATION_SCORE_TARGET };
