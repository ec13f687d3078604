import type { IncomingHttpHeaders } from 'node:http';

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS';
/** What supabase-js and postgrest-js send, for a preflight that names none. */
const DEFAULT_ALLOWED_HEADERS =
  'authorization, apikey, content-type, x-client-info, prefer, range, range-unit, accept-profile, content-profile, x-supabase-api-version, accept';
const MAX_AGE_SECONDS = '86400';

/**
 * The answer to a browser's CORS preflight, or undefined when the request is not one. Answered
 * before any key check because a browser sends no `apikey` on a preflight; any origin may call,
 * as with Supabase (its gateway answers the same for /rest, /auth and /storage).
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

/** On every answer to a project's API (auth, storage): any origin may read it, and these headers of it. */
export const CORS_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'content-range, content-length, content-type, etag, last-modified, location, retry-after, x-sb-error-code, x-request-id, tus-resumable, upload-offset, upload-length, upload-metadata, x-transformations',
};
