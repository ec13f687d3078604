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

const bearer = (error: string, description: string) => ({
  'WWW-Authenticate': `Bearer error="${error}", error_description="${description.replaceAll('"', "'")}"`,
});

export const Errors = {
  // --- 0xx: connection
  connection: (message: string) => new PgrstError(503, 'PGRST000', 'Database connection error. Retrying the connection.', message),
  connectionLost: (message: string) => new PgrstError(503, 'PGRST001', 'Database client error. Retrying the connection.', message),
  schemaCacheNotReady: () => new PgrstError(503, 'PGRST002', 'Could not query the database for the schema cache. Retrying.'),
  poolTimeout: () => new PgrstError(504, 'PGRST003', 'Timed out acquiring connection from connection pool.'),

  // --- 1xx: request
  parse: (message: string, details: string | null = null) => new PgrstError(400, 'PGRST100', message, details),
  rpcMethod: (method: string) => new PgrstError(405, 'PGRST101', `Cannot use the ${method} method on RPC`),
  invalidBody: (message: string) => new PgrstError(400, 'PGRST102', message),
  invalidRange: (message = 'Requested range not satisfiable', details: string | null = null) => new PgrstError(416, 'PGRST103', message, details),
  invalidPut: (message: string) => new PgrstError(405, 'PGRST105', message),
  schemaNotExposed: (schemas: string[]) =>
    new PgrstError(406, 'PGRST106', 'Invalid schema', null, `Only the following schemas are exposed: ${schemas.join(', ')}`),
  contentType: (type: string) => new PgrstError(415, 'PGRST107', `Content-Type not acceptable: ${type}`),
  spreadNotToOne: (parent: string, target: string) =>
    new PgrstError(400, 'PGRST119', `A spread operation on '${target}' is not possible`, `'${parent}' and '${target}' do not form a many-to-one or one-to-one relationship`),
  embeddedFilterOnMissing: (relation: string) =>
    new PgrstError(400, 'PGRST108', `'${relation}' is not an embedded resource in this request`, null, `Verify that '${relation}' is included in the 'select' query parameter.`),
  invalidResponseHeaders: () => new PgrstError(500, 'PGRST111', 'response.headers guc must be a JSON array composed of objects with a single key and a string value'),
  invalidResponseStatus: (value: string) => new PgrstError(500, 'PGRST112', 'response.status guc must be a valid status code', `Invalid status code: ${value}`),
  limitWithoutOrder: () =>
    new PgrstError(400, 'PGRST109', "A 'limit' was applied without an explicit 'order'", null, "Apply an 'order' using unique column(s)"),
  putLimit: () => new PgrstError(400, 'PGRST114', 'limit/offset querystring parameters are not allowed for PUT'),
  putMismatch: () => new PgrstError(400, 'PGRST115', 'Payload values do not match URL in primary key column(s)'),
  singular: (rows: number) =>
    new PgrstError(406, 'PGRST116', 'JSON object requested, multiple (or no) rows returned', `The result contains ${rows} rows`),
  unsupportedMethod: (method: string) => new PgrstError(405, 'PGRST117', `Unsupported HTTP method: ${method}`),
  orderNotToOne: (parent: string, relation: string) =>
    new PgrstError(400, 'PGRST118', `A related order on '${relation}' is not possible`, `'${parent}' and '${relation}' do not form a many-to-one or one-to-one relationship`),
  embeddedFilterNotSelected: (relation: string) =>
    new PgrstError(400, 'PGRST120', `Bad operator on the '${relation}' embedded resource`, null, "Only is null or not is null filters are allowed on embedded resources"),
  raiseJson: (details: string) => new PgrstError(500, 'PGRST121', "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error", details),
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
  noRoutine: (schema: string, name: string, args: string[], hint: string | null = null) =>
    new PgrstError(
      404,
      'PGRST202',
      `Could not find the function ${schema}.${name}${args.length ? `(${args.join(', ')})` : ' without parameters'} in the schema cache`,
      `Searched for the function ${schema}.${name}${args.length ? ` with parameters ${args.join(', ')}` : ' without parameters'} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
      hint,
    ),
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
 * PostgREST's mapping of SQLSTATE to HTTP status. `RAISE … USING ERRCODE = 'PTxyz'` picks
 * status xyz; `RAISE SQLSTATE 'PGRST'` with a JSON message and detail sets code, message,
 * details, hint, status and headers (see `fromRaisedPgrst`).
 */
export function statusForSqlState(code: string | undefined, authenticated: boolean): number {
  if (!code) return 500;
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2));
  switch (code) {
    case '23503':
    case '23505':
      return 409;
    case '25006':
      return 405;
    case '42883':
    case '42P01':
      return 404;
    case '42P17':
      return 500;
    case '42501':
      return authenticated ? 403 : 401;
    case 'P0001':
      return 400;
    case '54001':
      return 500;
    case '57014':
      return 504;
  }
  const group = code.slice(0, 2);
  switch (group) {
    case '08':
    case '53':
      return 503;
    case '0L':
    case '0P':
    case '28':
      return 403;
    case '09': case '25': case '2D': case '38': case '39': case '3B': case '40': case '54': case '55': case '57': case '58': case 'F0': case 'HV': case 'P0': case 'XX':
      return 500;
    case '21':
    case '22':
    case '23':
    case '42':
      return 400;
    default:
      return 400;
  }
}

export function fromPostgresError(error: PostgresErrorFields, authenticated: boolean): PgrstError {
  if (error.code === 'PGRST') return fromRaisedPgrst(error);
  const status = statusForSqlState(error.code, authenticated);
  const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
  return new PgrstError(status, error.code ?? 'XX000', error.message, error.detail ?? null, error.hint ?? null, headers);
}

/** `RAISE SQLSTATE 'PGRST' USING message = '{"code":…,"message":…}', detail = '{"status":…,"headers":{…}}'` */
function fromRaisedPgrst(error: PostgresErrorFields): PgrstError {
  try {
    const body = JSON.parse(error.message) as { code?: string; message?: string; details?: string | null; hint?: string | null };
    const meta = JSON.parse(error.detail ?? '{}') as { status?: number; status_text?: string; headers?: Record<string, string> };
    if (typeof body.message !== 'string' || typeof meta.status !== 'number') throw new Error('missing message or status');
    return new PgrstError(meta.status, body.code ?? 'PGRST', body.message, body.details ?? null, body.hint ?? null, meta.headers ?? {});
  } catch (cause) {
    return Errors.raiseJson((cause as Error).message);
  }
}
