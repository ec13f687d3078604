import type { FastifyInstance, FastifyReply } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { PlatformErrors } from '../../errors.ts';
import type { BackupOperations } from '../../domain/backups.ts';
import type { OperatorAuthentication } from '../operator-authentication.ts';
import { listBackupsRoute } from './list-backups.ts';
import { restoreBackupRoute } from './restore-backup.ts';
import { restorePlatformRoute } from './restore-platform.ts';
import { runBackupRoute } from './run-backup.ts';
import { verifyBackupRoute } from './verify-backup.ts';

export interface BackupRouteDependencies {
  backups: BackupOperations;
}

/**
 * /backups, operators only. Runs, verifies and restores answer when they are done, or at once
 * with `Prefer: respond-async`: 202 and a job (`Location: /api/backups/jobs/<id>`) to poll.
 */
export async function backupRoutes(app: FastifyInstance, deps: BackupRouteDependencies & { authenticate: OperatorAuthentication }): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRequest', deps.authenticate);
    listBackupsRoute(scope, deps);
    runBackupRoute(scope, deps);
    verifyBackupRoute(scope, deps);
    restoreBackupRoute(scope, deps);
    restorePlatformRoute(scope, deps);
    scope.withTypeProvider<JsonSchemaToTsProvider>().get('/backups/jobs/:id', { schema: { params: backupIdParams } }, async (request) => {
      const job = deps.backups.job(request.params.id);
      if (!job) throw PlatformErrors.notFound(`backup job ${request.params.id}`);
      return job;
    });
  });
}

export const backupIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 80 } },
} as const;

export function accepted(reply: FastifyReply, job: { id: string }): FastifyReply {
  reply.header('location', `/api/backups/jobs/${job.id}`);
  return reply.status(202).send(job);
}
