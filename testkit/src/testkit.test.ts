import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const SOURCE = fileURLToPath(new URL('./', import.meta.url));

/**
 * The shared test helpers are imported by benchmarks that bundle their servers with esbuild, and
 * by every package's tests: none of them may reach a native addon (common's index loads argon2's),
 * a service or the CLI.
 */
describe('@launchdb/testkit', () => {
  it('has helpers that bundle without a native addon, a service or the CLI behind them', async () => {
    const modules = (await readdir(SOURCE)).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    expect(modules).toEqual(expect.arrayContaining(['throwaway-postgres.ts', 'pgbouncer.ts', 'smtp-inbox.ts', 'ports.ts', 'databases.ts']));
    const result = await build({
      entryPoints: modules.map((name) => `${SOURCE}${name}`),
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      outdir: '/nonexistent',
      metafile: true,
      logLevel: 'silent',
      external: ['pg-native', 'vitest'],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((path) => /\.node$|@node-rs\/argon2|(^|\/)cli\/|-service\/|platform-api\/|common\/src\/index\.ts/.test(path))).toEqual([]);
  });
});
