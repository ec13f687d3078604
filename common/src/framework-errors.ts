import { isDatabaseUnavailable } from './db.ts';
import { LaunchDbError } from './errors.ts';

/** What Fastify (or a parser under it) throws; typed structurally so that common needs no Fastify. */
interface FrameworkError {
  code?: string;
  statusCode?: number;
  message: string;
  validation?: unknown;
}

/**
 * A failure Fastify raised before or around a handler (schema validation, body parsing, size),
 * as the `{error: {code, message}}` error of our JSON control APIs (platform-api,
 * postgrest-manager); a database that cannot be reached is `database_unavailable` (503, to be
 * retried), and anything else that is not the caller's fault becomes `internal_error`.
 */
export function frameworkErrorToLaunchDbError(error: unknown): LaunchDbError {
  if (error instanceof LaunchDbError) return error;
  const framework = error as FrameworkError;
  if (framework.validation) return new LaunchDbError('validation_failed', 400, framework.message);
  switch (framework.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const type = framework.message.replace(/^Unsupported Media Type:?\s*/, '') || 'unknown';
      return new LaunchDbError('unsupported_media_type', 415, `content type ${type} is not supported; send application/json`);
    }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new LaunchDbError('payload_too_large', 413, 'request body is too large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new LaunchDbError('invalid_json', 400, 'request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new LaunchDbError('invalid_json', 400, 'request body is not valid JSON');
  }
  if (framework.statusCode === 400 && error instanceof SyntaxError) return new LaunchDbError('invalid_json', 400, 'request body is not valid JSON');
  if (typeof framework.statusCode === 'number' && framework.statusCode >= 400 && framework.statusCode < 500) {
    return new LaunchDbError('bad_request', framework.statusCode, framework.message);
  }
  if (isDatabaseUnavailable(error)) return new LaunchDbError('database_unavailable', 503, 'the platform database is unavailable; retry shortly', { retryAfterSeconds: 1 });
  return new LaunchDbError('internal_error', 500, 'internal error');
}
