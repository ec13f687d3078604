import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectNames, withClient } from '@launchdb/common';
import { createTestPlatform, type TestPlatform, type TestProject } from '../testing/test-platform.ts';
import { connectionUri, PlatformDataApiSettings } from './platform-data-api-settings.ts';
import { settingsHash } from './data-api-settings.ts';

describe('PlatformDataApiSettings', () => {
  let platform: TestPlatform;
  let project: TestProject;

  beforeAll(async () => {
    platform = await createTestPlatform();
    project = await platform.createProject();
  });
  afterAll(async () => {
    await platform?.close();
  });

  const source = (): PlatformDataApiSettings =>
    new PlatformDataApiSettings({
      db: platform.db,
      secrets: platform.secrets,
      pooler: { host: '127.0.0.1', port: 6432 },
      postgres: platform.postgres,
    });

  it('builds the PGRST settings from the project row and its decrypted secrets', async () => {
    const settings = await source().settingsFor(project.id);
    const names = projectNames(project.id);
    expect(settings).toMatchObject({
      projectId: project.id,
      jwtSecret: project.jwtSecret,
      dbSchemas: 'public',
      anonRole: 'anon',
      dbPool: 5,
      logLevel: 'error',
    });
    const pooled = new URL(settings!.dbUri);
    expect([pooled.hostname, pooled.port, pooled.username, pooled.pathname]).toEqual(['127.0.0.1', '6432', names.authenticator, `/${names.database}`]);
    const direct = new URL(settings!.dbListenUri);
    expect([direct.hostname, Number(direct.port), direct.username, direct.pathname]).toEqual([platform.postgres.host, platform.postgres.port, names.authenticator, `/${names.database}`]);
    // the password works: the authenticator logs in directly
    await withClient(settings!.dbListenUri, async (client) => {
      expect((await client.query('select current_user as user')).rows[0].user).toBe(names.authenticator);
    });
  });

  it('knows nothing of unknown, failed or deleting projects', async () => {
    expect(await source().settingsFor('tnosuchproject')).toBeUndefined();
    await project.setStatus('failed');
    expect(await source().settingsFor(project.id)).toBeUndefined();
    await project.setStatus('deleting');
    expect(await source().settingsFor(project.id)).toBeUndefined();
    await project.setStatus('provisioning');
    expect(await source().settingsFor(project.id)).toBeDefined();
    expect(await source().activeProjects()).not.toContain(project.id);
    await project.setStatus('active');
    expect(await source().activeProjects()).toContain(project.id);
  });

  it('refuses a project whose secrets are not written yet', async () => {
    await platform.db.query("insert into platform.projects (id, name, status) values ('tnosecrets1', 'x', 'provisioning')");
    await expect(source().settingsFor('tnosecrets1')).rejects.toMatchObject({ code: 'project_not_ready', status: 409 });
    await platform.db.query("delete from platform.projects where id = 'tnosecrets1'");
  });

  it('sees a rotated JWT secret, which changes the settings hash', async () => {
    const before = await source().settingsFor(project.id);
    const secret = await project.rotateJwtSecret();
    const after = await source().settingsFor(project.id);
    expect(after!.jwtSecret).toBe(secret);
    expect(settingsHash(after!)).not.toBe(settingsHash(before!));
    expect(settingsHash(after!)).not.toContain(secret);
  });

  it('escapes credentials and brackets IPv6 hosts in connection URIs', () => {
    const uri = connectionUri({ host: '::1', port: 5432 }, 'proj_abc_authenticator', 'p@ss/w:rd', 'proj_abc');
    expect(uri).toBe('postgres://proj_abc_authenticator:p%40ss%2Fw%3Ard@[::1]:5432/proj_abc');
    expect(decodeURIComponent(new URL(uri).password)).toBe('p@ss/w:rd');
  });
});
