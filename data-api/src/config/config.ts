import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { ConfigError } from '@launchdb/common/errors';
import type { JWK } from 'jose';
import { describeValue, readConfigFile, type ConfigFileValue } from './config-file.ts';
import { JsPathError, parseJsPath, type JsPath } from './js-path.ts';

export type TxEnd = 'commit' | 'commit-allow-override' | 'rollback' | 'rollback-allow-override';
export type OpenApiMode = 'follow-privileges' | 'ignore-privileges' | 'disabled';
export type DataApiLogLevel = 'crit' | 'error' | 'warn' | 'info' | 'debug';

/** `schema.name` of a function; `schema` is undefined when the setting names the function alone. */
export interface FunctionName {
  schema: string | undefined;
  name: string;
}

/**
 * PostgREST's settings as the data API uses them. Each comes from `PGRST_<NAME>` (dashes as
 * underscores, upper case) or from the config file, the environment winning.
 */
export interface DataApiConfig {
  /** The file the settings were read from, for `reload config`; undefined when from the environment only. */
  configFile: string | undefined;
  dbUri: string;
  /** Ours: a direct connection for LISTEN when db-uri goes through PgBouncer (transaction pooling cannot LISTEN). */
  dbListenUri: string | undefined;
  dbSchemas: string[];
  dbAnonRole: string | undefined;
  dbPool: number;
  /** Seconds a request waits for a pooled connection before 504 PGRST003. */
  dbPoolAcquisitionTimeout: number;
  /** Seconds a pooled connection lives before it is replaced. */
  dbPoolMaxLifetime: number;
  /** Seconds an idle pooled connection is kept. */
  dbPoolMaxIdletime: number;
  dbMaxRows: number | undefined;
  dbExtraSearchPath: string[];
  dbPreRequest: FunctionName | undefined;
  dbAggregatesEnabled: boolean;
  /** `db-plan-enabled`: allows `Accept: application/vnd.pgrst.plan…`. */
  dbPlanEnabled: boolean;
  dbTxEnd: TxEnd;
  /** `db-root-spec`: a function of the request's schema whose result answers `GET /` instead of the OpenAPI description. */
  dbRootSpec: string | undefined;
  /** `db-config`: read settings from the database (`ALTER ROLE … SET pgrst.…`) at start and on `reload config`. */
  dbConfig: boolean;
  /** `db-pre-config`: a function whose `set_config('pgrst.…', …)` calls add in-database settings. */
  dbPreConfig: FunctionName | undefined;
  dbChannel: string;
  dbChannelEnabled: boolean;
  /** The HS256 key, already base64-decoded when jwt-secret-is-base64; undefined when not configured or given as JWKs. */
  jwtSecret: Uint8Array | undefined;
  /** jwt-secret given as a JSON Web Key or a JWK Set (PostgREST's other form): the keys; undefined otherwise. */
  jwtKeys: JWK[] | undefined;
  jwtAud: string | undefined;
  jwtRoleClaimKey: JsPath;
  serverHost: string;
  /** `server-cors-allowed-origins`: the origins CORS allows; undefined when any origin is. */
  serverCorsAllowedOrigins: string[] | undefined;
  serverPort: number;
  /** `server-trace-header`: a request header (X-Request-Id) echoed on every response; undefined when not set. */
  serverTraceHeader: string | undefined;
  /** `server-timing-enabled`: a Server-Timing header with each stage's duration (jwt, parse, plan, transaction, response). */
  serverTimingEnabled: boolean;
  adminServerHost: string;
  adminServerPort: number | undefined;
  openApiMode: OpenApiMode;
  openApiServerProxyUri: string | undefined;
  /** `openapi-security-active`: the OpenAPI description declares the JWT security scheme. */
  openApiSecurityActive: boolean;
  logLevel: DataApiLogLevel;
  /** `app.settings.*`, set with set_config in every request's transaction. */
  appSettings: Array<[string, string]>;
}

export interface LoadDataApiConfigOptions {
  /** Defaults to `process.env`; only `PGRST_*` variables are read (and `$(NAME)` in the file). */
  env?: Record<string, string | undefined>;
  /** A PostgREST-format config file. */
  configFile?: string | undefined;
  /**
   * In-database settings (`ALTER ROLE authenticator SET pgrst.db_max_rows = '10'`, and what
   * db-pre-config sets), named without the prefix (`db_max_rows`): they win over the
   * environment and the file, as in PostgREST.
   */
  dbSettings?: Record<string, string> | undefined;
}

