import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ProjectRouteDependencies } from './index.ts';
import { projectIdParams } from './render-project.ts';

const querystring = {
  type: 'object',
  properties: { confirm: { type: 'string', maxLength: 64 } },
} as const;

/** 204 once the database, roles, pool entry and data API are gone; refused (400) unless `?confirm=<id>`. */
export function deleteProjectRoute(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().delete('/projects/:id', { schema: { params: projectIdParams, querystring } }, async (request, reply) => {
    await deps.provisioner.delete(request.params.id, request.query.confirm);
    return reply.status(204).send();
  });
}
