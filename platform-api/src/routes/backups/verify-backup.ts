import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { accepted, backupIdParams, type BackupRouteDependencies } from './index.ts';
import { prefersAsync } from '../projects/render-project.ts';

/** Decrypts, checks every SHA-256, restores into a scratch database and compares row counts. */
export function verifyBackupRoute(app: FastifyInstance, deps: BackupRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().post('/backups/:id/verify', { schema: { params: backupIdParams } }, async (request, reply) => {
    if (prefersAsync(request)) return accepted(reply, deps.backups.inBackground({ operation: 'verify', id: request.params.id }));
    return deps.backups.verify(request.params.id);
  });
}