/** The settings PostgREST reads from the database (its dbSettingsNames), with `pgrst.` and `_`. */
export const IN_DATABASE_SETTINGS = [
  'db_aggregates_enabled', 'db_anon_role', 'db_pre_config', 'db_extra_search_path', 'db_max_rows', 'db_plan_enabled', 'db_pre_request',
  'db_prepared_statements', 'db_root_spec', 'db_schemas', 'db_tx_end', 'db_hoisted_tx_settings', 'jwt_aud', 'jwt_role_claim_key', 'jwt_secret',
  'jwt_secret_is_base64', 'jwt_cache_max_lifetime', 'openapi_mode', 'openapi_security_active', 'openapi_server_proxy_uri',
  'server_cors_allowed_origins', 'server_trace_header', 'server_timing_enabled',
] as const;

type Raw = { value: ConfigFileValue; source: string } | undefined;

/**
 * Reads, validates and returns every setting; throws a ConfigError naming each invalid setting
 * (and where its value came from).
 */
export function loadDataApiConfig(options: LoadDataApiConfigOptions = {}): DataApiConfig {
  const env = options.env ?? process.env;
  const file = options.configFile ? readConfigFile(options.configFile, (name) => env[name]) : new Map<string, ConfigFileValue>();
  const issues: string[] = [];

  const raw = (key: string, ...aliases: string[]): Raw => {
    for (const name of [key, ...aliases]) {
      const fromDatabase = options.dbSettings?.[name.replaceAll('-', '_')];
      if (fromDatabase !== undefined && (IN_DATABASE_SETTINGS as readonly string[]).includes(name.replaceAll('-', '_'))) {
        return { value: fromDatabase, source: `pgrst.${name.replaceAll('-', '_')} (in the database)` };
      }
      const variable = envName(name);
      const fromEnv = env[variable];
      if (fromEnv !== undefined) return { value: fromEnv, source: variable };
      const fromFile = file.get(name);
      if (fromFile !== undefined) return { value: fromFile, source: options.configFile ?? 'config file' };
    }
    return undefined;
  };

  /** Validates one setting with its zod schema; `undefined` input means "not set". */
  const setting = <T>(key: string, schema: z.ZodMiniType<T>, given: Raw, emptyIsUnset = true): T | undefined => {
    const input = given?.value;
    const normalised = emptyIsUnset && input === '' ? undefined : input;
    const result = schema.safeParse(normalised);
    if (result.success) return result.data;
    const message = result.error.issues[0]?.message ?? 'invalid value';
    const shown = given === undefined ? '' : ` (got ${JSON.stringify(describeValue(given.value))} from ${given.source})`;
    issues.push(`${key}: ${message}${shown}`);
    return undefined;
  };

  const dbUri = setting('db-uri', z.pipe(z.pipe(z._default(text(), 'postgresql://'), fileOrValue('db-uri')), postgresUri()), raw('db-uri'));
  const dbListenUri = setting('db-listen-uri', z.optional(z.pipe(text(), postgresUri())), raw('db-listen-uri'));
  const dbSchemas = setting('db-schemas', z.pipe(z._default(text(), 'public'), schemaList()), raw('db-schemas', 'db-schema'));
  const dbAnonRole = setting('db-anon-role', z.optional(text()), raw('db-anon-role'));
  const dbPool = setting('db-pool', z._default(integer(1), 10), raw('db-pool'));
  const dbPoolAcquisitionTimeout = setting('db-pool-acquisition-timeout', z._default(integer(1), 10), raw('db-pool-acquisition-timeout'));
  const dbPoolMaxLifetime = setting('db-pool-max-lifetime', z._default(integer(1), 1800), raw('db-pool-max-lifetime'));
  const dbPoolMaxIdletime = setting('db-pool-max-idletime', z._default(integer(1), 30), raw('db-pool-max-idletime', 'db-pool-timeout'));
  const dbMaxRows = setting('db-max-rows', z.optional(integer(0)), raw('db-max-rows', 'max-rows'));
  const dbExtraSearchPath = setting(
    'db-extra-search-path',
    z.pipe(z._default(text(), 'public'), z.transform((value: string) => (value === '' ? [] : value.split(',').map((part) => part.trim())))),
    raw('db-extra-search-path'),
    false,
  );
  const dbPreRequest = setting('db-pre-request', z.optional(z.pipe(text(), functionName())), raw('db-pre-request', 'pre-request'));
  const dbAggregatesEnabled = setting('db-aggregates-enabled', boolean(false), raw('db-aggregates-enabled'));
  const dbPlanEnabled = setting('db-plan-enabled', boolean(false), raw('db-plan-enabled'));
  const dbTxEnd = setting(
    'db-tx-end',
    z.pipe(z._default(text(), 'commit'), z.enum(['commit', 'commit-allow-override', 'rollback', 'rollback-allow-override'], { error: 'Invalid transaction termination: expected commit, commit-allow-override, rollback or rollback-allow-override' })),
    raw('db-tx-end'),
  );
  const dbRootSpec = setting('db-root-spec', z.optional(text()), raw('db-root-spec', 'root-spec'));
  const dbConfig = setting('db-config', boolean(true), raw('db-config'));
  const dbPreConfig = setting('db-pre-config', z.optional(z.pipe(text(), functionName())), raw('db-pre-config'));
  const dbChannel = setting('db-channel', z._default(text(), 'pgrst'), raw('db-channel'));
  const dbChannelEnabled = setting('db-channel-enabled', boolean(true), raw('db-channel-enabled'));
  const jwtSecretIsBase64 = setting('jwt-secret-is-base64', boolean(false), raw('jwt-secret-is-base64', 'secret-is-base64'));
  const jwtSecretOrKeys = setting(
    'jwt-secret',
    z.optional(z.pipe(z.pipe(text(), fileOrValue('jwt-secret')), jwtSecretKey(jwtSecretIsBase64 ?? false))),
    raw('jwt-secret'),
  );
  const jwtAud = setting('jwt-aud', z.optional(z.pipe(text(), stringOrUri())), raw('jwt-aud'));
  const jwtRoleClaimKey = setting('jwt-role-claim-key', z.pipe(z._default(text(), '.role'), jsPath()), raw('jwt-role-claim-key', 'role-claim-key'));
  const serverHost = setting('server-host', z._default(text(), '!4'), raw('server-host'));
  const serverCorsAllowedOrigins = setting('server-cors-allowed-origins', z.optional(z.pipe(text(), originList())), raw('server-cors-allowed-origins'));
  const serverPort = setting('server-port', z._default(port(), 3000), raw('server-port'));
  const serverTraceHeader = setting('server-trace-header', z.optional(text()), raw('server-trace-header'));
  const serverTimingEnabled = setting('server-timing-enabled', boolean(false), raw('server-timing-enabled'));
  const adminServerHost = setting('admin-server-host', z.optional(text()), raw('admin-server-host'));
  const adminServerPort = setting('admin-server-port', z.optional(port()), raw('admin-server-port'));
  const openApiMode = setting(
    'openapi-mode',
    z.pipe(z._default(text(), 'follow-privileges'), z.enum(['follow-privileges', 'ignore-privileges', 'disabled'], { error: 'Invalid openapi-mode: expected follow-privileges, ignore-privileges or disabled' })),
    raw('openapi-mode'),
  );
  const openApiServerProxyUri = setting('openapi-server-proxy-uri', z.optional(z.pipe(text(), proxyUri())), raw('openapi-server-proxy-uri'));
  const openApiSecurityActive = setting('openapi-security-active', boolean(false), raw('openapi-security-active'));
  const logLevel = setting(
    'log-level',
    z.pipe(z._default(text(), 'error'), z.enum(['crit', 'error', 'warn', 'info', 'debug'], { error: 'Invalid logging level: expected crit, error, warn, info or debug' })),
    raw('log-level'),
  );

  if (adminServerPort !== undefined && adminServerPort === serverPort) issues.push('admin-server-port: cannot be the same as server-port');
  if (issues.length > 0) throw new ConfigError(issues.join('; '));

  return {
    configFile: options.configFile,
    dbUri: dbUri!,
    dbListenUri,
    dbSchemas: dbSchemas!,
    dbAnonRole,
    dbPool: dbPool!,
    dbPoolAcquisitionTimeout: dbPoolAcquisitionTimeout!,
    dbPoolMaxLifetime: dbPoolMaxLifetime!,
    dbPoolMaxIdletime: dbPoolMaxIdletime!,
    dbMaxRows,
    dbExtraSearchPath: dbExtraSearchPath!,
    dbPreRequest,
    dbAggregatesEnabled: dbAggregatesEnabled!,
    dbPlanEnabled: dbPlanEnabled!,
    dbTxEnd: dbTxEnd!,
    dbRootSpec,
    dbConfig: dbConfig!,
    dbPreConfig,
    dbChannel: dbChannel!,
    dbChannelEnabled: dbChannelEnabled!,
    jwtSecret: jwtSecretOrKeys instanceof Uint8Array ? jwtSecretOrKeys : undefined,
    jwtKeys: Array.isArray(jwtSecretOrKeys) ? jwtSecretOrKeys : undefined,
    jwtAud,
    jwtRoleClaimKey: jwtRoleClaimKey!,
    serverHost: serverHost!,
    serverCorsAllowedOrigins,
    serverPort: serverPort!,
    serverTraceHeader: serverTraceHeader === '' ? undefined : serverTraceHeader,
    serverTimingEnabled: serverTimingEnabled!,
    adminServerHost: adminServerHost ?? serverHost!,
    adminServerPort,
    openApiMode: openApiMode!,
    openApiServerProxyUri,
    openApiSecurityActive: openApiSecurityActive!,
    logLevel: logLevel!,
    appSettings: appSettings(env, file),
  };
}

