import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { answerUnroutableUrls, echoRequestId, frameworkErrorToLaunchDbError, rejectUnstorableInput, REQUEST_ID_OPTIONS, type Logger, type Pool } from '@launchdb/common';
import { PlatformErrors, renderPlatformError } from './errors.ts';
import type { DependencyCheck } from './domain/health.ts';
import { OperatorAccounts } from './domain/operators.ts';
import { OperatorTokens } from './domain/operator-tokens.ts';
import { healthRoute } from './routes/health.ts';
import { loginRoute } from './routes/auth/login.ts';
import { meRoute } from './routes/me.ts';
import { operatorAuthentication } from './routes/operator-authentication.ts';
import { projectRoutes, type ProjectRouteDependencies } from './routes/projects/index.ts';
import { backupRoutes } from './routes/backups/index.ts';
import type { BackupOperations } from './domain/backups.ts';

export interface PlatformApiDependencies {
  db: Pool;
  logger: Logger;
  jwtSecret: string;
  tokenLifetimeSeconds: number;
  /** Logins allowed per client address per minute, successful or not. */
  loginAttemptsPerMinute: number;
  healthChecks: DependencyCheck[];
  /** Honour X-Forwarded-For: only behind our own Caddy. */
  trustProxy?: boolean;
  /** The /api/projects routes: `createProjectServices(...)` and the platform's public URL. Absent: no project routes. */
  projects?: ProjectRouteDependencies;
  /** The /api/backups routes and the backups' line in /api/health. Absent: neither. */
  backups?: BackupOperations;
}

export type PlatformApi = FastifyInstance;


export async function buildPlatformApi(deps: PlatformApiDependencies): Promise<PlatformApi> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: 64 * 1024,
    ...REQUEST_ID_OPTIONS,
    frameworkErrors: answerUnroutableUrls((error, _request, reply: FastifyReply) => reply.status(error.statusCode ?? 400).send(renderPlatformError(frameworkErrorToLaunchDbError(error)))),
  });

  app.addHook('onRequest', echoRequestId);

  app.setErrorHandler((error, request, reply) => {
    const known = frameworkErrorToLaunchDbError(error);
    if (known.code === 'internal_error') request.log.error({ err: error }, 'request failed');
    else if (known.status >= 500) request.log.warn({ code: known.code, reason: (error as Error).message }, 'request failed');
    const retryAfter = known.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    return reply.status(known.status).send(renderPlatformError(known));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(renderPlatformError(PlatformErrors.notFound(`route ${request.method} ${request.url.split('?')[0]}`))),
  );

  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => PlatformErrors.rateLimited(Math.ceil(context.ttl / 1000)),
  });

  const operators = new OperatorAccounts(deps.db);
  const tokens = new OperatorTokens(deps.jwtSecret, deps.tokenLifetimeSeconds);
  const authenticate = operatorAuthentication(tokens, operators);

  await app.register(
    async (api) => {
      rejectUnstorableInput(api, (input) => PlatformErrors.validation(input.message));
      const worker = deps.projects?.worker;
      healthRoute(api, deps.healthChecks, deps.backups || worker ? () => ({ ...(deps.backups ? { backups: deps.backups.health() } : {}), ...(worker ? { worker: worker.health() } : {}) }) : undefined);
      loginRoute(api, { operators, tokens, attemptsPerMinute: deps.loginAttemptsPerMinute });
      meRoute(api, authenticate);
      if (deps.projects) await projectRoutes(api, { ...deps.projects, authenticate });
      if (deps.backups) await backupRoutes(api, { backups: deps.backups, authenticate });
    },
    { prefix: '/api' },
  );
  return app;
}
