import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from '@launchdb/common/logger';
import type { SchemaCacheSource } from './dependencies.ts';
import { schemalessController } from './schemaless.ts';

export interface AdminServerDependencies {
  logger: Logger;
  pool: pg.Pool;
  schemaCache: SchemaCacheSource;
  /** False once the process is shutting down. */
  isLive?: () => boolean;
  /** How long /ready waits for `select 1`; 2 s by default. */
  databaseCheckTimeoutMs?: number;
}

/**
 * PostgREST's admin server: `GET /live` is 200 while the process serves (503 when shutting
 * down); `GET /ready` is 200 when the database answers and the schema cache is loaded, else 503.
 */
export async function buildAdminServer(deps: AdminServerDependencies): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, schemaController: schemalessController });
  app.get('/live', async (_request, reply) => reply.code(deps.isLive?.() === false ? 503 : 200).send());
  app.get('/ready', async (_request, reply) => {
    const ready = deps.isLive?.() !== false && deps.schemaCache.current() !== undefined && (await databaseAnswers(deps.pool, deps.databaseCheckTimeoutMs ?? 2_000));
    return reply.code(ready ? 200 : 503).send();
  });
  return app;
}

async function databaseAnswers(pool: pg.Pool, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const check = pool.query('select 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
