/**
 * The data API as it is deployed: one esbuild bundle, `dist/main.js`, run by plain `node`, with
 * the .sql files it reads beside it. `npm run build -w data-api` runs this file; the bench
 * builds with the same options (bench/bundle.ts).
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop, type BuildOptions } from 'esbuild';

const dataApiRoot = fileURLToPath(new URL('./', import.meta.url));

export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  external: [
    'pg-native',
    // Loaded only by a Fastify that compiles route schemas; the data API passes its own
    // compilers (src/server/schemaless.ts), so these requires never run.
    '@fastify/ajv-compiler',
    '@fastify/fast-json-stringify-compiler',
    // Only for fastify.inject(), which the tests use on the sources, never the bundle.
    'light-my-request',
  ],
  // The data API imports @launchdb/common by module (`@launchdb/common/errors`, …), never its
  // index: the index also brings what other services need, native addons (argon2) among them,
  // which a single-file bundle cannot hold.
  // No whitespace or comments: a smaller, one-byte source string in every process's heap.
  // Names are kept, for stack traces and profiles.
  minifyWhitespace: true,
  legalComments: 'none',
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
} satisfies BuildOptions;

/** Bundles `entryPoints` (name → source file) into `outDir` and copies the .sql files the data API reads beside itself. */
export async function bundleDataApi(outDir: string, entryPoints: Record<string, string> = { main: join(dataApiRoot, 'src/main.ts') }): Promise<void> {
  await build({ ...BUNDLE_OPTIONS, entryPoints, outdir: outDir });
  await mkdir(join(outDir, 'sql'), { recursive: true });
  const sqlDir = join(dataApiRoot, 'src/schema-cache/sql');
  for (const name of await readdir(sqlDir)) if (name.endsWith('.sql')) await copyFile(join(sqlDir, name), join(outDir, 'sql', name));
  await copyFile(join(dataApiRoot, 'src/openapi/accessible.sql'), join(outDir, 'accessible.sql'));
}

/** Ends esbuild's service process, which otherwise stays beside a long-running caller (`launchdb up`) for nothing. */
export function stopBundler(): Promise<void> {
  return stop();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleDataApi(join(dataApiRoot, 'dist'));
