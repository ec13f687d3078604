import type { FastifyInstance } from 'fastify';
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

/** /backups, operators only. Runs, verifies and restores answer when they are done. */
export async function backupRoutes(app: FastifyInstance, deps: BackupRouteDependencies & { authenticate: OperatorAuthentication }): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRequest', deps.authenticate);
    listBackupsRoute(scope, deps);
    runBackupRoute(scope, deps);
    verifyBackupRoute(scope, deps);
    restoreBackupRoute(scope, deps);
    restorePlatformRoute(scope, deps);
  });
}

export const backupIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 80 } },
} as const;
