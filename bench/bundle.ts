/**
 * `npm run bench:bundle`: build every Lambda bundle exactly as the stack does (lib/handlers.ts),
 * print its minified size, gzipped size, its largest contributors, and its cold-load time, i.e. the
 * time to `require()` the bundle in a fresh Node process (what a Lambda cold start pays before
 * the handler runs), with source maps enabled as deployed.
 *
 *   npm run bench:bundle [-- --runs 7] [-- --only fetch,summarize]
 *
 * Targets (issue 7): ≤ 1.5 MB minified, ≤ 300 ms cold load.
 */
import { build, type Metafile } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  copySidePackages,
  esbuildOptionsFor,
  HANDLER_ENTRIES,
  PROJECT_ROOT,
  SIDE_BUNDLES,
  SIDE_PACKAGES,
  type HandlerName,
} from '../lib/handlers';
import { argValue, helpIfAsked } from './harness';

helpIfAsked(__filename);

const SIZE_TARGET = 1.5 * 1024 * 1024;
const LOAD_TARGET_MS = 300;

const runs = Math.max(1, Number(argValue('runs') ?? process.env.BENCH_RUNS ?? 5));
const only = argValue('only')?.split(',') as HandlerName[] | undefined;

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Bytes in the output per npm package (or per source folder), largest first. */
function contributors(metafile: Metafile): [string, number][] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
  const totals = new Map<string, number>();
  for (const [file, info] of Object.entries(output?.inputs ?? {})) {
    const parts = file.split('node_modules/');
    const last = parts[parts.length - 1];
    const key =
      parts.length > 1
        ? last
            .split('/')
            .slice(0, last.startsWith('@') ? 2 : 1)
            .join('/')
        : file
            .replace(/^(\.\.\/)+/, '')
            .split('/')
            .slice(0, 2)
            .join('/');
    totals.set(key, (totals.get(key) ?? 0) + info.bytesInOutput);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
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

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rss-digest-bundles-'));
  const names = (Object.keys(HANDLER_ENTRIES) as HandlerName[]).filter(
    (n) => (!only || only.includes(n)) && existsSync(HANDLER_ENTRIES[n]),
  );
  const rows: { name: string; bytes: number; gzip: number; loadMs: number; minLoadMs: number; cpuMs: number; buildMs: number }[] =
    [];
  process.stdout.write(
    `Lambda bundles (esbuild, minified, node22 target; cold load on Node ${process.version}, median of ${runs})\n\n`,
  );
  try {
    for (const name of names) {
      const outfile = path.join(dir, name, 'index.js');
      const t0 = Date.now();
      const result = await build({ ...esbuildOptionsFor(name, outfile), metafile: true });
      const buildMs = Date.now() - t0;
      copySidePackages(path.dirname(outfile));
      const code = readFileSync(outfile);
      const loads = Array.from({ length: runs }, () => coldLoad(outfile));
      const walls = loads.map((l) => l.wallMs);
      const row = {
        name,
        bytes: code.length,
        gzip: gzipSync(code).length,
        loadMs: median(walls),
        minLoadMs: Math.min(...walls),
        cpuMs: median(loads.map((l) => l.cpuMs)),
        buildMs,
      };
      rows.push(row);
      const sizeOk = row.bytes <= SIZE_TARGET ? 'ok' : 'OVER';
      const loadOk = row.loadMs <= LOAD_TARGET_MS ? 'ok' : 'OVER';
      process.stdout.write(
        `${name.padEnd(10)} ${mb(row.bytes).padStart(9)} (${sizeOk} ≤ 1.5 MB)  gzip ${mb(row.gzip)}  cold load ${row.loadMs.toFixed(0)} ms (${loadOk} ≤ ${LOAD_TARGET_MS} ms; min ${row.minLoadMs.toFixed(0)}, cpu ${row.cpuMs.toFixed(0)})  build ${buildMs} ms\n`,
      );
      const top = contributors(result.metafile).slice(0, 8);
      process.stdout.write(`           largest: ${top.map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KB`).join(', ')}\n`);
    }
    const side = [
      ...SIDE_PACKAGES.map(
        (pkg) =>
          `${pkg.module} ${mb(pkg.files.reduce((sum, f) => sum + statSync(path.join(PROJECT_ROOT, 'node_modules', pkg.name, f)).size, 0))}`,
      ),
      ...(names.length
        ? SIDE_BUNDLES.map(
            (b) =>
              `${b.module} ${mb(statSync(path.join(dir, names[0], 'node_modules', b.module, 'index.js')).size)} (pre-bundled)`,
          )
        : []),
    ];
    process.stdout.write(`\nShipped beside each index.js and loaded only on first use: ${side.join(', ')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(rows) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:bundle: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
