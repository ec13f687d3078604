import { Errors, PgrstError } from '../errors.ts';
import type { ExecutionPlan, ResponseMediaType } from '../plan/types.ts';
import { isExplained, type ExecutionResult } from '../execute/execute-plan.ts';

/** What goes on the wire: the body is the text Postgres built, untouched. */
export interface HttpResponse {
  status: number;
  /** In order; a name may repeat (Set-Cookie from response.headers). */
  headers: Array<[string, string]>;
  body: string | null;
  /**
   * A media type handler's body: sent as bytes (text, or the hex of bytes), so that no layer
   * adds a charset to its Content-Type or re-encodes it.
   */
  bytes?: 'text' | 'hex';
}

export interface ResponseContext {
  /** `Content-Profile` to send: the schema, when it was negotiated (a profile header, or several db-schemas). */
  contentProfile: string | undefined;
}

/**
 * PostgREST's response for one executed plan: status from the action and the range, then
 * Content-Range, Location, Content-Type (+ Content-Profile) and Preference-Applied, then
 * `response.status` / `response.headers` set by SQL override them (a header set by SQL replaces
 * ours of the same name).
 */
export function buildResponse(plan: ExecutionPlan, result: ExecutionResult, context: ResponseContext): HttpResponse {
  const response = actionResponse(plan, result, context);
  const overridden = new Set(result.responseHeaders.map(([name]) => name.toLowerCase()));
  const bytes = plan.handlerBody !== undefined && response.body !== null && response.body === result.body ? plan.handlerBody : undefined;
  return {
    status: result.responseStatus ?? response.status,
    headers: [...response.headers.filter(([name]) => !overridden.has(name.toLowerCase())), ...result.responseHeaders],
    body: response.body,
    ...(bytes ? { bytes } : {}),
  };
}

function actionResponse(plan: ExecutionPlan, result: ExecutionResult, context: ResponseContext): HttpResponse {
  // an EXPLAIN: the plan is the body, with only the Content-Type (PostgREST's RSPlan)
  if (isExplained(plan)) return { status: 200, headers: contentTypeHeaders(plan.mediaType, context), body: result.body };
  const preferenceApplied: Array<[string, string]> = plan.preferenceApplied.length > 0 ? [['Preference-Applied', plan.preferenceApplied.join(', ')]] : [];
  const contentType = contentTypeHeaders(plan.mediaType, context);
  const counted = plan.count !== undefined;
  const body = plan.omitBody ? null : result.body;

  switch (plan.kind) {
    case 'read':
    case 'call': {
      const lower = plan.range.offset;
      const upper = lower + result.pageTotal - 1;
      const total = result.totalResultSet;
      const headers: Array<[string, string]> = [['Content-Range', contentRange(lower, upper, total)], ...preferenceApplied];
      if (total !== undefined && lower > total) {
        const error = Errors.invalidRange('Requested range not satisfiable', `An offset of ${lower} was requested, but there are only ${total} rows.`);
        return { status: 416, headers: [...headers, ...contentTypeHeaders('application/json', context)], body: plan.omitBody ? null : JSON.stringify(error.toJSON()) };
      }
      // a function returning void has no body at all (SQL NULL, not the JSON text 'null')
      if (plan.kind === 'call' && result.body === null && !plan.omitBody) return { status: 204, headers, body: null };
      const status = total === undefined ? 200 : 1 + upper - lower < total ? 206 : 200;
      return { status, headers: [...headers, ...contentType], body };
    }
    case 'insert': {
      const headers: Array<[string, string]> = [];
      if (result.location && plan.relationPath !== undefined) headers.push(['Location', `${locationPath(plan.relationPath)}?${result.location}`]);
      headers.push(['Content-Range', contentRange(1, 0, counted ? result.pageTotal : undefined)], ...preferenceApplied);
      const mergedNothing = result.inserted !== undefined && result.inserted <= 0 && plan.preferenceApplied.includes('resolution=merge-duplicates');
      const status = mergedNothing ? 200 : 201;
      return plan.returnPreference === 'representation' ? { status, headers: [...headers, ...contentType], body } : { status, headers, body: null };
    }
    case 'put': {
      if (plan.returnPreference !== 'representation') return { status: 204, headers: preferenceApplied, body: null };
      const status = result.inserted !== undefined && result.inserted > 0 ? 201 : 200;
      return { status, headers: [...contentType, ...preferenceApplied], body };
    }
    case 'update':
    case 'delete': {
      const range =
        plan.kind === 'update' ? contentRange(0, result.pageTotal - 1, counted ? result.pageTotal : undefined) : contentRange(1, 0, counted ? result.pageTotal : undefined);
      const headers: Array<[string, string]> = [['Content-Range', range], ...preferenceApplied];
      return plan.returnPreference === 'representation' ? { status: 200, headers: [...headers, ...contentType], body } : { status: 204, headers, body: null };
    }
    case 'info':
      // OPTIONS: the plan's statement reports its Allow header through response.headers
      return { status: 200, headers: preferenceApplied, body: null };
  }
}

/**
 * `Content-Range` as PostgREST writes it: `0-9/120`, `0-9/*`, `*\/120` (nothing in range, or
 * writes), `*\/0`, `*\/*`.
 */
export function contentRange(lower: number, upper: number, total: number | undefined): string {
  const range = total !== 0 && lower <= upper ? `${lower}-${upper}` : '*';
  return `${range}/${total === undefined ? '*' : total}`;
}

/**
 * PostgREST adds `charset=utf-8` to the media types it knows, except raw bytes; a media type
 * handler's own type (`text/html`, `image/png`) is sent as the domain names it.
 */
export function contentTypeValue(mediaType: ResponseMediaType): string {
  return mediaType === 'application/octet-stream' || !knowsCharset(mediaType) ? mediaType : `${mediaType}; charset=utf-8`;
}

const UTF8_TYPES = new Set([
  'application/json',
  'application/geo+json',
  'text/csv',
  'text/plain',
  'text/xml',
  'application/openapi+json',
  'application/x-www-form-urlencoded',
  '*/*',
]);

function knowsCharset(mediaType: string): boolean {
  return UTF8_TYPES.has(mediaType) || mediaType.startsWith('application/vnd.pgrst.');
}

function contentTypeHeaders(mediaType: ResponseMediaType, context: ResponseContext): Array<[string, string]> {
  const headers: Array<[string, string]> = [['Content-Type', contentTypeValue(mediaType)]];
  if (context.contentProfile !== undefined) headers.push(['Content-Profile', context.contentProfile]);
  return headers;
}

function locationPath(relationPath: string): string {
  return relationPath.startsWith('/') ? relationPath : `/${relationPath}`;
}

/** `{code, details, hint, message}` with the error's status and headers (WWW-Authenticate for JWT errors). */
export function renderError(error: PgrstError, options: { omitBody?: boolean } = {}): HttpResponse {
  const headers: Array<[string, string]> = [['Content-Type', 'application/json; charset=utf-8'], ...Object.entries(error.headers)];
  return { status: error.status, headers, body: options.omitBody ? null : JSON.stringify(error.toJSON()) };
}

/** A failure that is our bug: logged by the caller, reported without internals. */
export function internalError(): PgrstError {
  return new PgrstError(500, 'PGRSTX00', 'Internal server error');
}
