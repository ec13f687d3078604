/**
 * `BENCH_SMOKE=1`: a benchmark's seconds-long smoke mode, which CI runs (test/bench-smoke.test.ts)
 * so that no benchmark rots. Tiny sizes and few iterations, but every code path and the report;
 * its figures mean nothing and are never written to a BENCH.md.
 */
export const BENCH_SMOKE = process.env.BENCH_SMOKE === '1';

/** `full` in a real run, `small` in smoke mode. */
export function smoke<T>(full: T, small: T): T {
  return BENCH_SMOKE ? small : full;
}

/** A benchmark's numeric setting from the environment: `fallback` when unset, refused unless positive (and whole, for counts). */
export function benchSetting(name: string, fallback: number, options: { integer?: boolean } = {}): number {
  const value = Number(process.env[name] ?? fallback);
  if (options.integer ? !Number.isInteger(value) || value <= 0 : !Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive ${options.integer ? 'integer' : 'number'}`);
  }
  return value;
}
