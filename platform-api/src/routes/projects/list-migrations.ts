import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ProjectRouteDependencies } from './index.ts';
import { projectIdParams } from './render-project.ts';

export function listMigrationsRoute(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().get('/projects/:id/migrations', { schema: { params: projectIdParams } }, async (request) => ({
    migrations: (await deps.migrations.list(request.params.id)).map((migration) => ({
      name: migration.name,
      checksum: migration.checksum,
      applied_at: migration.appliedAt.toISOString(),
    })),
  }));
}
