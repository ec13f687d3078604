import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, withClient } from '@launchdb/common';
import { createServiceTestbed, type ServiceTestbed, type ServiceTestProject } from '../../test/service-projects.ts';
import { buildAuthApp, type AuthApp } from './app.ts';
import { defaultAuthServiceSettings } from './config.ts';
import { RAISED_RATE_LIMITS } from './testing/auth-testbed.ts';

describe('auth-service behind a trusted proxy', () => {
  let services: ServiceTestbed;
  let app: AuthApp;
  let project: ServiceTestProject;

  beforeAll(async () => {
    services = await createServiceTestbed();
    project = await services.createProject();
    app = await buildAuthApp({
      projects: services.directory,
      platformDb: services.platformDb,
      secrets: services.secrets,
      publicUrl: 'http://127.0.0.1',
      settings: defaultAuthServiceSettings({ rateLimits: RAISED_RATE_LIMITS }),
      logger: createLogger({ level: 'silent', name: 'auth-test' }),
      trustProxy: true,
    });
  });
  afterAll(async () => {
    await app?.close();
    await services?.close();
  });

  it('answers a URL the router cannot take (not UTF-8, a parameter too long) in GoTrue shape', async () => {
    for (const url of [`/auth/${project.id}/admin/users/%zz`, `/p/${project.id}/auth/v1/admin/users/${'u'.repeat(200)}`]) {
      const answer = await app.inject({ method: 'GET', url, headers: { apikey: project.anonKey } });
      expect({ url, status: answer.statusCode, body: answer.json() }).toMatchObject({ url, status: expect.any(Number), body: { code: expect.any(Number), error_code: 'validation_failed', msg: expect.any(String) } });
      expect(answer.statusCode).toBeGreaterThanOrEqual(400);
      expect(answer.statusCode).toBeLessThan(500);
    }
  });

  it('records the forwarded address of a session, and the connection\'s when X-Forwarded-For holds no address', async () => {
    const email = `proxied-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const signedUp = await app.inject({ method: 'POST', url: `/auth/${project.id}/signup`, headers: { apikey: project.anonKey, 'x-forwarded-for': '203.0.113.7' }, payload: { email, password: 'a fine password' } });
    expect(signedUp.statusCode).toBe(200);
    for (const forwarded of ['garbage', '999.1.1.1', 'garbage, 198.51.100.1']) {
      const login = await app.inject({
        method: 'POST',
        url: `/auth/${project.id}/token?grant_type=password`,
        headers: { apikey: project.anonKey, 'x-forwarded-for': forwarded },
        payload: { email, password: 'a fine password' },
      });
      expect({ forwarded, status: login.statusCode }).toEqual({ forwarded, status: 200 });
    }
    const addresses = await withClient(project.adminUrl, async (client) =>
      (await client.query<{ ip: string }>(`select host(s.ip) as ip from auth.sessions s join auth.users u on u.id = s.user_id where u.email = $1 order by s.created_at`, [email])).rows.map((row) => row.ip),
    );
    expect(addresses).toEqual(['203.0.113.7', '127.0.0.1', '127.0.0.1', '127.0.0.1']);
  });
});