/** `db-max-rows` → `PGRST_DB_MAX_ROWS` */
export function envName(key: string): string {
  return `PGRST_${key.replaceAll('-', '_').toUpperCase()}`;
}

/** The address to bind for PostgREST's `server-host` values (`!4`, `*4`, `!6`, `*6`, `*` are Warp's wildcards). */
export function listenAddress(host: string): string {
  switch (host) {
    case '!4':
    case '*4':
      return '0.0.0.0';
    case '*':
    case '!6':
    case '*6':
      return '::';
    default:
      return host;
  }
}

/** pino's level for PostgREST's log-level. */
export function pinoLevel(level: DataApiLogLevel): string {
  return level === 'crit' ? 'fatal' : level;
}

function appSettings(env: Record<string, string | undefined>, file: Map<string, ConfigFileValue>): Array<[string, string]> {
  const settings = new Map<string, string>();
  for (const [key, value] of file) {
    if (key.startsWith('app.settings.') && key.length > 'app.settings.'.length) settings.set(key, describeValue(value));
  }
  for (const [variable, value] of Object.entries(env)) {
    if (value !== undefined && variable.startsWith('PGRST_APP_SETTINGS_') && variable.length > 'PGRST_APP_SETTINGS_'.length) {
      settings.set(`app.settings.${variable.slice('PGRST_APP_SETTINGS_'.length)}`, value);
    }
  }
  return [...settings];
}

