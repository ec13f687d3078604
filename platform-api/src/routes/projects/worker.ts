import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { PlatformErrors } from '../../errors.ts';
import type { WorkerOperations } from '../../domain/worker.ts';
import type { ProjectRouteDependencies } from './index.ts';
import { projectIdParams } from './render-project.ts';

/** Runs a project's due-task reminders now (operators): what was sent and skipped, per member. */
export function workerRoutes(app: FastifyInstance, deps: ProjectRouteDependencies & { worker: WorkerOperations }): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().post('/projects/:id/worker/due-sweep', { schema: { params: projectIdParams } }, async (request) => {
    const project = await deps.catalog.get(request.params.id);
    if (!project) throw PlatformErrors.projectNotFound(request.params.id);
    if (project.status !== 'active') throw PlatformErrors.projectNotActive(request.params.id, project.status);
    const report = await deps.worker.dueSweep(request.params.id);
    if (report === undefined) throw PlatformErrors.validation(`project ${request.params.id} has no worker: its template does not ask for one`);
    return report;
  });
}
