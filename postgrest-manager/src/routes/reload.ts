import type { FastifyInstance } from 'fastify';
import type { DataApiFleet } from '../domain/data-api-fleet.ts';
import { ManagerErrors } from '../errors.ts';
import { isProjectId, projectIdParams, type ProjectIdParams } from './project-id.ts';

/** POST /internal/postgrest/:projectId/reload: after a key rotation; 200 with its status once the new one serves. */
export function reloadRoute(app: FastifyInstance, fleet: DataApiFleet): void {
  app.post<{ Params: ProjectIdParams }>('/internal/postgrest/:projectId/reload', { schema: { params: projectIdParams } }, async (request) => {
    const { projectId } = request.params;
    if (!isProjectId(projectId)) throw ManagerErrors.projectNotFound(projectId);
    await fleet.reload(projectId);
    return fleet.current(projectId);
  });
}