// --- the value shapes, each with PostgREST's coercion rules

/** zod/mini has no preprocess: a transform piped into the schema does the same. */
function preprocess<T>(prepare: (value: unknown) => unknown, schema: z.ZodMiniType<T>) {
  return z.pipe(z.transform(prepare), schema);
}

/** A transform that may refuse its input with a message. */
function convert<T>(apply: (value: string, refuse: (message: string) => never) => T) {
  return z.pipe(
    z.string(),
    z.transform((value: string, context) => {
      try {
        return apply(value, (message) => {
          throw new Refusal(message);
        });
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        context.issues.push({ code: 'custom', message: error.message, input: value });
        return z.NEVER;
      }
    }),
  );
}

class Refusal extends Error {}

/** A string check with PostgREST's wording. */
function checked(test: (value: string) => boolean, message: string) {
  return z.string().check(z.refine(test, { error: message }));
}

/** Any file value read as text (numbers and booleans as they print), like PostgREST's coerceText. */
function text() {
  return preprocess(
    (value) => (value === undefined || typeof value === 'string' ? value : describeValue(value as ConfigFileValue)),
    z.string({ error: 'expected text' }),
  );
}

function integer(minimum: number) {
  const wording = `expected ${minimum > 0 ? 'a positive whole number' : 'a whole number, 0 or more'}`;
  return preprocess(
    (value) => (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : value),
    z.int({ error: wording }).check(z.gte(minimum, { error: wording })),
  );
}

function port() {
  const wording = 'expected a TCP port number (0-65535)';
  return preprocess(
    (value) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
    z.int({ error: wording }).check(z.gte(0, { error: wording }), z.lte(65535, { error: wording })),
  );
}

/** PostgREST accepts true/false in any case, quoted or not, and numbers (> 0 is true). */
function boolean(fallback: boolean) {
  return preprocess((value) => {
    if (value === undefined || typeof value === 'boolean') return value;
    if (typeof value === 'number') return value > 0;
    if (typeof value !== 'string') return value;
    const letters = value.replace(/[^A-Za-z]/g, '').toLowerCase();
    if (letters === 'true' || letters === 'on' || letters === 'yes') return true;
    if (letters === 'false' || letters === 'off' || letters === 'no') return false;
    if (/^\s*-?\d+\s*$/.test(value)) return Number(value) > 0;
    return value;
  }, z._default(z.boolean({ error: 'expected true or false' }), fallback));
}

