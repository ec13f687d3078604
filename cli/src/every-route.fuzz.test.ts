import { readdir, readFile } from 'node:fs/promises';
import diagnostics from 'node:diagnostics_channel';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import type { FastifyInstance, RouteOptions } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, projectNames, withDatabase } from '@launchdb/common';
import { launchdbConfigSchema } from './config.ts';
import { openLocalPlatform } from './local-platform.ts';
import { startRunningPlatform, type RunningPlatform } from './testing/running-platform.ts';

/**
 * Every route of every service, as `launchdb up` runs them, fuzzed: the routes are read from the
 * Fastify apps themselves as they are built (Fastify announces each new instance on the
 * `fastify.initialization` diagnostics channel), then each gets requests with malformed JSON,
 * wrong types, NUL, unpaired surrogates, huge strings and odd headers. Whatever arrives:
 * - the answer is never a 5xx (and never a hang);
 * - a refused request (4xx) stores nothing: no row in the project's tables, auth, storage or the
 *   platform schema, no file;
 * - a request whose URL carries text PostgreSQL cannot store is refused;
 * - no log line carries an error (a stack trace) for any of it.
 *
 * Bounded: a fixed seed and FUZZ_RUNS runs per route (4 by default); `FUZZ_RUNS=200
 * FUZZ_SEED=<n> npx vitest run cli/src/every-route.fuzz.test.ts` for a soak.
 */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? '4') || 4;
const SEED = Number(process.env['FUZZ_SEED'] ?? '17') || 17;
/** A service's routes at FUZZ_RUNS runs each, on a loaded machine. */
const TIMEOUT_MS = 60_000 + RUNS * 6_000;

interface Route {
  method: string;
  url: string;
}

/** Routes of every Fastify instance built in this process, in the order they were added. */
const routesOf = new Map<FastifyInstance, Route[]>();
const onInitialization = (message: unknown) => {
  const fastify = (message as { fastify: FastifyInstance }).fastify;
  const routes: Route[] = [];
  routesOf.set(fastify, routes);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
};

const OPERATOR = { email: 'fuzz@launchdb.local', password: 'fuzz-operator-password-1' };

// --- what the fuzzer sends -----------------------------------------------------------------

