import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ProjectRouteDependencies } from './index.ts';
import { projectIdParams, renderProject } from './render-project.ts';

/** A new JWT secret and keys; the project comes back with its new keys. */
export function rotateProjectKeysRoute(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().post('/projects/:id/keys/rotate', { schema: { params: projectIdParams } }, async (request, reply) => {
    await deps.provisioner.rotateKeys(request.params.id);
    const project = await deps.catalog.get(request.params.id);
    reply.header('cache-control', 'no-store');
    return renderProject(project!, deps.publicUrl, project!.keys);
  });
}
