import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { answerUnroutableUrls, createLogger, echoRequestId, REQUEST_ID_OPTIONS } from '@launchdb/common';
import { registerHttpMetrics } from '@launchdb/common/http-metrics';
import { registerAuthService, type AuthService, type AuthServiceDependencies } from './plugin.ts';

export interface AuthAppDependencies extends AuthServiceDependencies {
  /** Honour X-Forwarded-For (behind our own Caddy): rate limits count the client's address. */
  trustProxy?: boolean;
}


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
    ...REQUEST_ID_OPTIONS,
    frameworkErrors: answerUnroutableUrls((error, _request, reply: FastifyReply) => reply.code(error.statusCode ?? 400).send({ message: error.message })),
  });
  app.addHook('onRequest', echoRequestId);
  // for Caddy's and the container's health checks, which know no project
  app.get('/health', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  registerHttpMetrics(app, { service: 'auth-service' });
  const auth = await registerAuthService(app, { ...deps, logger });
  app.decorate('auth', auth);
  return app as unknown as AuthApp;
}
