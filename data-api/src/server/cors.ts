import type { HttpResponse } from '../response/response.ts';

/**
 * PostgREST's CORS policy (its Cors.hs over wai-cors), for requests that send `Origin`:
 * - every origin is allowed (`Access-Control-Allow-Origin: *`) unless `server-cors-allowed-origins`
 *   lists some; then a listed origin is echoed with `Access-Control-Allow-Credentials: true`,
 *   and any other gets the response without CORS headers (wai-cors ignores failures);
 * - a preflight (`OPTIONS` with `Access-Control-Request-Method` of an allowed method) is answered
 *   here, before the request reaches the API, and may be cached for a day;
 * - other responses, errors included, expose PostgREST's response headers to scripts.
 */

const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'];
/**
 * wai-cors always adds the CORS-safelisted methods and headers to the policy's; its safelisted
 * headers leave out Content-Type (a JSON body's is not safelisted), so a preflight lists it only
 * when the browser asks for it.
 */
const SIMPLE_METHODS = ['GET', 'HEAD', 'POST'];
const SIMPLE_HEADERS = ['Accept', 'Accept-Language', 'Content-Language'];
const EXPOSED_HEADERS = 'Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, Range-Unit';
const ALLOWED = union(METHODS, SIMPLE_METHODS);
const ALLOWED_METHODS = ALLOWED.join(', ');

/** Lower-cased request header names, as the pipeline has them. */
type RequestHeaders = Record<string, string | undefined>;

/** `undefined`: any origin (PostgREST's default, server-cors-allowed-origins unset). */
export type AllowedOrigins = readonly string[] | undefined;

/** The CORS headers common to a preflight and an actual response, or undefined when CORS does not apply. */
function originHeaders(headers: RequestHeaders, allowed: AllowedOrigins): Array<[string, string]> | undefined {
  const origin = headers['origin'];
  if (origin === undefined) return undefined;
  if (allowed === undefined) return [['Access-Control-Allow-Origin', '*']];
  if (!allowed.includes(origin)) return undefined;
  return [
    ['Access-Control-Allow-Origin', origin],
    ['Access-Control-Allow-Credentials', 'true'],
  ];
}

/** The answer to a CORS preflight, or undefined when the request is not one this policy answers. */
export function preflightResponse(method: string, headers: RequestHeaders, allowed: AllowedOrigins): HttpResponse | undefined {
  if (method !== 'OPTIONS') return undefined;
  const requestedMethod = headers['access-control-request-method'];
  if (requestedMethod === undefined || !ALLOWED.includes(requestedMethod)) return undefined;
  const common = originHeaders(headers, allowed);
  if (!common) return undefined;
  const requestedHeaders = (headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return {
    status: 200,
    headers: [
      ...common,
      ['Access-Control-Allow-Methods', ALLOWED_METHODS],
      ['Access-Control-Allow-Headers', union(['Authorization', ...requestedHeaders], SIMPLE_HEADERS).join(', ')],
      ['Access-Control-Max-Age', '86400'],
    ],
    body: null,
  };
}

/** The response with the CORS headers an actual (not preflight) request gets. */
export function withCorsHeaders(headers: RequestHeaders, response: HttpResponse, allowed: AllowedOrigins): HttpResponse {
  const common = originHeaders(headers, allowed);
  if (!common) return response;
  const own = new Set(common.map(([name]) => name.toLowerCase()));
  return {
    ...response,
    headers: [...response.headers.filter(([name]) => !own.has(name.toLowerCase())), ...common, ['Access-Control-Expose-Headers', EXPOSED_HEADERS]],
  };
}

/** `first` then what `second` adds, compared case-insensitively, as Haskell's union of CI names. */
function union(first: readonly string[], second: readonly string[]): string[] {
  const result = [...first];
  const seen = new Set(first.map((name) => name.toLowerCase()));
  for (const name of second) {
    if (!seen.has(name.toLowerCase())) {
      seen.add(name.toLowerCase());
      result.push(name);
    }
  }
  return result;
}
