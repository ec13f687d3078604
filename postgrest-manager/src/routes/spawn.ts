import type { FastifyInstance } from 'fastify';
import { PROJECT_ID_PATTERN } from '@launchdb/common';
import type { DataApiFleet } from '../domain/data-api-fleet.ts';

const body = {
  type: 'object',
  required: ['projectId'],
  additionalProperties: false,
  properties: { projectId: { type: 'string', pattern: PROJECT_ID_PATTERN.source } },
} as const;

/** POST /internal/postgrest/spawn {projectId}: starts it (or finds it running); 200 with its status once it is ready. */
export function spawnRoute(app: FastifyInstance, fleet: DataApiFleet): void {
  app.post<{ Body: { projectId: string } }>('/internal/postgrest/spawn', { schema: { body } }, async (request) => {
    await fleet.spawn(request.body.projectId);
    return fleet.current(request.body.projectId);
  });
}
