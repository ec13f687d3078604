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
  badJson: (message: string) => new LaunchDbError('invalid_json', 400, message),
  unsupportedMediaType: (type: string) => new LaunchDbError('unsupported_media_type', 415, `content type ${type} is not supported; send application/json`),
  bodyTooLarge: () => new LaunchDbError('payload_too_large', 413, 'request body is too large'),
  rateLimited: (retryAfterSeconds: number) =>
    new LaunchDbError('rate_limited', 429, `too many requests; retry in ${retryAfterSeconds} s`),
  notFound: (what: string) => new LaunchDbError('not_found', 404, `${what} not found`),
  unavailable: (what: string) => new LaunchDbError('service_unavailable', 503, `${what} is unavailable`),
  internal: () => new LaunchDbError('internal_error', 500, 'internal error'),
};

export interface PlatformErrorBody {
  error: { code: string; message: string };
}

export function renderPlatformError(error: LaunchDbError): PlatformErrorBody {
  return { error: { code: error.code, message: error.message } };
}
