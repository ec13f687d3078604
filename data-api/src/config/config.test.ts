import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@launchdb/common';
import { configFileFromArguments } from './arguments.ts';
import { envName, listenAddress, loadDataApiConfig } from './config.ts';
import { parseConfigText } from './config-file.ts';
import { formatJsPath, parseJsPath, walkJsPath } from './js-path.ts';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'data-api-config-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, text);
  return path;
}

const secret = 'a-jwt-secret-that-is-at-least-32-characters-long';

describe('loadDataApiConfig from PGRST_* variables', () => {
  it("has PostgREST's defaults", () => {
    const config = loadDataApiConfig({ env: {} });
    expect(config).toMatchObject({
      dbUri: 'postgresql://',
      dbSchemas: ['public'],
      dbAnonRole: undefined,
      dbPool: 10,
      dbPoolAcquisitionTimeout: 10,
      dbMaxRows: undefined,
      dbExtraSearchPath: ['public'],
      dbPreRequest: undefined,
      dbAggregatesEnabled: false,
      dbPlanEnabled: false,
      dbTxEnd: 'commit',
      dbChannel: 'pgrst',
      dbChannelEnabled: true,
      jwtSecret: undefined,
      jwtAud: undefined,
      jwtRoleClaimKey: [{ kind: 'key', key: 'role' }],
      serverHost: '!4',
      serverPort: 3000,
      adminServerHost: '!4',
      adminServerPort: undefined,
      openApiMode: 'follow-privileges',
      openApiSecurityActive: false,
      logLevel: 'error',
      appSettings: [],
    });
  });

  it('reads every setting from its variable', () => {
    const config = loadDataApiConfig({
      env: {
        PGRST_DB_URI: 'postgres://authenticator:pw@127.0.0.1:6432/app',
        PGRST_DB_LISTEN_URI: 'postgres://authenticator:pw@127.0.0.1:5432/app',
        PGRST_DB_SCHEMAS: 'api, public ,extra',
        PGRST_DB_ANON_ROLE: 'anon',
        PGRST_DB_POOL: '4',
        PGRST_DB_POOL_ACQUISITION_TIMEOUT: '3',
        PGRST_DB_MAX_ROWS: '1000',
        PGRST_DB_EXTRA_SEARCH_PATH: 'extensions,public',
        PGRST_DB_PRE_REQUEST: 'api.check_request',
        PGRST_DB_AGGREGATES_ENABLED: 'true',
        PGRST_DB_TX_END: 'rollback-allow-override',
        PGRST_JWT_SECRET: secret,
        PGRST_JWT_AUD: 'https://example.com/api',
        PGRST_JWT_ROLE_CLAIM_KEY: '."https://example.com/claims".roles[1]',
        PGRST_SERVER_HOST: '127.0.0.1',
        PGRST_SERVER_PORT: '3100',
        PGRST_ADMIN_SERVER_PORT: '3101',
        PGRST_OPENAPI_MODE: 'ignore-privileges',
        PGRST_OPENAPI_SERVER_PROXY_URI: 'https://example.com:8443/rest/v1',
        PGRST_LOG_LEVEL: 'info',
        PGRST_APP_SETTINGS_TENANT: 'acme',
        UNRELATED: 'x',
      },
    });
    expect(config).toMatchObject({
      dbUri: 'postgres://authenticator:pw@127.0.0.1:6432/app',
      dbListenUri: 'postgres://authenticator:pw@127.0.0.1:5432/app',
      dbSchemas: ['api', 'public', 'extra'],
      dbAnonRole: 'anon',
      dbPool: 4,
      dbPoolAcquisitionTimeout: 3,
      dbMaxRows: 1000,
      dbExtraSearchPath: ['extensions', 'public'],
      dbPreRequest: { schema: 'api', name: 'check_request' },
      dbAggregatesEnabled: true,
      dbTxEnd: 'rollback-allow-override',
      jwtAud: 'https://example.com/api',
      jwtRoleClaimKey: [
        { kind: 'key', key: 'https://example.com/claims' },
        { kind: 'key', key: 'roles' },
        { kind: 'index', index: 1 },
      ],
      serverHost: '127.0.0.1',
      serverPort: 3100,
      adminServerHost: '127.0.0.1',
      adminServerPort: 3101,
      openApiMode: 'ignore-privileges',
      openApiServerProxyUri: 'https://example.com:8443/rest/v1',
      logLevel: 'info',
      appSettings: [['app.settings.TENANT', 'acme']],
    });
    expect(Buffer.from(config.jwtSecret!).toString()).toBe(secret);
  });

  it('decodes a base64 (or base64url) secret', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0x00, 0x10, 0x20, 0x30, 0xfe, 0x7f]);
    const standard = loadDataApiConfig({ env: { PGRST_JWT_SECRET: bytes.toString('base64'), PGRST_JWT_SECRET_IS_BASE64: 'true' } });
    expect(Buffer.from(standard.jwtSecret!)).toEqual(bytes);
    const url = loadDataApiConfig({ env: { PGRST_JWT_SECRET: bytes.toString('base64url') + '=', PGRST_JWT_SECRET_IS_BASE64: 'True' } });
    expect(Buffer.from(url.jwtSecret!)).toEqual(bytes);
    // without the flag the same text is the key itself
    const plain = loadDataApiConfig({ env: { PGRST_JWT_SECRET: bytes.toString('base64') } });
    expect(Buffer.from(plain.jwtSecret!).toString()).toBe(bytes.toString('base64'));
  });

  it('reads jwt-secret as a JSON Web Key or a JWK Set, as PostgREST does', () => {
    const single = loadDataApiConfig({ env: { PGRST_JWT_SECRET: '{"kty":"oct","k":"c2VjcmV0"}' } });
    expect(single).toMatchObject({ jwtSecret: undefined, jwtKeys: [{ kty: 'oct', k: 'c2VjcmV0' }] });
    const set = loadDataApiConfig({ env: { PGRST_JWT_SECRET: '{"keys":[{"kty":"oct","k":"c2VjcmV0"},{"kty":"EC","crv":"P-256","x":"AA","y":"AA","kid":"a"}]}' } });
    expect(set.jwtKeys?.map((key) => key.kty)).toEqual(['oct', 'EC']);
  });

  it('reads db-uri and jwt-secret from a file given as @path', async () => {
    const secretFile = await file('secret.txt', `${secret}\n`);
    const uriFile = await file('uri.txt', ' postgres://u:p@db:5432/app \n');
    const config = loadDataApiConfig({ env: { PGRST_JWT_SECRET: `@${secretFile}`, PGRST_DB_URI: `@${uriFile}` } });
    expect(Buffer.from(config.jwtSecret!).toString()).toBe(secret);
    expect(config.dbUri).toBe('postgres://u:p@db:5432/app');
  });

  it('treats an empty variable as unset (the default), except db-extra-search-path where it means none', () => {
    const config = loadDataApiConfig({ env: { PGRST_DB_ANON_ROLE: '', PGRST_DB_POOL: '', PGRST_DB_EXTRA_SEARCH_PATH: '' } });
    expect(config.dbAnonRole).toBeUndefined();
    expect(config.dbPool).toBe(10);
    expect(config.dbExtraSearchPath).toEqual([]);
  });

  it("accepts PostgREST's older aliases", () => {
    const config = loadDataApiConfig({ env: { PGRST_DB_SCHEMA: 'api', PGRST_MAX_ROWS: '5', PGRST_PRE_REQUEST: 'check', PGRST_ROLE_CLAIM_KEY: '.r', PGRST_SECRET_IS_BASE64: 'false' } });
    expect(config).toMatchObject({ dbSchemas: ['api'], dbMaxRows: 5, dbPreRequest: { schema: undefined, name: 'check' }, jwtRoleClaimKey: [{ kind: 'key', key: 'r' }] });
  });

  it('names every invalid setting, its value and where it came from', () => {
    const attempt = () =>
      loadDataApiConfig({
        env: {
          PGRST_DB_POOL: 'ten',
          PGRST_SERVER_PORT: '70000',
          PGRST_DB_TX_END: 'maybe',
          PGRST_LOG_LEVEL: 'verbose',
          PGRST_DB_URI: 'mysql://x',
          PGRST_JWT_ROLE_CLAIM_KEY: 'role',
          PGRST_DB_AGGREGATES_ENABLED: 'sometimes',
          PGRST_OPENAPI_MODE: 'on',
          PGRST_OPENAPI_SERVER_PROXY_URI: 'ftp://example.com',
          PGRST_JWT_AUD: 'a:b c',
        },
      });
    expect(attempt).toThrow(ConfigError);
    let message = '';
    try {
      attempt();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('db-pool: expected a positive whole number (got "ten" from PGRST_DB_POOL)');
    expect(message).toContain('server-port: expected a TCP port number (0-65535) (got "70000" from PGRST_SERVER_PORT)');
    expect(message).toContain('db-tx-end: Invalid transaction termination');
    expect(message).toContain('log-level: Invalid logging level');
    expect(message).toContain('db-uri: expected a postgres:// or postgresql:// connection URI');
    expect(message).toContain('jwt-role-claim-key: failed to parse role-claim-key value (role): at column 1, expected period (.)');
    expect(message).toContain('db-aggregates-enabled: expected true or false');
    expect(message).toContain('openapi-mode: Invalid openapi-mode');
    expect(message).toContain('openapi-server-proxy-uri: Malformed proxy uri');
    expect(message).toContain('jwt-aud: jwt-aud should be a string or a valid URI');
  });

  it('refuses system schemas, a bad base64 secret, a malformed JWK, and the admin port on the server port', () => {
    expect(() => loadDataApiConfig({ env: { PGRST_DB_SCHEMAS: 'api,pg_catalog' } })).toThrow("db-schemas: db-schemas does not allow schema: 'pg_catalog'");
    expect(() => loadDataApiConfig({ env: { PGRST_JWT_SECRET: 'not base64!', PGRST_JWT_SECRET_IS_BASE64: 'true' } })).toThrow(
      'jwt-secret: jwt-secret-is-base64 is true but jwt-secret is not valid base64',
    );
    expect(() => loadDataApiConfig({ env: { PGRST_JWT_SECRET: '{"kty":"EC","crv":"P-256"}' } })).toThrow('jwt-secret: invalid JSON Web Key: an EC key needs "crv", "x" and "y"');
    expect(() => loadDataApiConfig({ env: { PGRST_JWT_SECRET: '{"keys":[]}' } })).toThrow('jwt-secret: a JWK Set needs a non-empty "keys" array');
    expect(() => loadDataApiConfig({ env: { PGRST_SERVER_PORT: '3000', PGRST_ADMIN_SERVER_PORT: '3000' } })).toThrow(
      'admin-server-port: cannot be the same as server-port',
    );
    expect(() => loadDataApiConfig({ env: { PGRST_DB_PRE_REQUEST: 'api.' } })).toThrow('db-pre-request: expected a function name');
  });

  it('maps PostgREST host wildcards to bind addresses and builds variable names', () => {
    expect(listenAddress('!4')).toBe('0.0.0.0');
    expect(listenAddress('*')).toBe('::');
    expect(listenAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(envName('db-pool-acquisition-timeout')).toBe('PGRST_DB_POOL_ACQUISITION_TIMEOUT');
  });
});

