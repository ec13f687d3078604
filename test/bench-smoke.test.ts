import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every `bench:*` script of the root package.json, so a benchmark added later is smoke-tested too. */
const scripts = Object.keys((JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts)
  .filter((name) => name.startsWith('bench:'))
  .sort();

async function benchFiles(): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (const entry of await readdir(ROOT, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = `${entry.name}/BENCH.md`;
    const info = await stat(`${ROOT}${file}`).catch(() => undefined);
    if (info) times.set(file, info.mtimeMs);
  }
  return times;
}

function runScript(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '-s', name], { cwd: ROOT, env: { ...process.env, BENCH_SMOKE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Each benchmark in its seconds-long smoke mode (BENCH_SMOKE=1: tiny sizes, every code path, the
 * report printed, no BENCH.md rewritten), one after the other so they do not measure each other.
 */
describe('the benchmarks, in smoke mode', () => {
  it('finds the benchmarks in package.json', () => {
    expect(scripts).toEqual(expect.arrayContaining(['bench:data-api', 'bench:projects', 'bench:auth', 'bench:storage']));
  });

  it.each(scripts)('npm run %s runs to its report and exits 0, leaving BENCH.md alone', async (name) => {
    const before = await benchFiles();
    const run = await runScript(name);
    expect(run.code, `${name} failed:\n${run.stderr.slice(-3000)}`).toBe(0);
    expect(run.stdout.trim().split('\n').length, `${name} printed no report:\n${run.stdout}`).toBeGreaterThanOrEqual(3);
    expect(await benchFiles()).toEqual(before);
  }, 90_000);
});
