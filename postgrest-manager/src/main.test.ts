import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { findFreePort } from '@launchdb/common';
import { PostgrestManagerClient } from './client.ts';
import { pollUntil, settlesWithin } from './timers.ts';
import { isSameProcess } from './drivers/process/process-data-api.ts';
import { StateFolder } from './drivers/process/state-folder.ts';
import { getNotes, NOTES, processGone } from './testing/test-fleet.ts';
import { createTestPlatform, type TestPlatform, type TestProject } from './testing/test-platform.ts';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const INTERNAL_KEY = 'the-internal-key-of-this-test-is-long-enough';

/**
 * postgrest-manager run alone (src/main.ts), and a real restart: the first manager is killed
 * with SIGKILL, its data API lives on, and the next manager on the same state folder adopts it.
 */
describe('postgrest-manager run alone', () => {
  let platform: TestPlatform;
  let project: TestProject;
  let stateDir: string;
  const managers: ChildProcess[] = [];

  beforeAll(async () => {
    platform = await createTestPlatform();
    project = await platform.createProject();
    stateDir = await mkdtemp(join(tmpdir(), 'postgrest-manager-main-'));
  });
  afterAll(async () => {
    for (const manager of managers.filter((one) => one.exitCode === null && one.signalCode === null)) {
      manager.kill('SIGTERM');
      if (!(await settlesWithin(new Promise((resolve) => manager.once('exit', resolve)), 5_000))) manager.kill('SIGKILL');
    }
    // after a failure half-way: no data API may outlive the test
    for (const record of stateDir ? await new StateFolder(stateDir).list() : []) {
      if (isSameProcess(record)) process.kill(record.pid, 'SIGKILL');
    }
    await platform?.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  async function startManager(): Promise<{ child: ChildProcess; client: PostgrestManagerClient; output: () => string }> {
    const port = await findFreePort();
    const server = new URL(inject('postgresUrl'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: packageRoot,
      env: {
        PATH: process.env.PATH,
        PLATFORM_DATABASE_URL: platform.url,
        LAUNCHDB_MASTER_KEY: platform.masterKey,
        POSTGREST_MANAGER_INTERNAL_KEY: INTERNAL_KEY,
        POSTGREST_MANAGER_PORT: String(port),
        POSTGRES_HOST: server.hostname,
        POSTGRES_PORT: server.port,
        DATA_API_ENTRY: inject('dataApiEntry'),
        DATA_API_STATE_DIR: stateDir,
        DATA_API_POOL_SIZE: '2',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    managers.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const client = new PostgrestManagerClient({ baseUrl: `http://127.0.0.1:${port}`, internalKey: INTERNAL_KEY, timeoutMs: 1_000 });
    const up = await pollUntil(() => client.list().then(() => true, () => false), 20_000, 100);
    if (!up) throw new Error(`postgrest-manager did not start:\n${output}`);
    return { child, client, output: () => output };
  }

  it('starts the active projects, is adopted from after SIGKILL, and stops everything on SIGTERM', async () => {
    const first = await startManager();
    // DATA_API_IDLE_SECONDS is 0: the active project was started at boot
    expect(await pollUntil(async () => (await first.client.status(project.id))?.state === 'running', 10_000, 50)).toBe(true);
    const before = (await first.client.status(project.id))!;
    expect(first.output()).not.toContain(platform.masterKey);
    expect(first.output()).not.toContain(project.jwtSecret);

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    // the data API outlives its manager, and keeps logging into its file without harm
    expect(await processGone(before.pid!, 300)).toBe(false);
    expect(await getNotes(before.url!, await project.token())).toEqual({ status: 200, body: NOTES });

    const second = await startManager();
    expect(await second.client.status(project.id)).toMatchObject({ state: 'running', pid: before.pid, url: before.url, restarts: 0 });
    expect(await second.client.locate(project.id)).toEqual({ state: 'ready', url: before.url });

    second.child.kill('SIGTERM');
    expect(await new Promise((resolve) => second.child.once('exit', resolve))).toBe(0);
    expect(await processGone(before.pid!, 1_000)).toBe(true);
  });

  it('exits with a one-line message on invalid settings', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: packageRoot,
      env: { PATH: process.env.PATH, PLATFORM_DATABASE_URL: platform.url, LAUNCHDB_MASTER_KEY: platform.masterKey, POSTGREST_MANAGER_INTERNAL_KEY: 'short' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
    expect(stderr.trim()).toBe('postgrest-manager: invalid configuration: POSTGREST_MANAGER_INTERNAL_KEY: expected a secret of at least 32 characters');
  });
});
