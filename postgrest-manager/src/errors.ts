import { LaunchDbError } from '@launchdb/common';

/**
 * Every error postgrest-manager returns, rendered as `{ "error": { "code", "message" } }` with the
 * status here. The client (client.ts) turns these bodies back into LaunchDbErrors with the same code.
 */
export const ManagerErrors = {
  unauthorized: () => new LaunchDbError('unauthorized', 401, 'a valid X-Internal-Key header is required'),
  projectNotFound: (projectId: string) => new LaunchDbError('project_not_found', 404, `project ${projectId} does not exist or is not active`),
  projectNotReady: (projectId: string) =>
    new LaunchDbError('project_not_ready', 409, `project ${projectId} has no authenticator password or JWT secret yet`),
  dataApiUnavailable: (projectId: string, retryAfterSeconds: number, reason: string) =>
    new LaunchDbError('data_api_unavailable', 503, `the data API of project ${projectId} is unavailable: ${reason}`, { retryAfterSeconds }),
  startFailed: (projectId: string, reason: string) =>
    new LaunchDbError('data_api_start_failed', 503, `the data API of project ${projectId} did not start: ${reason}`, { retryAfterSeconds: 1 }),
  reloadFailed: (projectId: string, reason: string) =>
    new LaunchDbError('data_api_reload_failed', 503, `the data API of project ${projectId} kept its previous settings: the new one did not start: ${reason}`),
  stopped: (projectId: string) => new LaunchDbError('data_api_stopped', 409, `the data API of project ${projectId} was stopped while it started`),
  shuttingDown: () => new LaunchDbError('shutting_down', 503, 'postgrest-manager is shutting down', { retryAfterSeconds: 1 }),
  notFound: (what: string) => new LaunchDbError('not_found', 404, `${what} not found`),
  /** Raised by the client: the manager did not answer. */
  managerUnreachable: (baseUrl: string, reason: string) =>
    new LaunchDbError('postgrest_manager_unavailable', 503, `postgrest-manager at ${baseUrl} did not answer: ${reason}`, { retryAfterSeconds: 1 }),
};

export interface ManagerErrorBody {
  error: { code: string; message: string };
}

export function renderManagerError(error: LaunchDbError): ManagerErrorBody {
  return { error: { code: error.code, message: error.message } };
}
