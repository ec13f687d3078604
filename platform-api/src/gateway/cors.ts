import type { IncomingHttpHeaders } from 'node:http';

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS';
/** What supabase-js and postgrest-js send, for a preflight that names none. */
const DEFAULT_ALLOWED_HEADERS =
  'authorization, apikey, content-type, x-client-info, prefer, range, range-unit, accept-profile, content-profile, x-supabase-api-version, accept';
const MAX_AGE_SECONDS = '86400';

/**
 * The answer to a browser's CORS preflight, or undefined when the request is not one. Answered
 * at the gateway because a browser sends no `apikey` on a preflight, so the data API could not
 * be reached; any origin may call, as with Supabase and PostgREST's default policy.
 */
export function preflightHeaders(method: string, headers: IncomingHttpHeaders): Record<string, string> | undefined {
  if (method !== 'OPTIONS' || headers['access-control-request-method'] === undefined) return undefined;
  const requested = headers['access-control-request-headers'];
  return {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': ALLOWED_METHODS,
    'access-control-allow-headers': typeof requested === 'string' && requested.trim() !== '' ? requested : DEFAULT_ALLOWED_HEADERS,
    'access-control-max-age': MAX_AGE_SECONDS,
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  };
}
