import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stop } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleServices } from './service-bundles.ts';

const ENTRY = fileURLToPath(new URL('../testing/bundled-entry.ts', import.meta.url));
const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));

describe('bundleServices', () => {
  const folders: string[] = [];
  afterAll(async () => {
    await stop();
    await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  });

  it('runs with plain node from a folder outside the repository: our code inside, npm packages from node_modules, import.meta.url the source file', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'launchdb-service-bundles-'));
    folders.push(folder);
    const { entry: bundle } = await bundleServices(folder, { entry: ENTRY });
    expect(bundle).toBe(join(folder, 'entry.mjs'));

    const text = await readFile(bundle!, 'utf8');
    expect(text).toContain(`from "${REPOSITORY}node_modules/zod/`);
    expect(text).toContain('PLATFORM_MIGRATIONS_FOLDER');

    const { stdout } = await promisify(execFile)(process.execPath, [bundle!], { cwd: folder });
    expect(JSON.parse(stdout)).toEqual({
      self: ENTRY,
      migrationsFolder: join(REPOSITORY, 'postgres', 'platform') + '/',
      migrationsFound: true,
      npmPackageWorks: true,
    });
  });
});
