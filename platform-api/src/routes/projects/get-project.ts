import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { PlatformErrors } from '../../errors.ts';
import type { ProjectRouteDependencies } from './index.ts';
import { projectIdParams, renderProject } from './render-project.ts';

export function getProjectRoute(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().get('/projects/:id', { schema: { params: projectIdParams } }, async (request, reply) => {
    const project = await deps.catalog.get(request.params.id);
    if (!project) throw PlatformErrors.projectNotFound(request.params.id);
    // the body holds the project's keys
    reply.header('cache-control', 'no-store');
    return renderProject(project, deps.publicUrl, project.keys);
  });
}
