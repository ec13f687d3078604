import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AuthClient } from '@supabase/auth-js';
import { createLogger, findFreePort, ProjectDirectory, projectNames, serviceUser, withClient } from '@launchdb/common';
import { findPgBouncerBinary, PgBouncerProcess, readScramSecrets } from '@launchdb/pgbouncer';
import { createServiceTestbed, type ServiceTestbed, type ServiceTestProject } from '../../test/service-projects.ts';
import { reservePort } from '../../test/ports.ts';
import { buildAuthApp, type AuthApp } from './app.ts';
import { defaultAuthServiceSettings } from './config.ts';
import { RAISED_RATE_LIMITS, memoryStorage } from './testing/auth-testbed.ts';

describe('auth-service through a real PgBouncer in transaction pooling', () => {
  let services: ServiceTestbed;
  let project: ServiceTestProject;
  let bouncer: PgBouncerProcess;
  let configDir: string;
  let directory: ProjectDirectory;
  let app: AuthApp;
  let base: string;

  beforeAll(async () => {
    const binary = findPgBouncerBinary();
    if (!binary) throw new Error('no pgbouncer binary (Debian: apt-get install pgbouncer)');
    services = await createServiceTestbed();
    project = await services.createProject();
    const names = projectNames(project.id);
    configDir = await mkdtemp(join(tmpdir(), 'auth-pgbouncer-'));
    await chmod(configDir, 0o755);
    const server = new URL(inject('postgresUrl'));
    const users = await withClient(project.adminUrl, (client) => readScramSecrets(client, [names.authenticator]));
    bouncer = new PgBouncerProcess({
      binary,
      configDir,
      settings: {
        listenAddress: '127.0.0.1',
        listenPort: await findFreePort(),
        unixSocketDir: '',
        adminUsers: [],
        statsUsers: [],
        // two server connections for many clients: each transaction lands on whichever is free
        databases: [{ alias: names.database, host: '127.0.0.1', port: Number(server.port), dbname: names.database, poolSize: 2 }],
        maxClientConn: 100,
        defaultPoolSize: 2,
      },
      users,
      runAs: serviceUser(),
    });
    await bouncer.start();
    directory = new ProjectDirectory({
      platformDb: services.platformDb,
      secrets: services.secrets,
      pooler: { host: bouncer.host, port: bouncer.port },
      applicationName: 'auth-pgbouncer-test',
      poolMax: 8,
    });
    const port = await reservePort();
    base = `http://127.0.0.1:${port}`;
    app = await buildAuthApp({
      projects: directory,
      platformDb: services.platformDb,
      secrets: services.secrets,
      publicUrl: base,
      settings: defaultAuthServiceSettings({ rateLimits: RAISED_RATE_LIMITS, anonymousUsersEnabled: true }),
      logger: createLogger({ level: 'silent', name: 'auth-pgbouncer-test' }),
    });
    await app.listen({ host: '127.0.0.1', port });
  });

  afterAll(async () => {
    await app?.close();
    await directory?.close();
    await bouncer?.stop();
    if (configDir) await rm(configDir, { recursive: true, force: true });
    await services?.close();
  });

  const client = () =>
    new AuthClient({ url: `${base}/auth/${project.id}`, headers: { apikey: project.anonKey }, storage: memoryStorage(), storageKey: `sb-${Math.random()}`, autoRefreshToken: false, detectSessionInUrl: false });

  it('signs up, in, refreshes, reads the user and signs out, many clients at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const auth = client();
        const address = `bouncer-${i}-${Math.random().toString(36).slice(2, 6)}@example.com`;
        const steps = [
          (await auth.signUp({ email: address, password: 'through pgbouncer' })).error,
          (await auth.signInWithPassword({ email: address, password: 'through pgbouncer' })).error,
          (await auth.refreshSession()).error,
          (await auth.refreshSession()).error,
          (await auth.getUser()).error,
          (await auth.signInAnonymously()).error,
          (await auth.signOut({ scope: 'local' })).error,
        ];
        return steps.map((error) => error?.message ?? null);
      }),
    );
    for (const steps of results) expect(steps).toEqual([null, null, null, null, null, null, null]);
  });
});
