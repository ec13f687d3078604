import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { accepted, type BackupRouteDependencies } from './index.ts';
import { prefersAsync } from '../projects/render-project.ts';

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
    if (prefersAsync(request)) return accepted(reply, deps.backups.inBackground({ operation: 'run', ...(request.body ?? {}) }));
    const result = await deps.backups.run(request.body ?? {});
    return reply.status(201).send(result);
  });
}
