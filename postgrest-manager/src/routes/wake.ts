import type { FastifyInstance } from 'fastify';
import type { DataApiFleet } from '../domain/data-api-fleet.ts';
import { ManagerErrors } from '../errors.ts';
import { isProjectId, projectIdParams, type ProjectIdParams } from './project-id.ts';

/**
 * POST /internal/postgrest/:projectId/wake, the gateway's question before it proxies: 200
 * `{state: 'running', url}` (after starting a sleeping one), 503 with Retry-After while it is
 * down, 404 for no such project.
 */
export function wakeRoute(app: FastifyInstance, fleet: DataApiFleet): void {
  app.post<{ Params: ProjectIdParams }>('/internal/postgrest/:projectId/wake', { schema: { params: projectIdParams } }, async (request) => {
    const { projectId } = request.params;
    if (!isProjectId(projectId)) throw ManagerErrors.projectNotFound(projectId);
    const outcome = await fleet.wake(projectId);
    if (outcome.state === 'unknown') throw ManagerErrors.projectNotFound(projectId);
    if (outcome.state === 'unavailable') throw ManagerErrors.dataApiUnavailable(projectId, outcome.retryAfterSeconds, outcome.reason);
    return outcome;
  });
}