/** `@/path/to/file` reads the value from that file (one trailing newline removed), as PostgREST does. */
function fileOrValue(key: string) {
  return convert((value, refuse) => {
    if (!value.startsWith('@')) return value;
    let content: string;
    try {
      content = readFileSync(value.slice(1), 'utf8');
    } catch (error) {
      return refuse(`cannot read ${value.slice(1)}: ${(error as Error).message}`);
    }
    return key === 'db-uri' ? content.trim() : content.replace(/\n$/, '');
  });
}

function postgresUri() {
  return checked((value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value), 'expected a postgres:// or postgresql:// connection URI');
}

function schemaList() {
  return convert((value, refuse) => {
    const schemas = value.split(',').map((part) => part.trim());
    for (const schema of schemas) {
      if (schema === '') refuse('an empty schema name in the list');
      if (schema === 'pg_catalog' || schema === 'information_schema') refuse(`db-schemas does not allow schema: '${schema}'`);
    }
    return schemas;
  });
}

/** `schema.function` or `function`, split at the first period like PostgREST's toQi. */
function functionName() {
  return convert((value, refuse): FunctionName => {
    const trimmed = value.trim();
    const period = trimmed.indexOf('.');
    const schema = period < 0 ? undefined : trimmed.slice(0, period);
    const name = period < 0 ? trimmed : trimmed.slice(period + 1);
    if (name === '' || schema === '' || /\0/.test(trimmed)) refuse('expected a function name, optionally schema-qualified (schema.function)');
    return { schema, name };
  });
}

/** The secret itself, or the keys of a JWK (`{"kty": …}`) or JWK Set (`{"keys": [...]}`), as PostgREST reads jwt-secret. */
function jwtSecretKey(isBase64: boolean) {
  return convert((value, refuse): Uint8Array | JWK[] => {
    if (/^\s*\{/.test(value)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        // not JSON: a secret that happens to start with a brace
      }
      if (parsed && typeof parsed === 'object' && ('kty' in parsed || 'keys' in parsed)) {
        const keys = 'keys' in parsed ? (parsed as { keys: unknown }).keys : [parsed];
        if (!Array.isArray(keys) || keys.length === 0) refuse('a JWK Set needs a non-empty "keys" array');
        for (const key of keys as unknown[]) {
          const problem = jwkProblem(key);
          if (problem !== undefined) refuse(`invalid JSON Web Key: ${problem}`);
        }
        return keys as JWK[];
      }
    }
    if (!isBase64) return new TextEncoder().encode(value);
    const standard = value.trim().replaceAll('-', '+').replaceAll('_', '/').replaceAll('.', '=');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(standard) || standard.length % 4 !== 0) refuse('jwt-secret-is-base64 is true but jwt-secret is not valid base64');
    return new Uint8Array(Buffer.from(standard, 'base64'));
  });
}

function jwkProblem(key: unknown): string | undefined {
  if (!key || typeof key !== 'object' || Array.isArray(key)) return 'expected an object';
  const jwk = key as Record<string, unknown>;
  const has = (...names: string[]) => names.every((name) => typeof jwk[name] === 'string' && jwk[name] !== '');
  switch (jwk.kty) {
    case 'oct':
      return has('k') ? undefined : 'an oct key needs "k"';
    case 'RSA':
      return has('n', 'e') ? undefined : 'an RSA key needs "n" and "e"';
    case 'EC':
      return has('crv', 'x', 'y') ? undefined : 'an EC key needs "crv", "x" and "y"';
    case 'OKP':
      return has('crv', 'x') ? undefined : 'an OKP key needs "crv" and "x"';
    default:
      return `unsupported "kty": ${JSON.stringify(jwk.kty)}`;
  }
}

/** `http://a.example, https://b.example`: PostgREST splits at commas and trims. */
function originList() {
  return z.transform((value: string) => {
    const origins = value.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
    return origins.length === 0 ? undefined : origins;
  });
}

/** jwt-aud: any string; one with a colon must be a URI (RFC 3986), as PostgREST checks. */
function stringOrUri() {
  return checked(
    (value) => !value.includes(':') || /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/.test(value),
    'jwt-aud should be a string or a valid URI',
  );
}

function jsPath() {
  return convert((value, refuse) => {
    try {
      return parseJsPath(value);
    } catch (error) {
      if (!(error instanceof JsPathError)) throw error;
      return refuse(error.message);
    }
  });
}

function proxyUri() {
  return checked((value) => {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.search === '' && url.hash === '';
  }, 'Malformed proxy uri, a correct example: https://example.com:8443/basePath');
}
