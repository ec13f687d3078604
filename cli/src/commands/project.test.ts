import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectNames } from '@launchdb/common';
import { reservePort } from '@launchdb/testkit/ports';
import { runLaunchdb, type Finished } from '../testing/launchdb-cli.ts';
import { startRunningPlatform, TEST_OPERATOR, type RunningPlatform } from '../testing/running-platform.ts';

/**
 * `launchdb project …` as a newcomer runs it: from a folder of their own (no data folder, no
 * .env), told only where the platform is and the operator's password.
 */
describe('launchdb project, told only LAUNCHDB_URL and the password', () => {
  let running: RunningPlatform;
  let elsewhere: string;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    // the first operator keeps the default email; PostgreSQL is not on its default port
    running = await startRunningPlatform({ LAUNCHDB_ADMIN_EMAIL: 'admin@launchdb.local' });
    expect(running.env.LAUNCHDB_POSTGRES_PORT).not.toBe('54329');
    elsewhere = await mkdtemp(join(tmpdir(), 'launchdb-cli-'));
    cliEnv = { LAUNCHDB_URL: running.url, LAUNCHDB_ADMIN_PASSWORD: TEST_OPERATOR.password, XDG_CACHE_HOME: join(elsewhere, 'cache') };
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
    if (elsewhere) await rm(elsewhere, { recursive: true, force: true });
  }, 60_000);

  it('creates a project with the default operator email, and prints its REST, auth, storage and supabase URLs', async () => {
    const id = `cli${Date.now().toString(36)}`;
    const created = await runCli(['project', 'create', 'Newcomer', '--id', id], cliEnv, elsewhere);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`REST       ${running.url}/db/${id}\n`);
    expect(created.stdout).toContain(`auth       ${running.url}/auth/${id}\n`);
    expect(created.stdout).toContain(`storage    ${running.url}/storage/${id}\n`);
    expect(created.stdout).toContain(`supabase   ${running.url}/p/${id}\n`);
  }, 30_000);

  it.runIf(hasPsql())('opens psql as the owner on the port the platform uses, asking the platform where that is', async () => {
    const project = await running.createProject('Psql');
    const psql = await runCli(['project', 'psql', project.id, '--', '-At', '-c', 'select current_user, current_database()'], cliEnv, elsewhere);
    expect(psql.stderr).toBe('');
    expect(psql.stdout.trim()).toBe(`${projectNames(project.id).owner}|${projectNames(project.id).database}`);
    expect(psql.code).toBe(0);
  }, 30_000);

  it('says in one line, with exit code 1, when the project does not exist or the platform does not answer', async () => {
    const unknown = await runCli(['project', 'psql', 'nosuchproject'], cliEnv, elsewhere);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('launchdb: project nosuchproject not found\n');

    const closed = `http://127.0.0.1:${await reservePort()}`;
    const unreachable = await runCli(['project', 'psql', 'nosuchproject'], { ...cliEnv, LAUNCHDB_URL: closed }, elsewhere);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(new RegExp(`^launchdb: cannot reach the platform at ${closed} \\(ECONNREFUSED\\).*\\n$`));
  }, 30_000);

  it('says in one line which credentials are missing', async () => {
    // no token remembered from the tests above either
    const refused = await runCli(['project', 'list'], { LAUNCHDB_URL: running.url, LAUNCHDB_NO_TOKEN_CACHE: '1' }, elsewhere);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('LAUNCHDB_ADMIN_PASSWORD');
  }, 30_000);
});

function hasPsql(): boolean {
  return (process.env.PATH ?? '').split(':').some((folder) => existsSync(join(folder, 'psql')));
}

function runCli(args: string[], env: Record<string, string>, cwd: string): Promise<Finished> {
  return runLaunchdb(args, { env, cwd });
}
