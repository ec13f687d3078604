import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort, projectNames, quoteIdent, quoteLiteral, serviceUser, withClient } from '@launchdb/common';
import { findPgBouncerBinary } from './locate.ts';
import { PgBouncerChild } from './pgbouncer-child.ts';
import { PgBouncerProjectPooler } from './project-pooler.ts';
import { readScramSecrets } from './scram-secrets.ts';
import { platformPoolSettings, SharedFolderPgBouncer } from './shared-folder-pgbouncer.ts';

const binary = findPgBouncerBinary();
if (!binary) console.warn('skipping the shared-folder PgBouncer tests: no pgbouncer binary (Debian: apt-get install pgbouncer)');

/**
 * docker compose's wiring without Docker: PgBouncer started on nothing but the folder we write
 * (as its container is: `pgbouncer /pgbouncer/pgbouncer.ini`), reloaded over TCP.
 */
describe.runIf(binary)('SharedFolderPgBouncer', () => {
  const serverUrl = inject('postgresUrl');
  const server = new URL(serverUrl);
  const postgres = { host: '127.0.0.1', port: Number(server.port) };
  const suffix = randomBytes(4).toString('hex');
  const platformRole = { user: `pgb_shared_platform_${suffix}`, password: randomBytes(12).toString('hex') };
  const id = `ts${suffix}`;
  const project = { ...projectNames(id), password: randomBytes(12).toString('hex') };
  let configDir: string;
  let port: number;
  let pooler: PgBouncerProjectPooler;
  let container: PgBouncerChild | undefined;

  async function connectAs(user: string, password: string, database: string): Promise<string> {
    return withClient({ host: '127.0.0.1', port, database, user, password }, async (client) => (await client.query<{ db: string }>('select current_database() as db')).rows[0]!.db);
  }

  beforeAll(async () => {
    const users = await withClient(serverUrl, async (client) => {
      await client.query(`create role ${quoteIdent(platformRole.user)} login password ${quoteLiteral(platformRole.password)}`);
      await client.query(`create role ${quoteIdent(project.authenticator)} login noinherit password ${quoteLiteral(project.password)}`);
      await client.query(`create database ${quoteIdent(project.database)}`);
      return readScramSecrets(client, [platformRole.user]);
    });
    configDir = await mkdtemp(join(tmpdir(), 'launchdb-shared-pgbouncer-'));
    await chmod(configDir, 0o755);
    port = await findFreePort();
    const pgbouncer = new SharedFolderPgBouncer({ configDir, address: { host: '127.0.0.1', port }, admin: platformRole, owner: serviceUser() });
    const settings = platformPoolSettings({ listenAddress: '127.0.0.1', listenPort: port, platformDatabase: 'postgres', postgres, platformRole: platformRole.user });
    pooler = new PgBouncerProjectPooler({ pgbouncer, base: { settings, users }, postgres, adminUrl: serverUrl });
  });

  afterAll(async () => {
    container?.killNow();
    await withClient(serverUrl, async (client) => {
      await client.query(`drop database if exists ${quoteIdent(project.database)} with (force)`);
      await client.query(`drop role if exists ${quoteIdent(project.authenticator)}`);
      await client.query(`drop role if exists ${quoteIdent(platformRole.user)}`);
    });
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  it('writes a config PgBouncer starts from while none runs yet, logging to stderr with no pid file', async () => {
    // what the migrate container does before the pgbouncer container starts: nothing answers the RELOAD
    await pooler.syncProjects([]);
    const ini = await readFile(join(configDir, 'pgbouncer.ini'), 'utf8');
    expect(ini).toContain(`auth_file = ${join(configDir, 'userlist.txt')}`);
    expect(ini).toMatch(/^logfile = $/m);
    expect(ini).toMatch(/^pidfile = $/m);
    // as the pgbouncer container runs it: in the foreground, on the ini in the shared folder
    container = new PgBouncerChild({ binary: binary!, iniPath: join(configDir, 'pgbouncer.ini'), listenAddress: '127.0.0.1', listenPort: port, runAs: serviceUser() });
    await container.start();
    expect(await connectAs(platformRole.user, platformRole.password, 'postgres')).toBe('postgres');
  });

  it("serves a project added afterwards, reloaded over the admin console, and forgets a removed one", async () => {
    await expect(connectAs(project.authenticator, project.password, project.database)).rejects.toThrow();
    await pooler.addProject(id);
    expect(await connectAs(project.authenticator, project.password, project.database)).toBe(project.database);
    await pooler.removeProject(id);
    await expect(connectAs(project.authenticator, project.password, project.database)).rejects.toThrow(/no such database|SASL authentication failed/);
  });

  it('keeps the files current while PgBouncer is down, and a restarted one reads them', async () => {
    await container!.stop();
    await pooler.addProject(id);
    await container!.start();
    expect(await connectAs(project.authenticator, project.password, project.database)).toBe(project.database);
  });
});
