import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { BackupRouteDependencies } from './index.ts';

const body = {
  type: 'object',
  additionalProperties: false,
  properties: {
    project: { type: 'string', minLength: 1, maxLength: 64 },
    all: { type: 'boolean' },
    platform: { type: 'boolean' },
  },
} as const;

/** One project, the platform database, or everything (`{"all": true}`, the nightly run's work); 201 when done. */
export function runBackupRoute(app: FastifyInstance, deps: BackupRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().post('/backups', { schema: { body } }, async (request, reply) => {
    const result = await deps.backups.run(request.body ?? {});
    return reply.status(201).send(result);
  });
}
