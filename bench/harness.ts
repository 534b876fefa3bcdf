/**
 * What the benchmark scripts share, so that they read flags and measure CPU time and peak memory
 * the same way and their numbers compare.
 */

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
