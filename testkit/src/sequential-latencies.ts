/**
 * Latency, not throughput: one operation at a time, alternating between the targets operation by
 * operation after a warm-up, so that each target sees the same machine. A shared VM's speed
 * drifts by tens of percent from second to second; targets measured one after the other would
 * compare two machines.
 */

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

export interface AlternationOptions {
  /** Every target runs over and over for this long first (connections open, code paths warm). */
  warmUpMs: number;
  /** Then this long measured. */
  seconds: number;
}

/**
 * Runs `operations` one at a time in turns, the order flipped every turn so that no target always
 * follows another; answers each one's latencies in ms, in the order given.
 */
export async function alternateSequentially(operations: ReadonlyArray<() => Promise<unknown>>, options: AlternationOptions): Promise<number[][]> {
  const warmUntil = performance.now() + options.warmUpMs;
  do {
    for (const operation of operations) await operation();
  } while (performance.now() < warmUntil);
  const latencies: number[][] = operations.map(() => []);
  const until = performance.now() + options.seconds * 1000;
  for (let turn = 0; performance.now() < until; turn += 1) {
    for (let k = 0; k < operations.length; k += 1) {
      const i = turn % 2 === 0 ? k : operations.length - 1 - k;
      const t0 = performance.now();
      await operations[i]!();
      latencies[i]!.push(performance.now() - t0);
    }
  }
  return latencies;
}

export function summariseLatencies(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99) };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
