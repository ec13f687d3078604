import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthClient } from '@supabase/auth-js';
import { createLogger, ProjectDirectory, projectNames } from '@launchdb/common';
import { startTestPgBouncer, type TestPgBouncer } from '@launchdb/testkit/pgbouncer';
import { createServiceTestbed, type ServiceTestbed, type ServiceTestProject } from '../../test/service-projects.ts';
import { reservePort } from '@launchdb/testkit/ports';
import { buildAuthApp, type AuthApp } from './app.ts';
import { defaultAuthServiceSettings } from './config.ts';
import { RAISED_RATE_LIMITS, memoryStorage } from './testing/auth-testbed.ts';

describe('auth-service through a real PgBouncer in transaction pooling', () => {
  let services: ServiceTestbed;
  let project: ServiceTestProject;
  let bouncer: TestPgBouncer;
  let directory: ProjectDirectory;
  let app: AuthApp;
  let base: string;

  beforeAll(async () => {
    services = await createServiceTestbed();
    project = await services.createProject();
    const names = projectNames(project.id);
    // two server connections for many clients: each transaction lands on whichever is free
    bouncer = await startTestPgBouncer({
      adminUrl: project.adminUrl,
      database: names.database,
      alias: names.database,
      login: { user: names.authenticator, password: '' },
      poolSize: 2,
    });
    directory = new ProjectDirectory({
      platformDb: services.platformDb,
      secrets: services.secrets,
      pooler: { host: bouncer.process.host, port: bouncer.process.port },
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
    await bouncer?.close();
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
