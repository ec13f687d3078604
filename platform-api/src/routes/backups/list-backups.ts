import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { BackupRouteDependencies } from './index.ts';

const querystring = {
  type: 'object',
  additionalProperties: false,
  properties: { project: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

/** Complete backups, newest first; `?project=<id>` for one project's. */
export function listBackupsRoute(app: FastifyInstance, deps: BackupRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().get('/backups', { schema: { querystring } }, async (request) => ({
    backups: await deps.backups.list(request.query.project),
  }));
}
