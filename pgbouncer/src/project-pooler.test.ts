import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort, projectNames, quoteIdent, quoteLiteral, serviceUser, withClient } from '@launchdb/common';
import { findPgBouncerBinary } from './locate.ts';
import { PgBouncerProcess, type PgBouncerProcessSettings } from './pgbouncer-process.ts';
import { PgBouncerProjectPooler } from './project-pooler.ts';
import { readScramSecrets } from './scram-secrets.ts';
import { runAdminCommand } from './admin-console.ts';

const binary = findPgBouncerBinary();
if (!binary) console.warn('skipping the project pooler tests: no pgbouncer binary (Debian: apt-get install pgbouncer)');

describe.runIf(binary)('PgBouncerProjectPooler', () => {
  const serverUrl = inject('postgresUrl');
  const server = new URL(serverUrl);
  const suffix = randomBytes(4).toString('hex');
  const admin = { user: `pgb_pooler_admin_${suffix}`, password: randomBytes(12).toString('hex') };
  // projects as the provisioner leaves them: a database and an authenticator that may connect to it
  const projects = ['a', 'b', 'c'].map((letter) => {
    const id = `t${letter}${suffix}`;
    return { id, ...projectNames(id), password: randomBytes(12).toString('hex') };
  });
  let configDir: string;
  let bouncer: PgBouncerProcess;
  let pooler: PgBouncerProjectPooler;
  let settings: PgBouncerProcessSettings;

  async function connectAs(project: (typeof projects)[number], password = project.password): Promise<string> {
    return withClient(
      { host: bouncer.host, port: bouncer.port, database: project.database, user: project.authenticator, password },
      async (client) => (await client.query<{ db: string }>('select current_database() as db')).rows[0]!.db,
    );
  }

  /** PgBouncer refuses an unknown user before it looks at the database. */
  const REFUSED = /no such database|SASL authentication failed/;

  async function aliases(): Promise<string[]> {
    const rows = await runAdminCommand({ host: bouncer.host, port: bouncer.port, ...admin }, 'SHOW DATABASES');
    return rows.map((row) => String(row.name)).sort();
  }

  beforeAll(async () => {
    const users = await withClient(serverUrl, async (client) => {
      await client.query(`create role ${quoteIdent(admin.user)} login password ${quoteLiteral(admin.password)}`);
      for (const project of projects) {
        await client.query(`create role ${quoteIdent(project.authenticator)} login noinherit password ${quoteLiteral(project.password)}`);
        await client.query(`create database ${quoteIdent(project.database)}`);
      }
      return readScramSecrets(client, [admin.user]);
    });
    configDir = await mkdtemp(join(tmpdir(), 'launchdb-project-pooler-'));
    await chmod(configDir, 0o755);
    settings = {
      listenAddress: '127.0.0.1',
      listenPort: await findFreePort(),
      unixSocketDir: '',
      adminUsers: [admin.user],
      statsUsers: [],
      databases: [{ alias: 'platform', host: '127.0.0.1', port: Number(server.port), dbname: 'postgres' }],
      maxClientConn: 50,
      defaultPoolSize: 2,
    };
    bouncer = new PgBouncerProcess({ binary: binary!, configDir, settings, users, runAs: serviceUser(), admin });
    await bouncer.start();
    pooler = new PgBouncerProjectPooler({
      pgbouncer: bouncer,
      base: { settings, users },
      postgres: { host: '127.0.0.1', port: Number(server.port) },
      adminUrl: serverUrl,
      projectPoolSize: 1,
    });
  });

  afterAll(async () => {
    await bouncer?.stop();
    await withClient(serverUrl, async (client) => {
      for (const project of projects) {
        await client.query(`drop database if exists ${quoteIdent(project.database)} with (force)`);
        await client.query(`drop role if exists ${quoteIdent(project.authenticator)}`);
      }
      await client.query(`drop role if exists ${quoteIdent(admin.user)}`);
    });
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  it('answers with the PgBouncer address', () => {
    expect(pooler.address).toEqual({ host: '127.0.0.1', port: settings.listenPort });
  });

  it("serves a project's alias to its authenticator after addProject, and no longer after removeProject", async () => {
    const [project] = projects;
    await expect(connectAs(project!)).rejects.toThrow(REFUSED);
    await pooler.addProject(project!.id);
    expect(await connectAs(project!)).toBe(project!.database);
    expect(await aliases()).toEqual(['pgbouncer', 'platform', project!.database].sort());
    // twice is the same as once
    await pooler.addProject(project!.id);
    expect(pooler.projectIds).toEqual([project!.id]);
    expect(await connectAs(project!)).toBe(project!.database);

    await pooler.removeProject(project!.id);
    await expect(connectAs(project!)).rejects.toThrow(REFUSED);
    expect(await aliases()).toEqual(['pgbouncer', 'platform']);
    await pooler.removeProject(project!.id);
    expect(pooler.projectIds).toEqual([]);
  });

  it('keeps the base aliases and users, and serves concurrent additions', async () => {
    await Promise.all(projects.map((project) => pooler.addProject(project.id)));
    expect(pooler.projectIds).toEqual(projects.map((project) => project.id).sort());
    for (const project of projects) expect(await connectAs(project)).toBe(project.database);
    const platform = new pg.Client({ host: bouncer.host, port: bouncer.port, database: 'platform', user: admin.user, password: admin.password });
    platform.on('error', () => undefined);
    await platform.connect();
    expect((await platform.query('select 1 as n')).rows).toEqual([{ n: 1 }]);
    await platform.end();
    await Promise.all(projects.map((project) => pooler.removeProject(project.id)));
  });

  it('picks up a changed password when the project is added again', async () => {
    const [project] = projects;
    await pooler.addProject(project!.id);
    const changed = randomBytes(12).toString('hex');
    await withClient(serverUrl, (client) => client.query(`alter role ${quoteIdent(project!.authenticator)} password ${quoteLiteral(changed)}`));
    await expect(connectAs(project!, changed)).rejects.toThrow(/SASL authentication failed/);
    await pooler.addProject(project!.id);
    expect(await connectAs(project!, changed)).toBe(project!.database);
    project!.password = changed;
    await pooler.removeProject(project!.id);
  });

  it('syncs to exactly the given projects at boot, leaving out those without an authenticator', async () => {
    await pooler.addProject(projects[2]!.id);
    const result = await pooler.syncProjects([projects[0]!.id, projects[1]!.id, `tmissing${suffix}`]);
    expect(result).toEqual({ added: [projects[0]!.id, projects[1]!.id].sort(), skipped: [`tmissing${suffix}`] });
    expect(await connectAs(projects[0]!)).toBe(projects[0]!.database);
    await expect(connectAs(projects[2]!)).rejects.toThrow(REFUSED);
    expect(await aliases()).toEqual(['pgbouncer', 'platform', projects[0]!.database, projects[1]!.database].sort());
    await pooler.syncProjects([]);
    expect(pooler.projectIds).toEqual([]);
  });
});
