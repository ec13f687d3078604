/**
 * PostgREST's errors: `{code, message, details, hint}` with its HTTP statuses. Every failure of
 * the data API is a `PgrstError`; none is thrown as a string. Codes are grouped as PostgREST
 * groups them: PGRST0xx connection, 1xx request, 2xx schema cache, 3xx JWT.
 */
export type PgrstDetails = string | Array<Record<string, unknown>> | null;

export class PgrstError extends Error {
  readonly status: number;
  readonly code: string;
  /** Text, or for PGRST201 the JSON array of candidate relationships, as PostgREST sends it. */
  readonly details: PgrstDetails;
  readonly hint: string | null;
  /** Extra response headers (WWW-Authenticate for JWT errors). */
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, details: PgrstDetails = null, hint: string | null = null, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'PgrstError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.hint = hint;
    this.headers = headers;
  }

  toJSON(): { code: string; details: PgrstDetails; hint: string | null; message: string } {
    return { code: this.code, details: this.details, hint: this.hint, message: this.message };
  }
}

/** Each request connects anew, so there is no reconnection backoff to report: one second. */
const RETRY_SOON = { 'Retry-After': '1' };

const bearer = (error: string, description: string) => ({
  'WWW-Authenticate': `Bearer error="${error}", error_description="${description.replaceAll('"', "'")}"`,
});