const POISON = ['\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\udc00\ud800', 'ok\u0000'];
const poison = fc.constantFrom(...POISON);
const huge = fc.constantFrom('x'.repeat(5_000), 'é'.repeat(40_000), '9'.repeat(400));
const oddText = fc.oneof(
  fc.constantFrom('', ' ', '-1', '0', '1e309', 'true', 'null', '../..', 'a/../b', '%', '%zz', '\t', 'é', '😀', '\\', '"', "'", '{}', '[]', 'a'.repeat(300)),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const anyText = fc.oneof({ weight: 3, arbitrary: oddText }, { weight: 2, arbitrary: poison }, { weight: 1, arbitrary: huge });
/** Node refuses a request line and headers over 16 KiB before any route: the URL's huge strings stay below. */
const urlText = fc.oneof({ weight: 3, arbitrary: oddText }, { weight: 2, arbitrary: poison }, { weight: 1, arbitrary: fc.constantFrom('x'.repeat(2_000), 'é'.repeat(300)) });

const FIELD_NAMES = [
  'email', 'password', 'phone', 'data', 'user_metadata', 'app_metadata', 'grant_type', 'refresh_token', 'auth_code', 'code_verifier', 'token', 'token_hash',
  'type', 'redirect_to', 'code_challenge', 'factor_type', 'friendly_name', 'code', 'challenge_id', 'name', 'id', 'public', 'file_size_limit',
  'allowed_mime_types', 'prefix', 'limit', 'offset', 'search', 'sortBy', 'bucketId', 'sourceKey', 'destinationKey', 'destinationBucket', 'paths',
  'prefixes', 'expiresIn', 'transform', 'sql', 'template', 'role', 'ban_duration', 'options', 'nonce',
];
const fieldName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FIELD_NAMES) }, { weight: 1, arbitrary: fc.oneof(poison, fc.string({ maxLength: 6 })) });
const wrongValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    anyText,
    fc.constantFrom(0, -1, 1.5, 1e308, 2 ** 53 + 1, true, false, null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fieldName, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const jsonBody = fc.oneof(fc.dictionary(fieldName, wrongValue, { maxKeys: 5 }), wrongValue);
const malformedJson = fc.oneof(
  fc.constantFrom('{', '{"email":', '[1,', 'nul', '{"a":"\\u00"}', '{"a":1}}', '"unterminated', '{"a":"\\x41"}', '\u0000', '{"a":01}', '{,}', 'NaN', '{"__proto__":{"a":1}}'),
  fc.string({ maxLength: 20 }),
);

interface Body {
  contentType: string | undefined;
  bytes: Buffer | undefined;
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'application/octet-stream',
  'image/png',
  '',
  ';;;',
  'application/json; charset=latin1',
  'application/vnd.pgrst.object+json',
];

function formOf(pairs: Array<[string, string]>): string {
  return pairs.map(([k, v]) => `${encodeText(k)}=${encodeText(v)}`).join('&');
}

function multipartOf(fields: Array<[string, string]>, file: string): { contentType: string; bytes: Buffer } {
  const boundary = 'fuzzboundary7';
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/["\r\n]/g, '')}"\r\n\r\n${value}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\nContent-Type: text/plain\r\n\r\n${file}\r\n--${boundary}--\r\n`);
  return { contentType: `multipart/form-data; boundary=${boundary}`, bytes: Buffer.from(parts.join(''), 'utf8') };
}

const body: fc.Arbitrary<Body> = fc.oneof(
  fc.constant({ contentType: undefined, bytes: undefined }),
  fc.tuple(fc.constantFrom(...CONTENT_TYPES.slice(0, 2)), jsonBody).map(([contentType, value]) => ({ contentType, bytes: Buffer.from(JSON.stringify(value) ?? 'null') })),
  fc.tuple(fc.constantFrom(...CONTENT_TYPES), malformedJson).map(([contentType, text]) => ({ contentType, bytes: Buffer.from(text) })),
  fc.array(fc.tuple(fieldName, anyText), { maxLength: 4 }).map((pairs) => ({ contentType: 'application/x-www-form-urlencoded', bytes: Buffer.from(formOf(pairs)) })),
  fc.tuple(fc.array(fc.tuple(fc.constantFrom('cacheControl', 'metadata', 'contentType', 'x'), fc.oneof(anyText, jsonBody.map((v) => JSON.stringify(v) ?? ''))), { maxLength: 3 }), anyText).map(([fields, file]) => multipartOf(fields, file)),
  fc.tuple(fc.constantFrom(...CONTENT_TYPES), fc.uint8Array({ maxLength: 48 })).map(([contentType, bytes]) => ({ contentType, bytes: Buffer.from(bytes) })),
  fc.constant({ contentType: 'application/json', bytes: Buffer.from(JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(1_100_000) })) }),
);

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
/** Header values must be Latin-1 without CR, LF or NUL to be sent at all; what is sent inside them (base64, JWTs) may be anything. */
const headerText = fc.oneof(
  fc.constantFrom('', ' ', 'true', 'false', 'maybe', '-1', '0', '99999999999999999999', 'bytes=5-1', 'bytes=-', 'bytes=0-', 'items=0-1', 'max-age=x', '2024-01-01', '1.0.0', '5', 'x'.repeat(2_000)),
  fc.string({ unit: fc.constantFrom(...'abc019-_=;,. /:+*'), maxLength: 16 }),
  fc.oneof(poison, jsonBody.map((v) => JSON.stringify(v) ?? ''), oddText).map(base64),
);
const tusMetadata = fc
  .array(fc.tuple(fc.constantFrom('bucketName', 'objectName', 'contentType', 'cacheControl', 'metadata', 'x'), fc.oneof(urlText, fc.constantFrom('fuzz', 'a/b.txt'))), { maxLength: 4 })
  .map((pairs) => pairs.map(([k, v]) => `${k} ${base64(v)}`).join(','));
const EXTRA_HEADERS = ['x-upsert', 'cache-control', 'x-metadata', 'range', 'prefer', 'x-supabase-api-version', 'tus-resumable', 'upload-length', 'upload-offset', 'accept', 'content-profile', 'x-client-info', 'if-none-match'];
const forwardedFor = fc.constantFrom('garbage', '999.1.1.1', '1.2.3.4, garbage', '::1', '', 'unknown');
const extraHeaders = fc.array(
  fc.oneof(fc.tuple(fc.constantFrom(...EXTRA_HEADERS), headerText), fc.tuple(fc.constant('upload-metadata'), tusMetadata), fc.tuple(fc.constant('x-forwarded-for'), forwardedFor)),
  { maxLength: 4 },
);

type Credential = 'none' | 'anon' | 'user' | 'service' | 'operator' | 'garbage' | 'basic' | 'huge' | 'twice' | 'internal' | 'internal-twice' | 'apikey-only-garbage';
// the keys that reach a route's own checks most often, the odd ones often enough
const credential = fc.constantFrom<Credential>('none', 'anon', 'user', 'user', 'service', 'service', 'service', 'operator', 'garbage', 'basic', 'huge', 'twice', 'internal', 'internal-twice', 'apikey-only-garbage');

interface Fixtures {
  projectId: string;
  anon: string;
  service: string;
  userToken: string;
  userId: string;
  operatorToken: string;
  internalKey: string;
}

function credentialHeaders(kind: Credential, f: Fixtures): Array<[string, string]> {
  switch (kind) {
    case 'none':
      return [];
    case 'anon':
      return [['apikey', f.anon]];
    case 'user':
      return [['apikey', f.anon], ['authorization', `Bearer ${f.userToken}`]];
    case 'service':
      return [['apikey', f.service], ['authorization', `Bearer ${f.service}`]];
    case 'operator':
      return [['authorization', `Bearer ${f.operatorToken}`]];
    case 'garbage':
      return [['apikey', f.anon], ['authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl']];
    case 'basic':
      return [['apikey', f.anon], ['authorization', 'Basic dXNlcjpwYXNz']];
    case 'huge':
      return [['apikey', 'k'.repeat(3_000)], ['authorization', `Bearer ${'a'.repeat(3_000)}`]];
    case 'twice':
      return [['apikey', f.anon], ['apikey', f.service], ['authorization', 'Bearer not.a.jwt'], ['authorization', `Bearer ${f.service}`]];
    case 'internal':
      return [['x-internal-key', f.internalKey]];
    case 'internal-twice':
      return [['x-internal-key', f.internalKey], ['x-internal-key', 'second']];
    case 'apikey-only-garbage':
      return [['apikey', 'garbage']];
  }
}

/** Percent-encodes text as a URL carries it; an unpaired surrogate, which has no UTF-8 form, as the bytes a careless encoder would send. */
function encodeText(text: string): string {
  let out = '';
  for (const char of text) out += /^[\ud800-\udfff]$/.test(char) ? '%ED%A0%80' : encodeURIComponent(char);
  return out;
}

/**
 * Only NUL: an unpaired surrogate has no UTF-8 form, so a URL carries it as bytes that do not
 * decode (the router refuses them in a path, a query keeps them as the literal `%ED%A0%80`).
 */
function hasPoison(text: string): boolean {
  return text.includes('\u0000');
}

interface FuzzRequest {
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: Buffer | undefined;
  /** A path parameter (other than the project) or a query value holds text PostgreSQL cannot store. */
  poisonedUrl: boolean;
}

function requestFor(route: Route, f: Fixtures) {
  const paramNames = [...route.url.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!);
  const wildcard = route.url.endsWith('*');
  const paramValue = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('fuzz', 'a/b.txt', f.userId, 'no-such', '00000000-0000-0000-0000-000000000000', 'public') }, { weight: 2, arbitrary: urlText });
  const projectValue = fc.oneof({ weight: 8, arbitrary: fc.constant(f.projectId) }, { weight: 1, arbitrary: urlText });
  const query = fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom('grant_type', 'type', 'token', 'redirect_to', 'download', 'apikey', 'select', 'limit', 'offset', 'page', 'per_page', 'width', 'format', 'confirm', 'email', 'id'), fc.string({ maxLength: 5 })),
      fc.oneof(fc.constantFrom('password', 'refresh_token', 'pkce', 'signup', 'recovery', 'true', 'eq.1', '*', '10', f.projectId), urlText),
    ),
    { maxLength: 3 },
  );
  return fc
    .record({
      params: fc.tuple(...paramNames.map((name) => (name === 'projectId' ? projectValue : paramValue))),
      rest: wildcard ? fc.oneof(paramValue, fc.constant('')) : fc.constant(undefined),
      query,
      credential,
      extra: extraHeaders,
      body,
    })
    .map(({ params, rest, query: pairs, credential: kind, extra, body: sent }): FuzzRequest => {
      let index = 0;
      let poisonedUrl = false;
      let path = route.url.replace(/:([A-Za-z_]+)/g, (_m, name: string) => {
        const value = params[index++] as string;
        if (name !== 'projectId' && hasPoison(value)) poisonedUrl = true;
        return value === '' ? '_' : encodeText(value);
      });
      if (wildcard) {
        const value = rest as string;
        if (hasPoison(value)) poisonedUrl = true;
        path = path.slice(0, -1) + value.split('/').map(encodeText).join('/');
      }
      if (pairs.length > 0) {
        if (pairs.some(([, v]) => hasPoison(v))) poisonedUrl = true;
        path += `?${formOf(pairs)}`;
      }
      // huge, but within what Node lets through (16 KiB of request line and headers)
      const headers: Array<[string, string]> = [...credentialHeaders(kind, f), ...extra.map(([name, value]): [string, string] => [name, value.slice(0, 2_000)])];
      if (sent.contentType !== undefined) headers.push(['content-type', sent.contentType]);
      return { method: route.method, path, headers, body: sent.bytes, poisonedUrl };
    });
}

// --- the platform under test ---------------------------------------------------------------


/** A name given twice is sent as two header lines. */
function headerObject(request: FuzzRequest): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of request.headers) (headers[name] ??= []).push(value);
  // Node sends a GET's or DELETE's body neither chunked nor with a length unless told
  if (request.body !== undefined) headers['content-length'] = [String(request.body.length)];
  return headers;
}

function send(origin: string, request: FuzzRequest): Promise<{ status: number; text: string }> {
  const target = new URL(origin);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.path,
        // a connection of its own: one request's leftovers must not be blamed on the next
        agent: false,
        headers: headerObject(request),
        timeout: 15_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, 400) }));
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('no answer within 15 s')));
    // a server that answers before reading the whole body may close the connection under the rest
    outgoing.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: 0, text: error.code }) : reject(error)));
    outgoing.end(request.body);
  });
}

/** Queues the services drain in the background: they shrink between requests whatever the requests are. */
const DRAINED = new Set(['storage.removed_objects', 'files', 'uploads']);

/** `storage.objects=3→4` for each count a request changed (a drained queue's shrinking is not the request's). */
function difference(before: string, after: string): string {
  const old = new Map(before.split(' ').map((entry) => entry.split('=') as [string, string]));
  return after
    .split(' ')
    .map((entry) => entry.split('=') as [string, string])
    .filter(([name, count]) => old.get(name) !== count && !(DRAINED.has(name) && Number(count) < Number(old.get(name))))
    .map(([name, count]) => `${name}=${old.get(name)}→${count}`)
    .join(' ');
}

async function countFiles(folder: string): Promise<number> {
  try {
    const entries = await readdir(folder, { recursive: true, withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).length;
  } catch {
    return 0;
  }
}

describe('every route of every service, fuzzed', () => {
  let running: RunningPlatform;
  let origin: string;
  let managerOrigin: string;
  let fixtures: Fixtures;
  let platformApp: FastifyInstance;
  let managerApp: FastifyInstance | undefined;
  let projectDb: pg.Client;
  let platformDb: pg.Client;
  let countRows: () => Promise<string>;
  const logLines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    diagnostics.subscribe('fastify.initialization', onInitialization);
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    running = await startRunningPlatform(
      {
        LAUNCHDB_ADMIN_EMAIL: OPERATOR.email,
        LAUNCHDB_ADMIN_PASSWORD: OPERATOR.password,
        LOG_LEVEL: 'info',
        // X-Forwarded-For is believed, as behind Caddy: whatever it holds must not fail a request
        TRUST_PROXY: 'true',
        // limits would answer 429 before the routes' own checks
        LOGIN_ATTEMPTS_PER_MINUTE: '100000',
        AUTH_RATE_LIMIT_TOKEN_PER_IP: '100000',
        AUTH_RATE_LIMIT_SIGNUP_PER_IP: '100000',
        AUTH_RATE_LIMIT_RECOVER_PER_IP: '100000',
        AUTH_RATE_LIMIT_OTP_PER_IP: '100000',
        AUTH_RATE_LIMIT_VERIFY_PER_IP: '100000',
        AUTH_RATE_LIMIT_PER_EMAIL: '100000',
      },
      { logger: createLogger({ level: 'info', name: 'launchdb', destination }) },
    );
    const { env } = running;
    const config = launchdbConfigSchema.parse(env);
    origin = running.url;
    diagnostics.unsubscribe('fastify.initialization', onInitialization);

    for (const [app, routes] of routesOf) {
      if (routes.some((route) => route.url === '/api/health')) platformApp = app;
      else if (routes.some((route) => route.url.startsWith('/internal/postgrest'))) managerApp = app;
    }
    if (managerApp?.server.listening) managerOrigin = `http://127.0.0.1:${(managerApp.server.address() as AddressInfo).port}`;

    const json = async (method: string, path: string, headers: Record<string, string>, payload?: unknown) => {
      const response = await fetch(`${origin}${path}`, { method, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, body: payload === undefined ? null : JSON.stringify(payload) });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as Record<string, any>;
    };
    const operatorToken = (await json('POST', '/api/auth/login', {}, OPERATOR))['access_token'] as string;
    const operator = { authorization: `Bearer ${operatorToken}` };
    const project = await json('POST', '/api/projects', operator, { name: 'fuzz' });
    const projectId = project['id'] as string;
    const anon = project['keys']['anon'] as string;
    const service = project['keys']['service_role'] as string;
    await json('POST', `/api/projects/${projectId}/migrations`, operator, {
      name: 'notes',
      sql: 'create table public.notes (id bigint generated by default as identity primary key, body text not null); grant all on public.notes to anon, authenticated, service_role;',
    });
    const asService = { apikey: service, authorization: `Bearer ${service}` };
    await json('POST', `/storage/${projectId}/bucket`, asService, { name: 'fuzz', public: true });
    await fetch(`${origin}/storage/${projectId}/object/fuzz/a/b.txt`, { method: 'POST', headers: { ...asService, 'content-type': 'text/plain' }, body: 'hello' });
    const user = await json('POST', `/auth/${projectId}/admin/users`, asService, { email: 'someone@example.com', password: 'a fine password', email_confirm: true });
    const session = await json('POST', `/auth/${projectId}/token?grant_type=password`, { apikey: anon }, { email: 'someone@example.com', password: 'a fine password' });
    fixtures = {
      projectId,
      anon,
      service,
      userToken: session['access_token'] as string,
      userId: user['id'] as string,
      operatorToken,
      internalKey: (await readFile(join(env['LAUNCHDB_DATA_DIR']!, 'postgrest-manager.key'), 'utf8')).trim(),
    };

    const { adminUrl } = await openLocalPlatform(config);
    projectDb = new pg.Client({ connectionString: withDatabase(adminUrl, projectNames(projectId).database) });
    platformDb = new pg.Client({ connectionString: adminUrl });
    await Promise.all([projectDb.connect(), platformDb.connect()]);
    const tables = async (client: pg.Client, schemas: string[]) =>
      (await client.query<{ name: string }>(`select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname = any($1) and tablename <> 'schema_migrations' order by 1`, [schemas])).rows.map((row) => row.name);
    const countSql = (names: string[]) => `select ${names.map((name) => `'${name}=' || (select count(*) from ${name})`).join(` || ' ' || `)} as counts`;
    const projectCounts = countSql(await tables(projectDb, ['public', 'auth', 'storage']));
    const platformCounts = countSql(await tables(platformDb, ['platform']));
    const data = env['LAUNCHDB_DATA_DIR']!;
    countRows = async () => {
      const [a, b, files, uploads, backups] = await Promise.all([
        projectDb.query<{ counts: string }>(projectCounts),
        platformDb.query<{ counts: string }>(platformCounts),
        countFiles(join(data, 'storage')),
        countFiles(join(data, 'storage-uploads')),
        countFiles(join(data, 'backups')),
      ]);
      return `${a.rows[0]!.counts} ${b.rows[0]!.counts} files=${files} uploads=${uploads} backups=${backups}`;
    };
    logLines.length = 0;
  }, 120_000);

  afterAll(async () => {
    await projectDb?.end();
    await platformDb?.end();
    await running?.stop();
  }, 60_000);

  /** Fuzzes the routes whose URL `belongs`; returns one line per counterexample. */
  async function fuzz(app: () => FastifyInstance | undefined, target: () => string, belongs: (url: string) => boolean, guarded = true): Promise<string[]> {
    const routes = (routesOf.get(app()!) ?? []).filter((route) => belongs(route.url));
    const failures: string[] = [];
    const statuses = new Map<string, number>();
    let before = await countRows();
    for (const [index, route] of routes.entries()) {
      const result = await fc.check(
        fc.asyncProperty(requestFor(route, fixtures), async (request) => {
          let answer = await send(target(), request);
          // an unavailable dependency (a data API restarted on a loaded machine) is a 503 worth one retry; twice is a bug
          if (answer.status === 503) {
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            answer = await send(target(), request);
          }
          const kind = `${answer.status} ${/"(?:code|error_code|error)":"?([A-Za-z_0-9]+)/.exec(answer.text)?.[1] ?? ''}`;
          statuses.set(kind, (statuses.get(kind) ?? 0) + 1);
          const after = await countRows();
          const change = difference(before, after);
          const changed = change !== '';
          before = after;
          const problem =
            answer.status >= 500
              ? 'a 5xx'
              : answer.status >= 400 && changed
                ? `refused, yet something was stored (${change})`
                : guarded && request.poisonedUrl && answer.status < 400
                  ? 'unstorable text in the URL accepted'
                  : undefined;
          if (problem !== undefined) throw new Error(`${problem}: ${answer.status} ${answer.text}`);
        }),
        { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
      );
      if (result.failed) {
        const example = result.counterexample?.[0] as FuzzRequest | undefined;
        const shown = { path: example?.path.slice(0, 300), headers: example?.headers.map(([k, v]) => `${k}: ${v.slice(0, 80)}`), body: example?.body?.toString('utf8').slice(0, 300) };
        failures.push(`${route.method} ${route.url}: ${(result.errorInstance as Error | undefined)?.message ?? 'failed'} — ${JSON.stringify(shown)}`);
      }
    }
    // FUZZ_STATS=1: how deep the requests went (a fuzzer answered only 401 tests nothing)
    if (process.env['FUZZ_STATS']) console.log(`${routes.length} routes:`, JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a.localeCompare(b)))));
    return failures;
  }

  const isApi = (url: string) => url.startsWith('/api');
  const isGateway = (url: string) => url.startsWith('/db') || url.startsWith('/p/:projectId/rest/v1');
  const isAuth = (url: string) => url.startsWith('/auth') || url.startsWith('/p/:projectId/auth/v1');
  const isStorage = (url: string) => url.startsWith('/storage') || url.startsWith('/p/:projectId/storage/v1');

  it('finds the routes of every service', () => {
    const urls = (routesOf.get(platformApp) ?? []).map((route) => route.url);
    for (const belongs of [isApi, isGateway, isAuth, isStorage]) expect(urls.filter(belongs).length).toBeGreaterThan(3);
    expect(routesOf.get(managerApp!)?.length).toBeGreaterThan(3);
  });

  it('platform API: no 5xx, nothing stored by a refused request', async () => {
    expect(await fuzz(() => platformApp, () => origin, isApi)).toEqual([]);
  }, TIMEOUT_MS);

  it('gateway and data API: no 5xx, nothing stored by a refused request', async () => {
    expect(await fuzz(() => platformApp, () => origin, isGateway)).toEqual([]);
  }, TIMEOUT_MS);

  it('auth: no 5xx, nothing stored by a refused request', async () => {
    expect(await fuzz(() => platformApp, () => origin, isAuth)).toEqual([]);
  }, TIMEOUT_MS);

  it('storage: no 5xx, nothing stored by a refused request', async () => {
    expect(await fuzz(() => platformApp, () => origin, isStorage)).toEqual([]);
  }, TIMEOUT_MS);

  it('everything else the platform serves, and postgrest-manager: no 5xx', async () => {
    // pages and the internal API store no text of a URL: they need not refuse it, only never fail
    const others = await fuzz(() => platformApp, () => origin, (url) => !isApi(url) && !isGateway(url) && !isAuth(url) && !isStorage(url), false);
    const manager = managerApp === undefined ? [] : await fuzz(() => managerApp, () => managerOrigin, () => true, false);
    expect([...others, ...manager]).toEqual([]);
  }, TIMEOUT_MS);

  it('logged no error and no stack trace for any of it', () => {
    if (process.env['FUZZ_STATS']) for (const line of logLines.filter((l) => (l['level'] as number) >= 40)) console.log(JSON.stringify(line).slice(0, 600));
    const withErrors = logLines.filter((line) => (line['level'] as number) >= 50 || line['err'] !== undefined);
    expect(withErrors.map((line) => `${line['msg']} ${JSON.stringify(line['err']).slice(0, 300)}`)).toEqual([]);
  });
});
