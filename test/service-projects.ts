import { inject } from 'vitest';
import { ProjectDirectory, readLiveApiKeys, readProjectSecret, ProjectSecret, signHs256, withDatabase, projectNames, type Pool, type SecretBox } from '@launchdb/common';
import { createTestPlatform, randomProjectId, type TestPlatform } from '../platform-api/src/domain/projects/projects.test-support.ts';

/**
 * For the tests of the services that serve projects (auth, storage): a platform database and
 * projects provisioned in it by the real ProjectProvisioner, so each project database has the
 * real base template (roles, `auth` and `storage` schemas), a JWT secret, anon and service keys,
 * and an authenticator. No data API runs; the directory reaches PostgreSQL directly.
 */
export interface ServiceTestbed {
  platformDb: Pool;
  secrets: SecretBox;
  /** The directory the services look projects up in. */
  directory: ProjectDirectory;
  createProject(options?: { template?: string }): Promise<ServiceTestProject>;
  /** Deletes a project as an operator would (database, roles, secrets, keys). */
  deleteProject(projectId: string): Promise<void>;
  /** Rotates a project's keys and JWT secret as an operator would; returns the new ones. */
  rotateKeys(projectId: string): Promise<{ jwtSecret: string; anonKey: string; serviceKey: string }>;
  close(): Promise<void>;
}

export interface ServiceTestProject {
  id: string;
  jwtSecret: string;
  anonKey: string;
  serviceKey: string;
  /** Superuser URL of the project's database, for a test's own setup SQL. */
  adminUrl: string;
  /** A token signed with the project's secret: `{ role: 'authenticated', sub, … }` by default, lifetime 1 h. */
  token(claims?: Record<string, unknown>, options?: { secret?: string; expiresInSeconds?: number }): Promise<string>;
}

export async function createServiceTestbed(): Promise<ServiceTestbed> {
  const platform: TestPlatform = await createTestPlatform();
  const server = new URL(inject('postgresUrl'));
  const directory = new ProjectDirectory({
    platformDb: platform.db,
    secrets: platform.secrets,
    pooler: { host: server.hostname, port: Number(server.port) },
    applicationName: 'service-test',
    ttlMs: 1_000,
  });
  const provisioner = platform.provisioner();
  const credentials = async (id: string) => {
    const keys = await readLiveApiKeys(platform.db, platform.secrets, id);
    const jwtSecret = await readProjectSecret(platform.db, platform.secrets, id, ProjectSecret.jwtSecret);
    return { jwtSecret: jwtSecret!, anonKey: keys.anon!, serviceKey: keys.service_role! };
  };
  return {
    platformDb: platform.db,
    secrets: platform.secrets,
    directory,
    async createProject(options = {}) {
      const id = randomProjectId();
      platform.created.add(id);
      await provisioner.create({ id, name: id, ...(options.template ? { template: options.template } : {}) });
      const found = await credentials(id);
      return {
        id,
        ...found,
        adminUrl: withDatabase(inject('postgresUrl'), projectNames(id).database),
        token: (claims = {}, tokenOptions = {}) =>
          signHs256(
            { role: 'authenticated', aud: 'authenticated', ...claims },
            { secret: tokenOptions.secret ?? found.jwtSecret, expiresInSeconds: tokenOptions.expiresInSeconds ?? 3600 },
          ),
      };
    },
    async deleteProject(projectId) {
      await provisioner.delete(projectId, projectId);
      directory.forget(projectId);
    },
    async rotateKeys(projectId) {
      await provisioner.rotateKeys(projectId);
      directory.forget(projectId);
      return credentials(projectId);
    },
    async close() {
      await directory.close();
      await platform.close();
    },
  };
}
