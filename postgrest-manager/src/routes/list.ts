import type { FastifyInstance } from 'fastify';
import type { DataApiFleet } from '../domain/data-api-fleet.ts';

/** GET /internal/postgrest: every data API the manager tracks. */
export function listRoute(app: FastifyInstance, fleet: DataApiFleet): void {
  app.get('/internal/postgrest', async () => ({ dataApis: fleet.list() }));
}
