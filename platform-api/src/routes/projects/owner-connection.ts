import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ProjectRouteDependencies } from './index.ts';
import { projectIdParams } from './render-project.ts';

/**
 * The project's database as its owner (host, port, database, user, password): what `launchdb
 * project psql` connects with, wherever the platform's PostgreSQL listens. Operators can already
 * run any SQL as the owner through migrations, so this gives them nothing new.
 */
export function ownerConnectionRoute(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().get('/projects/:id/owner-connection', { schema: { params: projectIdParams } }, async (request, reply) => {
    const connection = await deps.migrations.ownerConnection(request.params.id);
    reply.header('cache-control', 'no-store');
    return connection;
  });
}
