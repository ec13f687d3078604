import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { LaunchDbError, type Logger } from '@launchdb/common';
import type { DataApiFleet } from './domain/data-api-fleet.ts';
import { ManagerErrors, renderManagerError } from './errors.ts';
import { internalKeyGuard } from './routes/internal-key.ts';
import { listRoute } from './routes/list.ts';
import { reloadRoute } from './routes/reload.ts';
import { spawnRoute } from './routes/spawn.ts';
import { statusRoute } from './routes/status.ts';
import { stopRoute } from './routes/stop.ts';
import { wakeRoute } from './routes/wake.ts';

export interface PostgrestManagerAppDependencies {
  fleet: DataApiFleet;
  /** What callers send as X-Internal-Key; at least 32 characters. */
  internalKey: string;
  logger: Logger;
}

/** The internal HTTP API over the fleet. Not for the gateway's public side: every route wants the internal key. */
export async function buildPostgrestManagerApp(deps: PostgrestManagerAppDependencies): Promise<FastifyInstance> {
  if (deps.internalKey.length < 32) throw new RangeError('the internal key must have at least 32 characters');
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 16 * 1024,
    // the gateway asks for a wake about once a second per busy project: the fleet logs what matters
    logController: new LogController({ disableRequestLogging: true }),
    // an unknown property is a caller's mistake to report, not to drop silently
    ajv: { customOptions: { removeAdditional: false } },
  });

  app.setErrorHandler((error, request, reply) => {
    const known = toManagerError(error);
    if (known.status >= 500 && known.code === 'internal_error') request.log.error({ err: error }, 'request failed');
    const retryAfter = known.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    return reply.status(known.status).send(renderManagerError(known));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(renderManagerError(ManagerErrors.notFound(`route ${request.method} ${request.url.split('?')[0]}`))),
  );
  // JSON only
  app.removeContentTypeParser('text/plain');
  // before routing, so that without the key not even a 404 tells what exists
  app.addHook('onRequest', internalKeyGuard(deps.internalKey));

  spawnRoute(app, deps.fleet);
  stopRoute(app, deps.fleet);
  listRoute(app, deps.fleet);
  statusRoute(app, deps.fleet);
  wakeRoute(app, deps.fleet);
  reloadRoute(app, deps.fleet);
  return app;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message: string;
  validation?: unknown;
}

function toManagerError(error: unknown): LaunchDbError {
  if (error instanceof LaunchDbError) return error;
  const fastifyError = error as FastifyLikeError;
  if (fastifyError.validation) return ManagerErrors.validation(fastifyError.message);
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ManagerErrors.unsupportedMediaType();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return ManagerErrors.badJson('request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return ManagerErrors.badJson('request body is not valid JSON');
  }
  if (fastifyError.statusCode === 400 && error instanceof SyntaxError) return ManagerErrors.badJson('request body is not valid JSON');
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new LaunchDbError('bad_request', fastifyError.statusCode, fastifyError.message);
  }
  return ManagerErrors.internal();
}
