import { Errors } from '../errors.ts';
import type { ApiRequest, Payload } from './types.ts';
import { parseAccept } from './parse-accept.ts';
import { mediaTypeEssence, parsePayload } from './parse-body.ts';
import { parseCookies, pickSchema } from './parse-headers.ts';
import { actionFor, parseTarget } from './parse-path.ts';
import { parsePreferences } from './parse-preferences.ts';
import { parseQueryParameters } from './parse-query.ts';
import { checkRanges, parseRangeHeader } from './parse-range.ts';

/** An HTTP request as the server hands it to the parser. */
export interface RawRequest {
  method: string;
  /** The path without the query string, still percent-encoded (`/rpc/my%20fn`). */
  path: string;
  /** The raw query string, not decoded, with or without the leading `?`. */
  query: string;
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer | undefined;
}

export interface RequestConfig {
  /** `db-schemas`: the exposed schemas, the first being the default. */
  schemas: string[];
  /** The time zones Postgres knows (schema cache), for `Prefer: timezone=`. */
  timezones?: ReadonlySet<string> | undefined;
}

/**
 * Turns an HTTP request into what the client asked for (PostgREST's userApiRequest). Pure;
 * every failure is a `PgrstError`, checked in PostgREST's order: path (PGRST125), schema
 * (PGRST106), method (PGRST117), query string (PGRST100), ranges (PGRST103/114), body
 * (PGRST102), then `Prefer` with `handling=strict` (PGRST122).
 */
export function parseApiRequest(input: RawRequest, config: RequestConfig): ApiRequest {
  const headers = lowerCaseNames(input.headers);
  const { method } = input;

  const target = parseTarget(input.path);
  const schema = pickSchema(method, headers, config.schemas);
  const action = actionFor(target, method);

  const routineRead = action.kind === 'call' && action.method !== 'POST';
  const query = parseQueryParameters(input.query, { routineRead });

  const range = method === 'GET' ? parseRangeHeader(headers['range']) : undefined;
  checkRanges(method, range, query.modifiers);

  const contentTypeHeader = headers['content-type'];
  const contentType = contentTypeHeader === undefined ? undefined : mediaTypeEssence(contentTypeHeader).toLowerCase();
  let payload: Payload | undefined;
  const writes = action.kind === 'insert' || action.kind === 'update' || action.kind === 'put' || (action.kind === 'call' && action.method === 'POST');
  if (writes) {
    payload = parsePayload(input.body, contentTypeHeader, {
      routine: target.kind === 'routine',
      columns: action.kind === 'put' ? undefined : query.columns,
    });
  }

  const preferences = parsePreferences(headers['prefer'], config.timezones);
  if (preferences.handling === 'strict' && preferences.invalid.length > 0) throw Errors.invalidPreferences(preferences.invalid);

  return {
    method,
    path: input.path,
    action,
    target,
    schema,
    select: query.select,
    modifiers: query.modifiers,
    columns: query.columns,
    onConflict: query.onConflict,
    rpcArguments: query.rpcArguments,
    preferences,
    accept: parseAccept(headers['accept']),
    contentType,
    range,
    payload,
    ...headersAndCookies(headers),
  };
}

/**
 * The request's headers (names lower-cased, without Cookie) and its cookies, as `request.headers`
 * and `request.cookies` give them to SQL: the only parts of an ApiRequest that differ between two
 * requests that are otherwise the same read.
 */
export function headersAndCookies(headers: Record<string, string>): Pick<ApiRequest, 'headers' | 'cookies'> {
  const { cookie, ...otherHeaders } = lowerCaseNames(headers);
  return { headers: otherHeaders, cookies: parseCookies(cookie) };
}

/** Header names lower-cased (the caller should already have done it); the first of two spellings wins. */
function lowerCaseNames(headers: Record<string, string>): Record<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!out.has(lower)) out.set(lower, value);
  }
  return Object.fromEntries(out);
}
