import { LaunchDbError, type UnstorableInput } from '@launchdb/common';

/**
 * An error the gateway answers itself, before or instead of a project's data API. It carries
 * what PostgREST's error body has beyond LaunchDbError (a hint) and, for the errors worth
 * retrying, how long to wait.
 */
export class GatewayError extends LaunchDbError {
  readonly hint: string | null;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: string, status: number, message: string, hint: string | null = null, retryAfterSeconds?: number) {
    super(code, status, message);
    this.name = 'GatewayError';
    this.hint = hint;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Every error of `/db/{project}/*` and `/p/{project}/rest/v1/*` that does not come from the
 * data API. The body has PostgREST's error shape so that postgrest-js and supabase-js hand it
 * to the caller as `error`; the apikey messages are Supabase's gateway's own.
 */
export const GatewayErrors = {
  noApiKey: () => new GatewayError('no_api_key', 401, 'No API key found in request', 'No `apikey` request header or url param was found.'),
  invalidApiKey: () => new GatewayError('invalid_api_key', 401, 'Invalid API key', 'Double check your `anon` or `service_role` API key.'),
  projectNotFound: (projectId: string) =>
    new GatewayError('project_not_found', 404, `Project ${JSON.stringify(projectId)} not found`, 'Check the project id in the URL.'),
  projectProvisioning: (projectId: string) =>
    new GatewayError('data_api_unavailable', 503, `Project ${projectId} is still being provisioned`, null, 2),
  projectFailed: (projectId: string) =>
    new GatewayError('data_api_unavailable', 503, `Project ${projectId} failed to provision`, 'An operator has to retry its provisioning.', 60),
  dataApiUnavailable: (projectId: string, reason: string, retryAfterSeconds: number) =>
    new GatewayError('data_api_unavailable', 503, `The data API of project ${projectId} is unavailable: ${reason}`, null, retryAfterSeconds),
  dataApiTimeout: (projectId: string) =>
    new GatewayError('data_api_timeout', 504, `The data API of project ${projectId} did not answer in time`),
  rateLimited: (scope: 'project' | 'client', retryAfterSeconds: number) =>
    new GatewayError(
      'rate_limited',
      429,
      scope === 'project' ? 'Too many requests for this project' : 'Too many requests from this client',
      `Retry in ${retryAfterSeconds} s.`,
      retryAfterSeconds,
    ),
  payloadTooLarge: (limitBytes: number) =>
    new GatewayError('payload_too_large', 413, 'Request body is too large', `Send at most ${limitBytes} bytes.`),
  platformUnavailable: () => new GatewayError('platform_unavailable', 503, 'The platform database is unavailable', null, 1),
  /** Nobody reads it: the client is gone. 499 as nginx counts such requests. */
  clientGone: () => new GatewayError('client_closed_request', 499, 'The client closed the connection'),
  /** `%00` in the URL: the data API would answer PostgreSQL's own error for it; the gateway answers it without the trip. */
  unstorableInput: (input: UnstorableInput) =>
    input.problem === 'nul' ? new GatewayError('22021', 400, 'invalid byte sequence for encoding "UTF8": 0x00') : new GatewayError('PGRST100', 400, input.message),
  badRequest: (status: number, message: string) => new GatewayError('bad_request', status, message),
  internal: () => new GatewayError('internal_error', 500, 'Internal gateway error'),
};

export interface RenderedGatewayError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** PostgREST's error body, plus the headers a browser page and a retrying client need. */
export function renderGatewayError(error: GatewayError): RenderedGatewayError {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    // errors of the gateway itself must be readable by a page on another origin, as the data API's are
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'Retry-After, X-Request-Id',
  };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  // the rest of an oversized body is never read: the connection cannot carry another request
  if (error.status === 413) headers['connection'] = 'close';
  return {
    status: error.status,
    headers,
    body: JSON.stringify({ code: error.code, details: null, hint: error.hint, message: error.message }),
  };
}
