import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createLogger } from '@launchdb/common';
import { registerAuthService, type AuthService, type AuthServiceDependencies } from './plugin.ts';

export interface AuthAppDependencies extends AuthServiceDependencies {
  /** Honour X-Forwarded-For (behind our own Caddy): rate limits count the client's address. */
  trustProxy?: boolean;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** The auth service alone, as its container (main.ts), the tests and the benchmark run it. */
/** The Fastify app, and the service (forget a project's cached settings). */
export type AuthApp = FastifyInstance & { readonly auth: AuthService };

export async function buildAuthApp(deps: AuthAppDependencies): Promise<AuthApp> {
  const logger = deps.logger ?? createLogger({ level: 'info', name: 'auth-service' });
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy: deps.trustProxy ?? false,
    // each scope sets its own; this covers what reaches no scope
    bodyLimit: deps.settings.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    },
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const auth = await registerAuthService(app, { ...deps, logger });
  app.decorate('auth', auth);
  return app as unknown as AuthApp;
}
