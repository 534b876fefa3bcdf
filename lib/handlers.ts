/**
 * Where each Lambda's code lives and how it is bundled. Shared by the stack (NodejsFunction),
 * by `npm run bench:bundle` and by the handler tests, so what they measure and run is exactly
 * what `cdk deploy` ships.
 */
import { buildSync } from 'esbuild';
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

/**
 * Packages shipped beside index.js as one pre-bundled file (node_modules/<name>/index.js), because
 * the code loads them in a worker thread by resolved path (src/feeds runs rss-parser in a worker
 * under a CPU deadline), which esbuild cannot follow from the handler's imports; or because only
 * some configurations or inputs load them (the SSM client reads an OpenAI key kept as an SSM
 * SecureString: 0.2 MB that every other deployment would parse at each cold start; jschardet is
 * needed only for a body that declares no encoding and is not UTF-8).
 */
export const SIDE_BUNDLES: { module: string; entry: string }[] = [
  { module: 'rss-parser', entry: path.join('node_modules', 'rss-parser', 'index.js') },
  { module: '@aws-sdk/client-ssm', entry: path.join('node_modules', '@aws-sdk', 'client-ssm', 'dist-cjs', 'index.js') },
  // 1.1 MB of encoding statistics, loaded only for a body that declares no encoding and is not UTF-8.
  { module: 'jschardet', entry: path.join('node_modules', 'jschardet', 'build', 'index.cjs') },
];

/** What esbuild leaves out of index.js: the side packages and side bundles above. */
const EXTERNAL_MODULES = [...SIDE_PACKAGES.map((pkg) => pkg.module), ...SIDE_BUNDLES.map((b) => b.module)];

/** esbuild options that pre-bundle a side package into one file. */
const sideBundleOptions = (entry: string, outfile: string) => ({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node' as const,
  format: 'cjs' as const,
  minify: true,
  target: NODE_TARGET,
  charset: 'utf8' as const,
  logLevel: 'error' as const,
});

/** Shell commands (run after esbuild) that put the side packages into a bundle folder. */
export function sidePackageCopyCommands(outputDir: string, quote: (s: string) => string): string[] {
  const copies = SIDE_PACKAGES.flatMap((pkg) =>
    pkg.files.map((file) => {
      const target = path.join(outputDir, 'node_modules', pkg.name, file);
      return `mkdir -p ${quote(path.dirname(target))} && cp ${quote(path.join(PROJECT_ROOT, 'node_modules', pkg.name, file))} ${quote(target)}`;
    }),
  );
  // esbuild's JS API through node (its bin/ may be a JS shim or the native binary, depending on install scripts).
  const bundles = SIDE_BUNDLES.flatMap((b) => {
    const dir = path.join(outputDir, 'node_modules', b.module);
    const options = JSON.stringify(sideBundleOptions(path.join(PROJECT_ROOT, b.entry), path.join(dir, 'index.js')));
    const script = `require(${JSON.stringify(path.join(PROJECT_ROOT, 'node_modules', 'esbuild'))}).buildSync(${options})`;
    return [
      `mkdir -p ${quote(dir)}`,
      `node -e ${quote(script)}`,
      `echo '{"name":"${b.module}","main":"index.js"}' > ${quote(path.join(dir, 'package.json'))}`,
    ];
  });
  return [...copies, ...bundles];
}

/** Put the side packages into a bundle folder (bench and tests, without a shell). */
export function copySidePackages(outputDir: string): void {
  for (const pkg of SIDE_PACKAGES) {
    for (const file of pkg.files) {
      const target = path.join(outputDir, 'node_modules', pkg.name, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(PROJECT_ROOT, 'node_modules', pkg.name, file), target);
    }
  }
  for (const b of SIDE_BUNDLES) {
    const dir = path.join(outputDir, 'node_modules', b.module);
    fs.mkdirSync(dir, { recursive: true });
    buildSync(sideBundleOptions(path.join(PROJECT_ROOT, b.entry), path.join(dir, 'index.js')));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: b.module, main: 'index.js' }));
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
  externalModules: EXTERNAL_MODULES,
  esbuildArgs: {
    '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`),
    // Here rather than as `charset`: NodejsFunction never passes its `charset` option to esbuild,
    // so the deployed code came out \uXXXX-escaped (fetch 1.64 MB instead of 1.37 MB).
    '--charset': 'utf8',
  },
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
    external: EXTERNAL_MODULES,
    logLevel: 'silent' as const,
  };
}
