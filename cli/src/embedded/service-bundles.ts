import { mkdir, readFile, rename } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
const NODE_MODULES = `${sep}node_modules${sep}`;

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
