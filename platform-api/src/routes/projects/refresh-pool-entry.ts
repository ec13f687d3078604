import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ProjectRouteDependencies } from './index.ts';
import { projectIdParams } from './render-project.ts';

/** Rewrites the project's PgBouncer entry and reloads; answers where its data API connects. */
export function refreshPoolEntryRoute(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().post('/projects/:id/pooler', { schema: { params: projectIdParams } }, async (request) => {
    const address = await deps.provisioner.refreshPoolEntry(request.params.id);
    return { project: request.params.id, pooler: address };
  });
}
