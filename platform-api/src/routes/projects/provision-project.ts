import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ProjectRouteDependencies } from './index.ts';
import { prefersAsync, projectIdParams, renderProject } from './render-project.ts';

/** Runs provisioning again (a retry after a failure); 200 once active, 202 at once with `Prefer: respond-async`. */
export function provisionProjectRoute(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().post('/projects/:id/provision', { schema: { params: projectIdParams } }, async (request, reply) => {
    const started = await deps.provisioner.beginResume(request.params.id);
    if (prefersAsync(request)) return reply.status(202).send(renderProject(started.project, deps.publicUrl, null));
    await started.finished;
    const project = await deps.catalog.get(request.params.id);
    return renderProject(project!, deps.publicUrl, project!.keys);
  });
}
