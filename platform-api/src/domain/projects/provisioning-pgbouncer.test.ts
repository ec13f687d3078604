import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort, projectNames, ProjectSecret, quoteIdent, quoteLiteral, readProjectSecret, serviceUser, withClient } from '@launchdb/common';
import { findPgBouncerBinary, PgBouncerProcess, PgBouncerProjectPooler, readScramSecrets } from '@launchdb/pgbouncer';
import type { ProjectProvisioner } from './project-provisioner.ts';
import { createTestPlatform, randomProjectId, type TestPlatform } from './projects.test-support.ts';

const binary = findPgBouncerBinary();
if (!binary) console.warn('skipping provisioning through PgBouncer: no pgbouncer binary (Debian: apt-get install pgbouncer)');

describe.runIf(binary)('provisioning with PgBouncer', () => {
  const serverUrl = inject('postgresUrl');
  const admin = { user: `pgb_prov_admin_${randomBytes(4).toString('hex')}`, password: randomBytes(12).toString('hex') };
  const [a, b] = [randomProjectId(), randomProjectId()];
  let platform: TestPlatform;
  let configDir: string;
  let bouncer: PgBouncerProcess;
  let provisioner: ProjectProvisioner;

  async function throughPgBouncer(projectId: string, alias: string): Promise<{ user: string; db: string }> {
    const password = await readProjectSecret(platform.db, platform.secrets, projectId, ProjectSecret.authenticatorPassword);
    return withClient({ host: bouncer.host, port: bouncer.port, database: alias, user: projectNames(projectId).authenticator, password }, async (client) => {
      await client.query('begin');
      await client.query('set local role anon');
      const { rows } = await client.query<{ user: string; db: string }>('select current_user as user, current_database() as db');
      await client.query('commit');
      return rows[0]!;
    });
  }

  beforeAll(async () => {
    platform = await createTestPlatform();
    platform.created.add(a).add(b);
    const users = await withClient(serverUrl, async (client) => {
      await client.query(`create role ${quoteIdent(admin.user)} login password ${quoteLiteral(admin.password)}`);
      return readScramSecrets(client, [admin.user]);
    });
    configDir = await mkdtemp(join(tmpdir(), 'launchdb-provisioning-pgbouncer-'));
    await chmod(configDir, 0o755);
    const settings = {
      listenAddress: '127.0.0.1',
      listenPort: await findFreePort(),
      unixSocketDir: '',
      adminUsers: [admin.user],
      statsUsers: [],
      databases: [],
      maxClientConn: 50,
      defaultPoolSize: 2,
    };
    bouncer = new PgBouncerProcess({ binary: binary!, configDir, settings, users, runAs: serviceUser(), admin });
    await bouncer.start();
    const postgres = new URL(serverUrl);
    const pooler = new PgBouncerProjectPooler({
      pgbouncer: bouncer,
      base: { settings, users },
      postgres: { host: postgres.hostname, port: Number(postgres.port) },
      adminUrl: serverUrl,
    });
    provisioner = platform.provisioner({ pooler });
    await Promise.all([provisioner.create({ id: a, name: 'A' }), provisioner.create({ id: b, name: 'B' })]);
  });
  afterAll(async () => {
    await bouncer?.stop();
    await platform?.close();
    await withClient(serverUrl, (client) => client.query(`drop role if exists ${quoteIdent(admin.user)}`));
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  it("lets a project's authenticator reach its database through PgBouncer, and only its own", async () => {
    expect(await throughPgBouncer(a, projectNames(a).database)).toEqual({ user: 'anon', db: projectNames(a).database });
    await expect(throughPgBouncer(a, projectNames(b).database)).rejects.toThrow(`permission denied for database "${projectNames(b).database}"`);
  });

  it('survives a retry of an active project without breaking the pooled login', async () => {
    await provisioner.resume(a);
    expect((await throughPgBouncer(a, projectNames(a).database)).db).toBe(projectNames(a).database);
  });

  it('removes the entry with the project', async () => {
    await provisioner.delete(b, b);
    await expect(throughPgBouncer(b, projectNames(b).database)).rejects.toThrow();
    expect((await throughPgBouncer(a, projectNames(a).database)).db).toBe(projectNames(a).database);
  });
});