describe('loadDataApiConfig from a PostgREST config file', () => {
  it('reads quoted strings, bare numbers and booleans, comments, groups and $(VAR) interpolation', async () => {
    const path = await file(
      'postgrest.conf',
      [
        '# PostgREST configuration',
        'db-uri = "postgres://authenticator:$(DB_PASSWORD)@localhost:5432/app"   # password from the environment',
        'db-schemas = "api,public"',
        'db-anon-role = "anon"',
        'db-pool = 7',
        'db-max-rows = 50',
        'db-aggregates-enabled = true',
        'db-channel-enabled = false',
        'jwt-secret = "$(JWT_SECRET)"',
        'jwt-role-claim-key = ".app_metadata.roles[0]"',
        'server-port = 3200',
        'app.settings.region = "eu-west"',
        'app {',
        '  settings {',
        '    price = 12',
        '  }',
        '}',
        'log-level = "warn"',
        'openapi-server-proxy-uri = "http://localhost:$(server-port)/rest"',
        'db-extra-search-path = "ext, \\"quoted\\" ok"',
        '',
      ].join('\n'),
    );
    const config = loadDataApiConfig({ configFile: path, env: { DB_PASSWORD: 'p@ss', JWT_SECRET: secret } });
    expect(config).toMatchObject({
      configFile: path,
      dbUri: 'postgres://authenticator:p@ss@localhost:5432/app',
      dbSchemas: ['api', 'public'],
      dbAnonRole: 'anon',
      dbPool: 7,
      dbMaxRows: 50,
      dbAggregatesEnabled: true,
      dbChannelEnabled: false,
      jwtRoleClaimKey: [
        { kind: 'key', key: 'app_metadata' },
        { kind: 'key', key: 'roles' },
        { kind: 'index', index: 0 },
      ],
      serverPort: 3200,
      logLevel: 'warn',
      openApiServerProxyUri: 'http://localhost:3200/rest',
      dbExtraSearchPath: ['ext', '"quoted" ok'],
      appSettings: [
        ['app.settings.region', 'eu-west'],
        ['app.settings.price', '12'],
      ],
    });
    expect(Buffer.from(config.jwtSecret!).toString()).toBe(secret);
  });

  it('lets PGRST_* variables override the file', async () => {
    const path = await file('override.conf', 'db-pool = 7\ndb-anon-role = "anon"\n');
    const config = loadDataApiConfig({ configFile: path, env: { PGRST_DB_POOL: '3' } });
    expect(config.dbPool).toBe(3);
    expect(config.dbAnonRole).toBe('anon');
  });

  it('names the file, line and column of a syntax error, and an unknown $(VAR)', async () => {
    const broken = await file('broken.conf', 'db-pool = 7\ndb-anon-role = anon\n');
    expect(() => loadDataApiConfig({ configFile: broken, env: {} })).toThrow(`${broken}:2:16: unexpected 'a': strings must be quoted`);
    const unknown = await file('unknown.conf', 'jwt-secret = "$(NOT_SET_ANYWHERE)"\n');
    expect(() => loadDataApiConfig({ configFile: unknown, env: {} })).toThrow('no such variable: $(NOT_SET_ANYWHERE)');
    expect(() => loadDataApiConfig({ configFile: join(folder, 'missing.conf'), env: {} })).toThrow(/cannot read the config file/);
  });

  it('reports a wrongly typed file value with the file as its source', async () => {
    const path = await file('typed.conf', 'db-pool = "many"\n');
    expect(() => loadDataApiConfig({ configFile: path, env: {} })).toThrow(`db-pool: expected a positive whole number (got "many" from ${path})`);
  });

  it('follows import and keeps $$ as a dollar sign', async () => {
    await file('base.conf', 'db-anon-role = "web_anon"\n');
    const main = await file('main.conf', 'import "base.conf"\ndb-channel = "cost$$"\n');
    const config = loadDataApiConfig({ configFile: main, env: {} });
    expect(config.dbAnonRole).toBe('web_anon');
    expect(config.dbChannel).toBe('cost$');
  });

  it('parses lists, escapes and semicolons', () => {
    const settings = parseConfigText('a = [1, "two", true] ; b = "line\\nnext\\u0041"\nc = -1.5', 'inline', () => undefined);
    expect(settings.get('a')).toEqual([1, 'two', true]);
    expect(settings.get('b')).toBe('line\nnextA');
    expect(settings.get('c')).toBe(-1.5);
  });
});

