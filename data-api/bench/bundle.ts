import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dataApiRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * The data API as it is deployed — one esbuild bundle run by plain `node`, built with the
 * options of `npm run build -w data-api` (data-api/package.json) — and the floor bundled the
 * same way, into `outDir` (not dist/, which other work may be using). Returns the two entry files.
 * `minify` also drops whitespace and comments (names are kept, for stack traces and profiles).
 */
export async function bundleServers(outDir: string, options: { minify?: boolean } = { minify: true }): Promise<{ dataApi: string; floor: string }> {
  await build({
    entryPoints: { main: join(dataApiRoot, 'src/main.ts'), 'floor-server': join(dataApiRoot, 'bench/floor-server.ts') },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: ['pg-native'],
    logLevel: 'warning',
    // as data-api/package.json builds it: no whitespace or comments, so a smaller, one-byte source string in the heap
    ...(options.minify ?? true ? { minifyWhitespace: true, legalComments: 'none' as const } : {}),
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  // the .sql files the schema cache and the OpenAPI module read beside themselves
  await mkdir(join(outDir, 'sql'), { recursive: true });
  const sqlDir = join(dataApiRoot, 'src/schema-cache/sql');
  for (const name of await readdir(sqlDir)) if (name.endsWith('.sql')) await copyFile(join(sqlDir, name), join(outDir, 'sql', name));
  await copyFile(join(dataApiRoot, 'src/openapi/accessible.sql'), join(outDir, 'accessible.sql'));
  return { dataApi: join(outDir, 'main.js'), floor: join(outDir, 'floor-server.js') };
}
