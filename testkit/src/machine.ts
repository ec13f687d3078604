import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/**
 * The machine a benchmark ran on, for its BENCH.md: the figures mean little without it, and on a
 * shared machine the load average says how much else ran beside the benchmark.
 */
export function describeMachine(): string {
  const cpuModel = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const [one, five, fifteen] = loadavg().map((load) => load.toFixed(2));
  return `${cpus().length} × ${cpuModel} (nproc ${availableParallelism()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.versions.node}; load average ${one} / ${five} / ${fifteen} (1 / 5 / 15 min)`;
}

export function loadAverage(): number {
  return loadavg()[0]!;
}