describe('jwt-role-claim-key (JSPath)', () => {
  const claims = {
    role: 'authenticated',
    'https://example.com/claims': { roles: ['editor', 'admin'] },
    app_metadata: { roles: ['owner'] },
    nested: { 'with.dot': 'dotted' },
  };

  it.each([
    ['.role', 'authenticated'],
    ['."https://example.com/claims".roles[1]', 'admin'],
    ['.app_metadata.roles[0]', 'owner'],
    ['.nested."with.dot"', 'dotted'],
    ['.app_metadata.roles[3]', undefined],
    ['.missing.role', undefined],
  ])('%s finds %s', (path, expected) => {
    expect(walkJsPath(claims, parseJsPath(path))).toEqual(expected);
  });

  it('round-trips to text and rejects what PostgREST rejects', () => {
    expect(formatJsPath(parseJsPath('."https://x".roles[0].name'))).toBe('."https://x".roles[0].name');
    expect(() => parseJsPath('role')).toThrow('expected period (.)');
    expect(() => parseJsPath('.roles[x]')).toThrow('expected array index [0..n]');
    expect(() => parseJsPath('.a-b')).toThrow('expected period (.) or end of input');
    expect(() => parseJsPath('."unterminated')).toThrow('expected closing quote');
  });
});

describe('configFileFromArguments', () => {
  it('takes --config <file>, --config=<file> or one positional file, like PostgREST', () => {
    expect(configFileFromArguments([])).toBeUndefined();
    expect(configFileFromArguments(['--config', 'a.conf'])).toBe('a.conf');
    expect(configFileFromArguments(['--config=b.conf'])).toBe('b.conf');
    expect(configFileFromArguments(['/etc/postgrest.conf'])).toBe('/etc/postgrest.conf');
    expect(() => configFileFromArguments(['--config'])).toThrow('--config needs a file name');
    expect(() => configFileFromArguments(['a.conf', 'b.conf'])).toThrow('give one config file only');
    expect(() => configFileFromArguments(['--verbose'])).toThrow('unknown option --verbose');
  });
});
