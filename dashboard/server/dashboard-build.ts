import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The dashboard workspace: its sources and the adapter-node build made from them. */
export const DASHBOARD_FOLDER = fileURLToPath(new URL('../', import.meta.url));
export const DASHBOARD_BUILD_FOLDER = join(DASHBOARD_FOLDER, 'build');
const SOURCE_HASH_FILE = join(DASHBOARD_BUILD_FOLDER, '.source-hash');
const SOURCES = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'js-budget.ts', 'package.json'];
// builds share .svelte-kit/ and build/: two processes (test runs, a second `npm start`) take turns
const BUILD_LOCK = join(DASHBOARD_FOLDER, '.build-lock');
const STALE_LOCK_MS = 5 * 60_000;

/** A hash of everything the build is made from, so a build older than its sources is never served. */
export async function dashboardSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const visit = async (path: string): Promise<void> => {
    const info = await stat(path).catch(() => undefined);
    if (!info) return;
    if (info.isDirectory()) {
      for (const entry of (await readdir(path)).sort()) await visit(join(path, entry));
      return;
    }
    hash.update(relative(DASHBOARD_FOLDER, path)).update('\0').update(await readFile(path)).update('\0');
  };
  for (const source of SOURCES) await visit(join(DASHBOARD_FOLDER, source));
  return hash.digest('hex');
}

/**
 * Builds the dashboard (vite + adapter-node) unless the build on disk was made from the sources
 * as they are now. `npm start` on a fresh clone pays this once (about ten seconds).
 */
export async function ensureDashboardBuild(options: { log?: (line: string) => void } = {}): Promise<string> {
  const wanted = await dashboardSourceHash();
  if (await isBuiltFrom(wanted)) return DASHBOARD_BUILD_FOLDER;
  await acquireBuildLock();
  try {
    // whoever held the lock may have built these very sources
    if (!(await isBuiltFrom(wanted))) await build(wanted, options);
  } finally {
    await rm(BUILD_LOCK, { recursive: true, force: true });
  }
  return DASHBOARD_BUILD_FOLDER;
}

async function isBuiltFrom(sourceHash: string): Promise<boolean> {
  const built = await readFile(SOURCE_HASH_FILE, 'utf8').catch(() => undefined);
  return built?.trim() === sourceHash;
}

async function acquireBuildLock(): Promise<void> {
  for (;;) {
    try {
      await mkdir(BUILD_LOCK);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = await stat(BUILD_LOCK).catch(() => undefined);
      // a build killed half-way leaves its lock behind
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) await rm(BUILD_LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function build(wanted: string, options: { log?: (line: string) => void }): Promise<void> {
  options.log?.('building the dashboard (once per change of its sources)…');
  const vite = join(dirname(createRequire(join(DASHBOARD_FOLDER, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: DASHBOARD_FOLDER, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`the dashboard build failed:\n${Buffer.concat(output).toString().slice(-4000)}`);
  await writeFile(SOURCE_HASH_FILE, `${wanted}\n`);
}
