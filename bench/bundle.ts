/**
 * `npm run bench:bundle`: measure each Lambda's code asset exactly as `cdk deploy` uploads it, read
 * from a synthesized cloud assembly: the size of index.js (against the 1.5 MB target), gzipped, and of
 * the whole asset folder (index.js, its source map, config.json, the side packages), and its cold-load
 * time, i.e. the time to `require()` the asset's index.js in a fresh Node process (what a Lambda cold
 * start pays before the handler runs), with source maps enabled as deployed.
 *
 *   npm run bench:bundle [-- --cdk-out DIR] [-- --config FILE] [-- --runs 7] [-- --only fetch,summarize] [-- --json]
 *
 * --cdk-out DIR  measure an assembly already synthesized (`npx cdk synth -o DIR ...`); without it the
 *                app is synthesized into a temporary folder, as `npm run synth` does (cdk-nag included)
 * --config FILE  the configuration to synthesize (default lib/example.config.yaml)
 *
 * Targets (issue 7): ≤ 1.5 MB index.js per function, ≤ 300 ms cold load.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildApp } from '../lib/app';
import { PROJECT_ROOT } from '../lib/handlers';
import { argValue, helpIfAsked } from './harness';

helpIfAsked(__filename);

const SIZE_TARGET = 1.5 * 1024 * 1024;
const LOAD_TARGET_MS = 300;

const runs = Math.max(1, Number(argValue('runs') ?? process.env.BENCH_RUNS ?? 5));
const only = argValue('only')?.split(',');

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A deployed function: its name (fetch, summarize, subscribe) and its code asset folder. */
interface DeployedFunction {
  name: string;
  assetDir: string;
}

/** Synthesize the app into `outdir` exactly as `npm run synth` does (bundling and cdk-nag included). */
async function synthesize(configFile: string, outdir: string): Promise<void> {
  const { app } = await buildApp({ configFile, appProps: { outdir } });
  app.synth();
}

/**
 * Every Lambda function in the assembly's templates with its asset folder, named by its Powertools
 * service name (`rss-digest-fetch` → fetch), else its logical ID. The folder is the one the stack's
 * asset manifest uploads to the function's S3 key, i.e. exactly what is deployed.
 */
function deployedFunctions(assemblyDir: string): DeployedFunction[] {
  type Resource = {
    Type: string;
    Properties?: { Code?: { S3Key?: unknown }; Environment?: { Variables?: Record<string, string> } };
  };
  type AssetManifest = {
    files?: Record<string, { source: { path?: string }; destinations: Record<string, { objectKey: string }> }>;
  };
  const files = readdirSync(assemblyDir);
  const folderOfKey = new Map<string, string>();
  for (const file of files.filter((f) => f.endsWith('.assets.json'))) {
    const manifest = JSON.parse(readFileSync(path.join(assemblyDir, file), 'utf8')) as AssetManifest;
    for (const asset of Object.values(manifest.files ?? {})) {
      if (!asset.source.path) continue;
      for (const destination of Object.values(asset.destinations)) {
        folderOfKey.set(destination.objectKey, path.resolve(assemblyDir, asset.source.path));
      }
    }
  }
  const found: DeployedFunction[] = [];
  for (const file of files.filter((f) => f.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(path.join(assemblyDir, file), 'utf8')) as { Resources?: Record<string, Resource> };
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      const key = resource.Properties?.Code?.S3Key;
      const assetDir = typeof key === 'string' ? folderOfKey.get(key) : undefined;
      if (resource.Type !== 'AWS::Lambda::Function' || !assetDir) continue;
      const service = resource.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME;
      found.push({ name: service?.replace(/^rss-digest-/, '') ?? logicalId, assetDir });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Total bytes of the files under `dir`: what the asset zip holds before compression. */
function folderBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

/**
 * Time to require the bundle, measured inside a new Node process (no warm module cache): wall clock,
 * and CPU time (user + system), which is what a busy shared machine distorts least.
 */
function coldLoad(file: string): { wallMs: number; cpuMs: number } {
  const script = `const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint(); require(${JSON.stringify(file)});
    const wall = Number(process.hrtime.bigint() - t0) / 1e6; const cpu = process.cpuUsage(c0);
    process.stdout.write(JSON.stringify({ wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000 }));`;
  const out = execFileSync(process.execPath, ['--enable-source-maps', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_REGION: process.env.AWS_REGION ?? 'us-east-1' },
  });
  return JSON.parse(out) as { wallMs: number; cpuMs: number };
}

/** The files shipped beside index.js under node_modules/ (loaded only on first use), with their sizes. */
function sideFiles(assetDir: string): string[] {
  const modules = path.join(assetDir, 'node_modules');
  if (!existsSync(modules)) return [];
  return readdirSync(modules, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .map((file) => `${path.relative(modules, file)} ${mb(statSync(file).size)}`);
}

async function main(): Promise<void> {
  const given = argValue('cdk-out');
  const assemblyDir = given ? path.resolve(given) : mkdtempSync(path.join(os.tmpdir(), 'rss-digest-cdk-out-'));
  const rows: {
    name: string;
    bytes: number;
    gzip: number;
    assetBytes: number;
    loadMs: number;
    minLoadMs: number;
    cpuMs: number;
  }[] = [];
  try {
    if (!given) {
      const configFile = path.resolve(argValue('config') ?? path.join(PROJECT_ROOT, 'lib', 'example.config.yaml'));
      process.stdout.write(`Synthesizing ${path.relative(PROJECT_ROOT, configFile)} ...\n`);
      await synthesize(configFile, assemblyDir);
    }
    const functions = deployedFunctions(assemblyDir).filter((fn) => !only || only.includes(fn.name));
    if (functions.length === 0) throw new Error(`no Lambda function assets in ${assemblyDir}`);
    process.stdout.write(
      `Lambda code assets as deployed (${given ?? 'synthesized'}; cold load on Node ${process.version}, median of ${runs})\n\n`,
    );
    for (const fn of functions) {
      const indexFile = path.join(fn.assetDir, 'index.js');
      const code = readFileSync(indexFile);
      const loads = Array.from({ length: runs }, () => coldLoad(indexFile));
      const walls = loads.map((l) => l.wallMs);
      const row = {
        name: fn.name,
        bytes: code.length,
        gzip: gzipSync(code).length,
        assetBytes: folderBytes(fn.assetDir),
        loadMs: median(walls),
        minLoadMs: Math.min(...walls),
        cpuMs: median(loads.map((l) => l.cpuMs)),
      };
      rows.push(row);
      const sizeOk = row.bytes <= SIZE_TARGET ? 'ok' : 'OVER';
      const loadOk = row.loadMs <= LOAD_TARGET_MS ? 'ok' : 'OVER';
      process.stdout.write(
        `${fn.name.padEnd(10)} index.js ${mb(row.bytes).padStart(9)} (${sizeOk} ≤ 1.5 MB)  gzip ${mb(row.gzip)}  asset folder ${mb(row.assetBytes)}  cold load ${row.loadMs.toFixed(0)} ms (${loadOk} ≤ ${LOAD_TARGET_MS} ms; min ${row.minLoadMs.toFixed(0)}, cpu ${row.cpuMs.toFixed(0)})\n`,
      );
      process.stdout.write(`           beside it, loaded on first use: ${sideFiles(fn.assetDir).join(', ')}\n`);
    }
  } finally {
    if (!given) rmSync(assemblyDir, { recursive: true, force: true });
  }
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(rows) + '\n');
  if (rows.some((r) => r.bytes > SIZE_TARGET)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:bundle: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
