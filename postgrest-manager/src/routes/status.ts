import type { FastifyInstance } from 'fastify';
import type { DataApiFleet } from '../domain/data-api-fleet.ts';
import { ManagerErrors } from '../errors.ts';
import { isProjectId, projectIdParams, type ProjectIdParams } from './project-id.ts';

/** GET /internal/postgrest/:projectId: its status and last log lines. */
export function statusRoute(app: FastifyInstance, fleet: DataApiFleet): void {
  app.get<{ Params: ProjectIdParams }>('/internal/postgrest/:projectId', { schema: { params: projectIdParams } }, async (request) => {
    const { projectId } = request.params;
    const status = isProjectId(projectId) ? await fleet.status(projectId) : undefined;
    if (!status) throw ManagerErrors.projectNotFound(projectId);
    return status;
  });
}
