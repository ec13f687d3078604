import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { backupIdParams, type BackupRouteDependencies } from './index.ts';

/** Decrypts, checks every SHA-256, restores into a scratch database and compares row counts. */
export function verifyBackupRoute(app: FastifyInstance, deps: BackupRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().post('/backups/:id/verify', { schema: { params: backupIdParams } }, async (request) =>
    deps.backups.verify(request.params.id),
  );
}
