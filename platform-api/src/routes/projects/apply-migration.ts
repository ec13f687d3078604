import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ProjectRouteDependencies } from './index.ts';
import { projectIdParams } from './render-project.ts';

export const MAX_MIGRATION_SQL_LENGTH = 1024 * 1024;

const body = {
  type: 'object',
  required: ['name', 'sql'],
  additionalProperties: false,
  properties: {
    // a file name such as 0003_add_tags.sql fits
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$' },
    sql: { type: 'string', minLength: 1, maxLength: MAX_MIGRATION_SQL_LENGTH },
  },
} as const;

export function applyMigrationRoute(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().post(
    '/projects/:id/migrations',
    // JSON escaping can double SQL's size on the wire; the schema bounds the SQL itself
    { schema: { params: projectIdParams, body }, bodyLimit: 4 * MAX_MIGRATION_SQL_LENGTH },
    async (request, reply) => {
      const applied = await deps.migrations.apply(request.params.id, request.body);
      return reply.status(201).send({ name: applied.name, checksum: applied.checksum, applied_at: applied.appliedAt.toISOString() });
    },
  );
}
