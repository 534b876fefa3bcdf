/**
 * Where each Lambda's code lives and how it is bundled. Shared by the stack (NodejsFunction),
 * by `npm run bench:bundle` and by the handler tests, so what they measure and run is exactly
 * what `cdk deploy` ships.
 */
import fs from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** Handler entry files (each exports `handler`). */
export const HANDLER_ENTRIES = {
  fetch: path.join(PROJECT_ROOT, 'lambdas', 'fetch.ts'),
  summarize: path.join(PROJECT_ROOT, 'lambdas', 'summarize.ts'),
  subscribe: path.join(PROJECT_ROOT, 'lambdas', 'subscribe.ts'),
} as const;

export type HandlerName = keyof typeof HANDLER_ENTRIES;

/** The Lambda runtime's Node.js major version; esbuild targets it. */
export const NODE_TARGET = 'node22';

/**
 * Import substitutions that shrink the bundles without changing behaviour:
 * - iconv-lite: cheerio's encoding-sniffer and whatwg-encoding each pin their own 0.6 copy (~0.3 MB
 *   of tables apiece); every importer gets the project's single copy instead.
 * - undici: cheerio loads it only for `cheerio.fromURL`, which nothing here calls (requests go
 *   through src/http); a stub that throws if ever used replaces ~0.5 MB.
 */
export const BUNDLE_ALIASES: Record<string, string> = {
  'iconv-lite': path.join(PROJECT_ROOT, 'node_modules', 'iconv-lite'),
  undici: path.join(PROJECT_ROOT, 'lib', 'bundle-stubs', 'undici.js'),
};

/**
 * Packages kept out of index.js and shipped beside it (node_modules/<name>/…), because they are
 * large and loaded lazily: tinyld's language model is 0.6 MB of data that src/lang requires only
 * when a text's language must be detected. Inside index.js every cold start would parse it.
 */
export const SIDE_PACKAGES: { module: string; name: string; files: string[] }[] = [
  { module: 'tinyld', name: 'tinyld', files: ['package.json', 'dist/tinyld.normal.node.js'] },
];

/** Shell commands (run after esbuild) that copy the side packages into a bundle folder. */
export function sidePackageCopyCommands(outputDir: string, quote: (s: string) => string): string[] {
  return SIDE_PACKAGES.flatMap((pkg) =>
    pkg.files.map((file) => {
      const target = path.join(outputDir, 'node_modules', pkg.name, file);
      return `mkdir -p ${quote(path.dirname(target))} && cp ${quote(path.join(PROJECT_ROOT, 'node_modules', pkg.name, file))} ${quote(target)}`;
    }),
  );
}

/** Copy the side packages into a bundle folder (bench and tests, without a shell). */
export function copySidePackages(outputDir: string): void {
  for (const pkg of SIDE_PACKAGES) {
    for (const file of pkg.files) {
      const target = path.join(outputDir, 'node_modules', pkg.name, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(PROJECT_ROOT, 'node_modules', pkg.name, file), target);
    }
  }
}

/**
 * esbuild settings common to every function, in NodejsFunction's vocabulary. The AWS SDK is
 * bundled (not taken from the runtime) so the deployed code runs the SDK version the tests ran;
 * UTF-8 output keeps non-ASCII data (language models, stop words) at its real size instead of
 * \uXXXX escapes.
 */
export const BUNDLE_SETTINGS = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: NODE_TARGET,
  bundleAwsSDK: true,
  externalModules: SIDE_PACKAGES.map((pkg) => pkg.module),
  esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) },
};

/** The same settings for esbuild's JS API (bench and handler tests build the bundles themselves). */
export function esbuildOptionsFor(handler: HandlerName, outfile: string) {
  return {
    entryPoints: [HANDLER_ENTRIES[handler]],
    outfile,
    bundle: true,
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourceMap,
    sourcesContent: BUNDLE_SETTINGS.sourcesContent,
    target: NODE_TARGET,
    platform: 'node' as const,
    format: 'cjs' as const,
    charset: 'utf8' as const,
    alias: BUNDLE_ALIASES,
    external: SIDE_PACKAGES.map((pkg) => pkg.module),
    logLevel: 'silent' as const,
  };
}
