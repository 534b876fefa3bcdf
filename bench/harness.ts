/**
 * What the benchmark scripts share, so that they read flags and measure CPU time and peak memory
 * the same way and their numbers compare.
 */
import fs from 'node:fs';

/** The value after `--name` on the command line; undefined when the flag is absent. */
export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** CPU time (user + system) in ms since `start`, a `process.cpuUsage()` reading: what a busy shared machine skews least. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** The process's peak resident set size so far, in MiB (it includes Node, tsx and every loaded module). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * `--help` / `-h`: print the script's leading doc comment (its usage, flags and environment
 * variables) and exit, so the flags are documented in one place.
 */
export function helpIfAsked(scriptFile: string): void {
  if (!process.argv.includes('--help') && !process.argv.includes('-h')) return;
  const source = fs.readFileSync(scriptFile, 'utf8');
  const doc = /\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? '';
  console.log(
    doc
      .split('\n')
      .map((l) => l.replace(/^\s*\* ?/, ''))
      .join('\n')
      .trim(),
  );
  process.exit(0);
}