export const Errors = {
  // --- 0xx: connection (PostgREST sends Retry-After with these: the request may be sent again as it is)
  connection: (message: string) => new PgrstError(503, 'PGRST000', 'Database connection error. Retrying the connection.', message, null, RETRY_SOON),
  connectionLost: (message: string) => new PgrstError(503, 'PGRST001', 'Database client error. Retrying the connection.', message, null, RETRY_SOON),
  schemaCacheNotReady: () => new PgrstError(503, 'PGRST002', 'Could not query the database for the schema cache. Retrying.', null, null, RETRY_SOON),
  poolTimeout: () => new PgrstError(504, 'PGRST003', 'Timed out acquiring connection from connection pool.'),

  // --- 1xx: request
  parse: (message: string, details: string | null = null) => new PgrstError(400, 'PGRST100', message, details),
  rpcMethod: (method: string) => new PgrstError(405, 'PGRST101', `Cannot use the ${method} method on RPC`),
  invalidBody: (message: string) => new PgrstError(400, 'PGRST102', message),
  invalidRange: (message = 'Requested range not satisfiable', details: string | null = null) => new PgrstError(416, 'PGRST103', message, details),
  invalidPut: (message: string) => new PgrstError(405, 'PGRST105', message),
  schemaNotExposed: (schemas: string[]) =>
    new PgrstError(406, 'PGRST106', `The schema must be one of the following: ${schemas.join(', ')}`),
  contentType: (type: string) => new PgrstError(415, 'PGRST107', `Content-Type not acceptable: ${type}`),
  spreadNotToOne: (parent: string, target: string) =>
    new PgrstError(400, 'PGRST119', `A spread operation on '${target}' is not possible`, `'${parent}' and '${target}' do not form a many-to-one or one-to-one relationship`),
  embeddedFilterOnMissing: (relation: string) =>
    new PgrstError(400, 'PGRST108', `'${relation}' is not an embedded resource in this request`, null, `Verify that '${relation}' is included in the 'select' query parameter.`),
  invalidResponseHeaders: () => new PgrstError(500, 'PGRST111', 'response.headers guc must be a JSON array composed of objects with a single key and a string value'),
  invalidResponseStatus: () => new PgrstError(500, 'PGRST112', 'response.status guc must be a valid status code'),
  limitWithoutOrder: () =>
    new PgrstError(400, 'PGRST109', "A 'limit' was applied without an explicit 'order'", null, "Apply an 'order' using unique column(s)"),
  offLimitsChanges: (rows: number, limit: number) =>
    new PgrstError(400, 'PGRST110', 'The maximum number of rows allowed to change was surpassed', `Results contain ${rows} rows changed but the maximum number allowed is ${limit}`),
  putLimit: () => new PgrstError(400, 'PGRST114', 'limit/offset querystring parameters are not allowed for PUT'),
  putMismatch: () => new PgrstError(400, 'PGRST115', 'Payload values do not match URL in primary key column(s)'),
  singular: (rows: number) =>
    new PgrstError(406, 'PGRST116', 'JSON object requested, multiple (or no) rows returned', `The result contains ${rows} rows`),
  unsupportedMethod: (method: string) => new PgrstError(405, 'PGRST117', `Unsupported HTTP method: ${method}`),
  orderNotToOne: (parent: string, relation: string) =>
    new PgrstError(400, 'PGRST118', `A related order on '${relation}' is not possible`, `'${parent}' and '${relation}' do not form a many-to-one or one-to-one relationship`),
  embeddedFilterNotSelected: (relation: string) =>
    new PgrstError(400, 'PGRST120', `Bad operator on the '${relation}' embedded resource`, null, "Only is null or not is null filters are allowed on embedded resources"),
  raiseJson: (details: string, hint: string) => new PgrstError(500, 'PGRST121', "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error", details, hint),
  invalidPreferences: (invalid: string[]) => new PgrstError(400, 'PGRST122', 'Invalid preferences given with handling=strict', `Invalid preferences: ${invalid.join(', ')}`),
  aggregatesDisabled: () => new PgrstError(400, 'PGRST123', 'Use of aggregate functions is not allowed'),
  maxAffected: (rows: number) => new PgrstError(400, 'PGRST124', "Query result exceeds max-affected preference constraint", `The query affects ${rows} rows`),
  invalidPath: () => new PgrstError(404, 'PGRST125', 'Invalid path specified in request URL'),
  openApiDisabled: () => new PgrstError(404, 'PGRST126', 'Root endpoint metadata is disabled'),
  notImplemented: (feature: string) => new PgrstError(400, 'PGRST127', 'Feature not implemented', feature),
  notAcceptable: (accept: string) =>
    new PgrstError(406, 'PGRST107', 'None of these media types are available: ' + accept),

  // --- 2xx: schema cache
  noRelationship: (parent: string, child: string, schema: string, hint: string | null = null, embedHint?: string) =>
    new PgrstError(
      400,
      'PGRST200',
      `Could not find a relationship between '${parent}' and '${child}' in the schema cache`,
      `Searched for a foreign key relationship between '${parent}' and '${child}'${embedHint ? ` using the hint '${embedHint}'` : ''} in the schema '${schema}', but no matches were found.`,
      hint,
    ),
  ambiguousRelationship: (parent: string, child: string, details: Array<Record<string, unknown>>, hint: string) =>
    new PgrstError(300, 'PGRST201', `Could not embed because more than one relationship was found for '${parent}' and '${child}'`, details, hint),
  /**
   * `searched`: what else a call may have matched, by PostgREST's rules — a POST with a JSON
   * body also a single unnamed json/jsonb parameter; a POST of text, xml or bytes, or one with
   * `Prefer: params=single-object`, only a single parameter of that type (its arguments then go
   * unnamed in the message, and there is no hint); a GET or a form nothing else.
   */
  noRoutine: (
    schema: string,
    name: string,
    args: string[],
    hint: string | null = null,
    searched: 'json' | 'text' | 'xml' | 'bytea' | 'single-object' | 'none' = 'json',
  ) => {
    const parameters = args.length ? ` with parameter${args.length > 1 ? 's' : ''} ${args.join(', ')}` : ' without parameters';
    const single =
      searched === 'single-object' ? ' with a single json/jsonb parameter' : searched === 'json' || searched === 'none' ? undefined : ` with a single unnamed ${searched} parameter`;
    const message = `Could not find the function ${schema}.${name}${single ? '' : args.length ? `(${args.join(', ')})` : ' without parameters'} in the schema cache`;
    const searchedFor = single ?? (searched === 'json' ? `${parameters} or with a single unnamed json/jsonb parameter` : parameters);
    return new PgrstError(404, 'PGRST202', message, `Searched for the function ${schema}.${name}${searchedFor}, but no matches were found in the schema cache.`, single ? null : hint);
  },
  ambiguousRoutine: (schema: string, name: string, candidates: string[]) =>
    new PgrstError(300, 'PGRST203', `Could not choose the best candidate function between: ${candidates.map((c) => `${schema}.${name}(${c})`).join(', ')}`, null, 'Try renaming the parameters or the function itself in the database so function overloading can be resolved'),
  noColumn: (column: string, relation: string) =>
    new PgrstError(400, 'PGRST204', `Could not find the '${column}' column of '${relation}' in the schema cache`),
  noRelation: (schema: string, name: string, hint: string | null = null) =>
    new PgrstError(404, 'PGRST205', `Could not find the table '${schema}.${name}' in the schema cache`, null, hint),

  // --- 3xx: JWT
  jwtSecretMissing: () => new PgrstError(500, 'PGRST300', 'Server lacks JWT secret'),
  jwtInvalid: (message: string) => new PgrstError(401, 'PGRST301', message, null, null, bearer('invalid_token', message)),
  anonymousDisabled: () =>
    new PgrstError(401, 'PGRST302', 'Anonymous access is disabled', null, null, { 'WWW-Authenticate': 'Bearer' }),
  jwtClaims: (message: string) => new PgrstError(401, 'PGRST303', message, null, null, bearer('invalid_token', message)),
};

