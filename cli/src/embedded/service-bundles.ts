import { mkdir, readFile, rename } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, stop, type Plugin } from 'esbuild';
import { SPLIT_SERVICES } from '../split-environment.ts';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const NODE_MODULES = `${sep}node_modules${sep}`;

/**
 * V8 grows each process's young generation up to two 16 MB semi-spaces for throughput and keeps
 * them once idle; these services allocate little per request. Capped at 2 MB (as backup's own
 * `npm start` and, at 4 MB, the data API run), a service's idle PSS drops by about 20 MB
 * (cli/BENCH.md). The images' commands (Dockerfile) give the same flags.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/**
 * What is bundled, name → entry: docker-compose.yml's Node services (the dashboard is
 * adapter-node's own build) and the one-shot platform-migrate. `launchdb up --split` runs them
 * from its data folder, the images from dist/services (Dockerfile), both with SERVICE_NODE_FLAGS.
 */
export const SERVICE_ENTRIES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(SPLIT_SERVICES.filter((name) => name !== 'dashboard').map((name) => [name, join(REPOSITORY, name, 'src', 'main.ts')])),
  'platform-migrate': join(REPOSITORY, 'cli', 'src', 'commands', 'migrate-platform-main.ts'),
};

/**
 * Each service's own code (its package and the @launchdb/* packages it imports) as one ES module
 * run by plain `node`, as the data API is deployed. Under tsx a service also carries tsx's loader
 * (its own V8 isolate on a thread of the process) and the TypeScript sources it transformed:
 * about 25–30 MB of PSS per process, measured by `npm run bench:topology` (cli/BENCH.md).
 *
 * Unlike the data API's self-contained bundle, every npm package stays outside, imported from
 * node_modules by its absolute path (native addons, the AWS SDK loaded lazily, workers started
 * from their own files all keep working), and `import.meta.url` in our sources stays the source
 * file's URL, so the SQL and templates read beside it are found wherever the bundle is written.
 */
export async function bundleServices(outDir: string, entries: Record<string, string>): Promise<Record<string, string>> {
  const bundles: Record<string, string> = {};
  await mkdir(outDir, { recursive: true });
  await Promise.all(
    Object.entries(entries).map(async ([name, entry]) => {
      const file = join(outDir, `${name}.mjs`);
      const partial = `${file}.partial-${process.pid}`;
      await build({
        entryPoints: [entry],
        outfile: partial,
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'esm',
        logLevel: 'warning',
        // our own code only: whatever CommonJS is required lives in node_modules, loaded by node
        banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
        plugins: [npmPackagesFromNodeModules, sourceFileUrls],
      });
      // a service restarted meanwhile never reads half a file
      await rename(partial, file);
      bundles[name] = file;
    }),
  );
  return bundles;
}

/** `fastify` → `import "/…/node_modules/fastify/fastify.js"`, resolved as node would (import conditions). */
const npmPackagesFromNodeModules: Plugin = {
  name: 'npm-packages-from-node-modules',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolving' || args.path.startsWith('@launchdb/')) return undefined;
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
      // a builtin without its prefix, or an optional dependency that is not installed (pg-native): left to node
      if (resolved.errors.length > 0 || !resolved.path.includes(NODE_MODULES)) return { path: args.path, external: true };
      return { path: resolved.path, external: true };
    });
  },
};

/** `import.meta.url` in a source file is that file's URL, not the bundle's. */
const sourceFileUrls: Plugin = {
  name: 'source-file-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!args.path.startsWith(REPOSITORY) || args.path.includes(NODE_MODULES)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

// `node --import tsx cli/src/embedded/service-bundles.ts <folder>`: every bundle into <folder> (the image's build stage)
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await bundleServices(resolve(process.argv[2] ?? 'dist/services'), SERVICE_ENTRIES);
  } finally {
    await stop();
  }
}
