import { LaunchDbError } from '@launchdb/common';

/**
 * Every error the control-plane API returns. Rendered as
 * `{ "error": { "code": "...", "message": "..." } }` with the status here.
 */
export const PlatformErrors = {
  invalidCredentials: () => new LaunchDbError('invalid_credentials', 401, 'email or password is incorrect'),
  missingToken: () => new LaunchDbError('unauthorized', 401, 'an operator token is required (Authorization: Bearer <token>)'),
  invalidToken: (reason: string) => new LaunchDbError('invalid_token', 401, `operator token rejected: ${reason}`),
  operatorGone: () => new LaunchDbError('invalid_token', 401, 'operator token refers to an account that no longer exists'),
  validation: (message: string) => new LaunchDbError('validation_failed', 400, message),
  rateLimited: (retryAfterSeconds: number) =>
    new LaunchDbError('rate_limited', 429, `too many requests; retry in ${retryAfterSeconds} s`),
  notFound: (what: string) => new LaunchDbError('not_found', 404, `${what} not found`),
  unavailable: (what: string) => new LaunchDbError('service_unavailable', 503, `${what} is unavailable`),

  projectNotFound: (id: string) => new LaunchDbError('not_found', 404, `project ${id} not found`),
  projectExists: (id: string) => new LaunchDbError('project_exists', 409, `project ${id} already exists and is active`),
  projectTemplateMismatch: (id: string, template: string | null) =>
    new LaunchDbError('project_exists', 409, `project ${id} already exists with ${template ? `template ${template}` : 'no template'}; retry it without changing the template`),
  projectDeleting: (id: string) => new LaunchDbError('project_deleting', 409, `project ${id} is being deleted; finish with DELETE /api/projects/${id}?confirm=${id}`),
  projectNotActive: (id: string, status: string) =>
    new LaunchDbError('project_not_active', 409, `project ${id} is ${status}, not active; retry its provisioning with POST /api/projects/${id}/provision`),
  unknownTemplate: (name: string, known: string[]) =>
    new LaunchDbError('unknown_template', 400, `there is no template ${name}; templates: ${known.length ? known.join(', ') : 'none'}`),
  provisioningFailed: (step: string, message: string) =>
    new LaunchDbError('provisioning_failed', 500, `provisioning failed at step ${step}: ${message}`, { step }),
  deletionFailed: (id: string, message: string) =>
    new LaunchDbError('deletion_failed', 500, `deleting project ${id} failed: ${message}; DELETE again to finish`),
  confirmationRequired: (id: string) =>
    new LaunchDbError('confirmation_required', 400, `deleting a project cannot be undone: confirm with ?confirm=${id}`),
  dataApiReloadFailed: (id: string, message: string) =>
    new LaunchDbError('data_api_unavailable', 503, `the keys of project ${id} were rotated, but its data API did not reload: ${message}; rotate again once it is back`),
  havenDemoNeedsTemplate: () => new LaunchDbError('validation_failed', 400, 'demo data comes with the haven template: add "template": "haven"'),
  havenDemoNeedsAnswer: () =>
    new LaunchDbError('validation_failed', 400, 'demo data cannot be created with Prefer: respond-async: its password is in the answer, once the data exists'),
  havenDemoExists: (id: string, email: string) => new LaunchDbError('demo_exists', 409, `project ${id} already has the demo homeowner ${email}`),
  havenDemoFailed: (id: string, message: string) =>
    new LaunchDbError('demo_failed', 500, `project ${id} was created, but its demo data failed and nothing of it was kept: ${message}`),
  migrationExists: (name: string) => new LaunchDbError('migration_exists', 409, `migration ${name} has already been applied`),
  migrationFailed: (name: string, message: string) => new LaunchDbError('migration_failed', 400, `migration ${name} failed, nothing was applied: ${message}`),
};

export interface PlatformErrorBody {
  error: { code: string; message: string };
}

export function renderPlatformError(error: LaunchDbError): PlatformErrorBody {
  return { error: { code: error.code, message: error.message } };
}
