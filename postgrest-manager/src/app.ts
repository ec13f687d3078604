import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { frameworkErrorToLaunchDbError, type Logger } from '@launchdb/common';
import { serveMetrics } from '@launchdb/common/http-metrics';
import type { Registry } from '@launchdb/common/metrics';
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
  /** Served at GET /metrics without the key: Prometheus scrapes it inside the network, Caddy never routes here. */
  metrics: Registry;
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
    const known = frameworkErrorToLaunchDbError(error);
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
  const guard = internalKeyGuard(deps.internalKey);
  app.addHook('onRequest', async (request) => {
    if (request.method === 'GET' && request.url.split('?', 1)[0] === '/metrics') return;
    await guard(request);
  });
  serveMetrics(app, deps.metrics);

  spawnRoute(app, deps.fleet);
  stopRoute(app, deps.fleet);
  listRoute(app, deps.fleet);
  statusRoute(app, deps.fleet);
  wakeRoute(app, deps.fleet);
  reloadRoute(app, deps.fleet);
  return app;
}
