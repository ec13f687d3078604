import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { PlatformErrors } from '../../errors.ts';
import type { DataApiFleetView } from '../../domain/projects/data-api-fleet-view.ts';
import type { ProjectRouteDependencies } from './index.ts';
import { projectIdParams } from './render-project.ts';

/**
 * A project's data API as postgrest-manager runs it: status, start (or find running), stop.
 * A stopped one is started again by the next request through the gateway.
 */
export function dataApiRoutes(app: FastifyInstance, deps: ProjectRouteDependencies & { dataApis: DataApiFleetView }): void {
  const typed = app.withTypeProvider<JsonSchemaToTsProvider>();
  const activeProject = async (id: string): Promise<void> => {
    const project = await deps.catalog.get(id);
    if (!project) throw PlatformErrors.projectNotFound(id);
    if (project.status !== 'active') throw PlatformErrors.projectNotActive(id, project.status);
  };

  typed.get('/projects/:id/data-api', { schema: { params: projectIdParams } }, async (request) => {
    await activeProject(request.params.id);
    const status = await deps.dataApis.status(request.params.id);
    if (!status) throw PlatformErrors.notFound(`data API of project ${request.params.id}`);
    return status;
  });

  typed.post('/projects/:id/data-api', { schema: { params: projectIdParams } }, async (request) => {
    await activeProject(request.params.id);
    await deps.dataApis.spawn(request.params.id);
    return deps.dataApis.status(request.params.id);
  });

  typed.delete('/projects/:id/data-api', { schema: { params: projectIdParams } }, async (request, reply) => {
    await activeProject(request.params.id);
    await deps.dataApis.stop(request.params.id);
    return reply.status(204).send();
  });

  typed.get('/data-apis', async () => ({ dataApis: await deps.dataApis.list() }));
}
