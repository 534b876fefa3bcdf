/* global module */
/**
 * Import rules for src/, checked by tests/architecture/imports.test.ts (dependency-cruiser):
 * no import cycle between files (type-only imports included), and the runtime code never imports
 * the CDK app (lib/) nor aws-cdk-lib. Cycles between the stage folders are checked by the test.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order matter and the modules one tangle: move the shared part into its own module.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-not-to-lib',
      severity: 'error',
      comment: 'Runtime code never imports the CDK app.',
      from: { path: '^src/' },
      to: { path: '^lib/' },
    },
    {
      name: 'src-not-to-aws-cdk-lib',
      severity: 'error',
      comment: 'Runtime code never imports aws-cdk-lib (it is a devDependency and would not be bundled).',
      from: { path: '^src/' },
      to: { path: '^(node_modules/)?(aws-cdk-lib|constructs)(/|$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle of types is still a tangle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
