import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createLogger } from '@launchdb/common';
import { createServiceTestbed, type ServiceTestbed, type ServiceTestProject } from '../../test/service-projects.ts';
import { defaultAuthServiceSettings } from './config.ts';
import { registerAuthService } from './plugin.ts';
import { RAISED_RATE_LIMITS } from './testing/auth-testbed.ts';

describe('registerAuthService in an app that serves other routes (the embedded platform)', () => {
  let services: ServiceTestbed;
  let project: ServiceTestProject;
  let app: FastifyInstance;
  const logLines: string[] = [];

  beforeAll(async () => {
    services = await createServiceTestbed();
    project = await services.createProject();
    const logger = createLogger({ level: 'info', name: 'plugin-test', destination: { write: (line: string) => void logLines.push(line) } });
    app = Fastify({ loggerInstance: logger as FastifyBaseLogger, bodyLimit: 64 * 1024 });
    app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: { code: 'not_found', message: 'platform 404' } }));
    // what the /db gateway and the storage service register beside it
    app.all('/p/:projectId/rest/v1/*', async () => ({ from: 'data api' }));
    app.all('/storage/:projectId/*', async () => ({ from: 'storage' }));
    app.post('/api/echo', async (request) => request.body);
    await registerAuthService(app, {
      projects: services.directory,
      platformDb: services.platformDb,
      secrets: services.secrets,
      publicUrl: 'http://127.0.0.1:8000',
      settings: defaultAuthServiceSettings({ rateLimits: RAISED_RATE_LIMITS }),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await services?.close();
  });

  it('answers under both prefixes and leaves the neighbours alone', async () => {
    for (const url of [`/auth/${project.id}/health`, `/p/${project.id}/auth/v1/health`]) {
      const response = await app.inject({ url, headers: { apikey: project.anonKey } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-supabase-api-version']).toBe('2024-01-01');
    }
    const rest = await app.inject({ url: `/p/${project.id}/rest/v1/todos` });
    expect(rest.json()).toEqual({ from: 'data api' });
    // the auth scope's hooks (apikey, CORS, API version) reach no other route
    expect(rest.headers['x-supabase-api-version']).toBeUndefined();
    expect((await app.inject({ url: `/storage/${project.id}/object` })).json()).toEqual({ from: 'storage' });
  });

  it('keeps its error shape, parsers and 404s to itself', async () => {
    const unknownAuth = await app.inject({ url: `/auth/${project.id}/nothing-here`, headers: { apikey: project.anonKey } });
    expect(unknownAuth.statusCode).toBe(404);
    expect(unknownAuth.json()).toMatchObject({ error_code: 'not_found' });
    const elsewhere = await app.inject({ url: '/nowhere' });
    expect(elsewhere.json()).toEqual({ error: { code: 'not_found', message: 'platform 404' } });
    // the app's own JSON parser still serves its routes
    const echo = await app.inject({ method: 'POST', url: '/api/echo', payload: { ok: true } });
    expect(echo.json()).toEqual({ ok: true });
    const badJson = await app.inject({ method: 'POST', url: `/auth/${project.id}/signup`, headers: { apikey: project.anonKey, 'content-type': 'application/json' }, payload: '{' });
    expect(badJson.json()).toMatchObject({ code: 400, error_code: 'bad_json' });
  });

  it('logs no token and no password', async () => {
    const signup = await app.inject({
      method: 'POST',
      url: `/auth/${project.id}/signup`,
      headers: { apikey: project.anonKey, 'content-type': 'application/json' },
      payload: { email: 'logged@example.com', password: 'never-in-a-log-line' },
    });
    const session = signup.json<{ access_token: string; refresh_token: string }>();
    await app.inject({ method: 'POST', url: `/auth/${project.id}/token?grant_type=refresh_token`, headers: { apikey: project.anonKey, 'content-type': 'application/json' }, payload: { refresh_token: session.refresh_token } });
    await app.inject({ url: `/auth/${project.id}/verify?type=signup&token=secret-token-hash-in-the-url` });
    await app.inject({ url: `/auth/${project.id}/user`, headers: { apikey: project.anonKey, authorization: `Bearer ${session.access_token}` } });
    const logged = logLines.join('');
    expect(logged).toContain('incoming request');
    for (const secret of ['never-in-a-log-line', session.refresh_token, session.access_token, 'secret-token-hash-in-the-url']) expect(logged).not.toContain(secret);
  });
});
