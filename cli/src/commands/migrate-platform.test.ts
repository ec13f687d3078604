import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, generateMasterKey, serviceUser, withClient, withDatabase } from '@launchdb/common';
import { findPgBouncerBinary, PgBouncerChild } from '@launchdb/pgbouncer';
import { startThrowawayPostgres, type ThrowawayPostgres } from '@launchdb/testkit/throwaway-postgres';
import { runLaunchdb, type Finished } from '../testing/launchdb-cli.ts';

const binary = findPgBouncerBinary();
if (!binary) console.warn('skipping the migrate-platform tests: no pgbouncer binary (Debian: apt-get install pgbouncer)');

/**
 * docker compose's `platform-migrate` container and its `pgbouncer` container, without Docker:
 * the command with that container's variables, then PgBouncer started on nothing but the folder
 * it wrote, both as one unprivileged user (uid 1000 in the images). Its own PostgreSQL, since the
 * platform role is one role of a cluster.
 */
describe.runIf(binary)('launchdb migrate-platform', () => {
  let postgres: ThrowawayPostgres;
  let root: string;
  let pgbouncer: PgBouncerChild | undefined;
  let poolerPort: number;
  const platformPassword = randomBytes(24).toString('hex');
  const runAs = serviceUser();
  let env: Record<string, string>;

  function run(): Promise<Finished> {
    return runLaunchdb(['migrate-platform'], { cwd: root, env, runAs });
  }

  async function queryThroughPgBouncer(): Promise<string> {
    return withClient(
      { host: '127.0.0.1', port: poolerPort, database: 'launchdb', user: 'launchdb_platform', password: platformPassword },
      async (client) => (await client.query<{ email: string }>('select email from platform.operators')).rows[0]!.email,
    );
  }

  beforeAll(async () => {
    postgres = await startThrowawayPostgres('launchdb-migrate-platform');
    root = await mkdtemp(join(tmpdir(), 'launchdb-migrate-platform-'));
    await chmod(root, 0o755);
    // the volumes, owned by the user both containers run as
    for (const folder of ['data', 'pgbouncer']) {
      await mkdir(join(root, folder), { mode: 0o700 });
      if (runAs) await chown(join(root, folder), runAs.uid, runAs.gid);
    }
    poolerPort = await findFreePort();
    env = {
      PATH: process.env.PATH ?? '',
      HOME: root,
      DATABASE_URL: withDatabase(postgres.url, 'launchdb'),
      LAUNCHDB_MASTER_KEY: generateMasterKey(),
      PLATFORM_DB_PASSWORD: platformPassword,
      LAUNCHDB_ADMIN_EMAIL: 'ops@example.com',
      LAUNCHDB_DATA_DIR: join(root, 'data'),
      PGBOUNCER_CONFIG_DIR: join(root, 'pgbouncer'),
      POOLER_HOST: '127.0.0.1',
      POOLER_PORT: String(poolerPort),
    };
  }, 60_000);

  afterAll(async () => {
    pgbouncer?.killNow();
    await postgres?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('migrates, creates the first operator with its password in a 0600 file, and writes the files PgBouncer starts from', async () => {
    const result = await run();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const passwordFile = join(root, 'data', 'first-operator-password');
    expect(result.stdout).toContain('platform database launchdb: applied');
    expect(result.stdout).toContain('operator     ops@example.com');
    expect(result.stdout).toContain(`password     in ${passwordFile}`);
    expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
    const password = (await readFile(passwordFile, 'utf8')).trim();
    expect(result.stdout).not.toContain(password);

    // as the pgbouncer container runs it: in the foreground, on the ini in the shared folder
    pgbouncer = new PgBouncerChild({ binary: binary!, iniPath: join(root, 'pgbouncer', 'pgbouncer.ini'), listenAddress: '127.0.0.1', listenPort: poolerPort, runAs });
    await pgbouncer.start();
    // the services' URL: the platform role, with the password from .env, through PgBouncer
    expect(await queryThroughPgBouncer()).toBe('ops@example.com');
    // nobody but superusers may connect to the maintenance database
    const maintenance = await withClient(postgres.url, (admin) => admin.query<{ allowed: boolean }>(`select has_database_privilege('launchdb_platform', 'postgres', 'connect') as allowed`));
    expect(maintenance.rows[0]!.allowed).toBe(false);
  });

  it('runs again at the next start without changing anything PgBouncer relies on', async () => {
    const result = await run();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('platform database launchdb: up to date');
    expect(result.stdout).not.toContain('operator');
    // PgBouncer was reloaded with the same SCRAM verifier: the platform role still logs in through it
    expect(await queryThroughPgBouncer()).toBe('ops@example.com');
  });

  it('refuses to run without the master key the services are given', async () => {
    const { LAUNCHDB_MASTER_KEY: _key, ...rest } = env;
    const { code, stderr } = await runLaunchdb(['migrate-platform'], { cwd: root, env: rest });
    expect(code).toBe(1);
    expect(stderr).toMatch(/needs LAUNCHDB_MASTER_KEY/);
  });
});
