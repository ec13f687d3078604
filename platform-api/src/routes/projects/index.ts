import type { FastifyInstance } from 'fastify';
import type { ProjectServices } from '../../domain/projects/project-services.ts';
import type { OperatorAuthentication } from '../operator-authentication.ts';
import type { DataApiFleetView } from '../../domain/projects/data-api-fleet-view.ts';
import { applyMigrationRoute } from './apply-migration.ts';
import { authSettingsRoutes } from './auth-settings.ts';
import { dataApiRoutes } from './data-api.ts';
import { createProjectRoute } from './create-project.ts';
import { deleteProjectRoute } from './delete-project.ts';
import { getProjectRoute } from './get-project.ts';
import { getProjectPublicRoute } from './get-project-public.ts';
import { listMigrationsRoute } from './list-migrations.ts';
import { listProjectsRoute } from './list-projects.ts';
import { listTemplatesRoute } from './list-templates.ts';
import { ownerConnectionRoute } from './owner-connection.ts';
import { provisionProjectRoute } from './provision-project.ts';
import { refreshPoolEntryRoute } from './refresh-pool-entry.ts';
import { rotateProjectKeysRoute } from './rotate-project-keys.ts';
import { s3AccessKeysRoutes } from './s3-access-keys.ts';
import { workerRoutes } from './worker.ts';
import type { WorkerOperations } from '../../domain/worker.ts';

export interface ProjectRouteDependencies extends ProjectServices {
  /** The URL clients reach the platform at: the base of each project's REST and supabase-js URLs. */
  publicUrl: string;
  /** postgrest-manager, for the operator's view of the data APIs; absent: no /data-api routes. */
  dataApis?: DataApiFleetView;
  /** The worker, for operators' due sweeps; absent: no /worker routes. */
  worker?: WorkerOperations;
}

/**
 * /projects, operators only, but for each project's public face (`/projects/:id/public`). The token is checked on request, before a body (up to 4 MiB for a
 * migration) is read or validated.
 */
export async function projectRoutes(app: FastifyInstance, deps: ProjectRouteDependencies & { authenticate: OperatorAuthentication }): Promise<void> {
  getProjectPublicRoute(app, deps);
  await app.register(async (scope) => {
    scope.addHook('onRequest', deps.authenticate);
    createProjectRoute(scope, deps);
    listProjectsRoute(scope, deps);
    listTemplatesRoute(scope, deps);
    getProjectRoute(scope, deps);
    provisionProjectRoute(scope, deps);
    rotateProjectKeysRoute(scope, deps);
    refreshPoolEntryRoute(scope, deps);
    deleteProjectRoute(scope, deps);
    applyMigrationRoute(scope, deps);
    listMigrationsRoute(scope, deps);
    ownerConnectionRoute(scope, deps);
    authSettingsRoutes(scope, deps);
    s3AccessKeysRoutes(scope, deps);
    if (deps.dataApis) dataApiRoutes(scope, { ...deps, dataApis: deps.dataApis });
    if (deps.worker) workerRoutes(scope, { ...deps, worker: deps.worker });
  });
}