/** The fields of a node-postgres DatabaseError that PostgREST reports. */
export interface PostgresErrorFields {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
}

/**
 * PostgREST's mapping of SQLSTATE to HTTP status (its `mapSQLtoHTTP`). `RAISE … USING ERRCODE =
 * 'PTxyz'` picks status xyz; `RAISE SQLSTATE 'PGRST'` with a JSON message and detail sets code,
 * message, details, hint, status and headers (see `fromRaisedPgrst`). The message decides two
 * cases: a role of the JWT that does not exist (401) and pg-safeupdate's refusal (400).
 */
export function statusForSqlState(code: string | undefined, authenticated: boolean, message = ''): number {
  if (!code) return 500;
  if (code.startsWith('PT')) return /^PT[1-9]\d{2}$/.test(code) ? Number(code.slice(2)) : 500;
  switch (code) {
    case '23503':
    case '23505':
      return 409;
    case '25006':
      return 405;
    case '21000':
      return message.endsWith('requires a WHERE clause') ? 400 : 500;
    case '22023':
      return message.startsWith('role') && message.endsWith('does not exist') ? 401 : 400;
    case '53400':
      return 500;
    case '57P01':
      return 503;
    case '42883':
      return message.startsWith('function xmlagg(') ? 406 : 404;
    case '42P01':
      return 404;
    case '42P17':
      return 500;
    case '42501':
      return authenticated ? 403 : 401;
    case 'P0001':
      return 400;
  }
  switch (code.slice(0, 2)) {
    case '08':
    case '53':
      return 503;
    case '0L':
    case '0P':
    case '28':
      return 403;
    case '09': case '25': case '2D': case '38': case '39': case '3B': case '40': case '54': case '55': case '57': case '58': case 'F0': case 'HV': case 'P0': case 'XX':
      return 500;
    default:
      return 400;
  }
}

export function fromPostgresError(error: PostgresErrorFields, authenticated: boolean): PgrstError {
  if (error.code === 'PGRST') return fromRaisedPgrst(error);
  const status = statusForSqlState(error.code, authenticated, error.message);
  const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
  return new PgrstError(status, error.code ?? 'XX000', error.message, error.detail ?? null, error.hint ?? null, headers);
}

const RAISE_MESSAGE_HINT = "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.";
const RAISE_DETAIL_HINT = "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.";

/**
 * `RAISE SQLSTATE 'PGRST' USING message = '{"code":…,"message":…}', detail = '{"status":…,"headers":{…}}'`,
 * parsed as PostgREST's parseRaisePGRST: else 500 PGRST121 saying which part is wrong.
 */
function fromRaisedPgrst(error: PostgresErrorFields): PgrstError {
  const body = parseJsonObject(error.message);
  const optionalText = (value: unknown) => value === undefined || value === null || typeof value === 'string';
  if (!body || typeof body.code !== 'string' || typeof body.message !== 'string' || !optionalText(body.details) || !optionalText(body.hint)) {
    return Errors.raiseJson(`Invalid JSON value for MESSAGE: '${error.message}'`, RAISE_MESSAGE_HINT);
  }
  if (error.detail === undefined) return Errors.raiseJson('DETAIL is missing in the RAISE statement', RAISE_DETAIL_HINT);
  const meta = parseJsonObject(error.detail);
  const headers = meta?.headers;
  const validHeaders = typeof headers === 'object' && headers !== null && !Array.isArray(headers) && Object.values(headers).every((value) => typeof value === 'string');
  const status = meta?.status;
  const validStatus = typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599;
  if (!meta || !validStatus || !validHeaders || !optionalText(meta.status_text)) {
    return Errors.raiseJson(`Invalid JSON value for DETAIL: '${error.detail}'`, RAISE_DETAIL_HINT);
  }
  return new PgrstError(status, body.code, body.message, (body.details as string | undefined) ?? null, (body.hint as string | undefined) ?? null, headers as Record<string, string>);
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
