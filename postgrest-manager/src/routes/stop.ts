import type { FastifyInstance } from 'fastify';
import type { DataApiFleet } from '../domain/data-api-fleet.ts';
import { isProjectId, projectIdParams, type ProjectIdParams } from './project-id.ts';

/** DELETE /internal/postgrest/:projectId: stops and forgets it; 204 also when none ran. */
export function stopRoute(app: FastifyInstance, fleet: DataApiFleet): void {
  app.delete<{ Params: ProjectIdParams }>('/internal/postgrest/:projectId', { schema: { params: projectIdParams } }, async (request, reply) => {
    if (isProjectId(request.params.projectId)) await fleet.stop(request.params.projectId);
    return reply.code(204).send();
  });
}
