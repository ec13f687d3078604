import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ws from 'ws';
import { createClient } from '@supabase/supabase-js';
import { PostgrestClient } from '@supabase/postgrest-js';
import {
  applyMigrations,
  createLogger,
  createPool,
  findFreePort,
  generateMasterKey,
  parseMasterKey,
  ProjectSecret,
  projectSecretContext,
  quoteIdent,
  quoteLiteral,
  readMigrations,
  SecretBox,
  signHs256,
  withClient,
  withDatabase,
  type DataApiLocation,
  type DataApiLocator,
  type Pool,
} from '@launchdb/common';
import { loadDataApiConfig, startDataApi, type RunningDataApi } from '@launchdb/data-api';
import { inject } from 'vitest';
import { createTestDatabase } from '@launchdb/testkit/databases';
import { buildPlatformApi, type PlatformApi } from '../app.ts';
import { PLATFORM_MIGRATIONS_FOLDER } from '../setup/platform-database.ts';
import { registerGateway, type Gateway } from './plugin.ts';
import type { GatewayOptions } from './options.ts';

const logger = createLogger({ level: 'silent', name: 'gateway-test' });
// above Fastify's own bodyLimit of the app (64 KiB): the gateway's bodies are not Fastify's to read
const BODY_LIMIT = 256 * 1024;
const BIG_ROWS = 20_000;

interface TestProject {
  id: string;
  anon: string;
  service: string;
}

/** The part of postgrest-manager the gateway talks to, with each project's answer set by the test. */
class TestLocator implements DataApiLocator {
  readonly answers = new Map<string, () => Promise<DataApiLocation>>();
  readonly calls = new Map<string, number>();

  async locate(projectId: string): Promise<DataApiLocation> {
    this.calls.set(projectId, (this.calls.get(projectId) ?? 0) + 1);
    const answer = this.answers.get(projectId);
    return answer ? answer() : { state: 'unknown' };
  }
}

const newId = () => `t${randomBytes(4).toString('hex')}`;

describe('the /db gateway', () => {
  const serverUrl = inject('postgresUrl');
  const secrets = new SecretBox(parseMasterKey(generateMasterKey()));
  const jwtSecret = randomBytes(32).toString('base64url');
  const otherJwtSecret = randomBytes(32).toString('base64url');
  const authenticator = { user: `gw_auth_${randomBytes(4).toString('hex')}`, password: randomBytes(16).toString('hex') };
  const locator = new TestLocator();
  let platformDatabase: Awaited<ReturnType<typeof createTestDatabase>>;
  let projectDatabase: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Pool;
  let dataApi: RunningDataApi;
  let dataApiEnv: Record<string, string>;
  const apps: PlatformApi[] = [];
  let api: PlatformApi;
  let gateway: Gateway;
  let base: string;
  let a: TestProject;
  let b: TestProject;

  async function insertProject(status: string, secret = jwtSecret, id = newId()): Promise<TestProject> {
    await db.query('insert into platform.projects (id, name, status) values ($1, $2, $3)', [id, `project ${id}`, status]);
    const keys: Record<string, string> = {};
    for (const role of ['anon', 'service_role']) {
      const key = await signHs256({ role, iss: 'launchdb', ref: id }, { secret });
      const keyId = randomUUID();
      const name = ProjectSecret.apiKey(keyId);
      const { rows } = await db.query<{ id: string }>('insert into platform.secrets (project_id, name, ciphertext) values ($1, $2, $3) returning id', [
        id,
        name,
        secrets.encrypt(key, projectSecretContext(id, name)),
      ]);
      await db.query('insert into platform.api_keys (id, project_id, role, secret_id) values ($1, $2, $3, $4)', [keyId, id, role, rows[0]!.id]);
      keys[role] = key;
    }
    return { id, anon: keys['anon']!, service: keys['service_role']! };
  }

  async function startGateway(options: Partial<GatewayOptions>, trustProxy = false, appLogger = logger): Promise<{ app: PlatformApi; gateway: Gateway; base: string }> {
    const app = await buildPlatformApi({
      db,
      logger: appLogger,
      jwtSecret: 'a-platform-secret-of-at-least-32-characters',
      tokenLifetimeSeconds: 600,
      loginAttemptsPerMinute: 10,
      healthChecks: [],
      trustProxy,
    });
    apps.push(app);
    const registered = await registerGateway(app, { db, secrets, locator, options });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (!address || typeof address !== 'object') throw new Error('no address');
    return { app, gateway: registered, base: `http://127.0.0.1:${address.port}` };
  }

  const rowCount = () => withClient(projectDatabase.url, async (client) => (await client.query<{ n: number }>('select count(*)::int as n from public.todos')).rows[0]!.n);
  const readyAt = (url: string) => async (): Promise<DataApiLocation> => ({ state: 'ready', url });

  beforeAll(async () => {
    [platformDatabase, projectDatabase] = await Promise.all([createTestDatabase('gateway_platform'), createTestDatabase('gateway_project')]);
    await withClient(platformDatabase.url, async (admin) =>
      applyMigrations(admin, await readMigrations(PLATFORM_MIGRATIONS_FOLDER), { schema: 'platform', table: 'schema_migrations' }),
    );
    db = createPool({ connectionString: platformDatabase.url, applicationName: 'gateway-test' });

    await withClient(projectDatabase.url, async (admin) => {
      // the request roles are cluster-wide and other test files create them too
      for (const role of ['anon', 'authenticated', 'service_role']) {
        await admin.query(`do $$ begin create role ${role} nologin; exception when duplicate_object or unique_violation then null; end $$`);
      }
      await admin.query(`create role ${quoteIdent(authenticator.user)} login noinherit password ${quoteLiteral(authenticator.password)}`);
      await admin.query(`grant anon, authenticated, service_role to ${quoteIdent(authenticator.user)}`);
      await admin.query(`
        create table public.todos (id bigint generated by default as identity primary key, title text not null, done boolean not null default false);
        grant select, insert on public.todos to anon;
        grant all on public.todos to service_role;
        insert into public.todos (title) values ('buy milk'), ('fix the gutter');
        create table public.vault (secret text not null);
        grant select on public.vault to service_role;
        insert into public.vault values ('only for the service role');
        create function public.whoami() returns text language sql stable as $$ select current_user::text $$;
        create table public.big (id int primary key, payload text not null);
        insert into public.big select i, repeat(md5(i::text), 3) from generate_series(1, ${BIG_ROWS}) i;
        grant select on public.big to anon;
      `);
    });
    const url = new URL(withDatabase(serverUrl, projectDatabase.name));
    url.username = authenticator.user;
    url.password = authenticator.password;
    dataApiEnv = {
      PGRST_DB_URI: url.toString(),
      PGRST_DB_SCHEMAS: 'public',
      PGRST_DB_ANON_ROLE: 'anon',
      PGRST_JWT_SECRET: jwtSecret,
      PGRST_SERVER_HOST: '127.0.0.1',
      PGRST_DB_POOL: '4',
      PGRST_DB_CHANNEL_ENABLED: 'false',
    };
    dataApi = await startDataApi(loadDataApiConfig({ env: { ...dataApiEnv, PGRST_SERVER_PORT: String(await findFreePort()) } }), { logger, handleSignals: false });
    await dataApi.whenReady();

    a = await insertProject('active');
    b = await insertProject('active', otherJwtSecret);
    locator.answers.set(a.id, readyAt(dataApi.url));
    locator.answers.set(b.id, readyAt(dataApi.url));
    ({ gateway, base } = await startGateway({ bodyLimitBytes: BODY_LIMIT }));
    api = apps[0]!;
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await dataApi?.close();
    await db?.end();
    await platformDatabase?.drop();
    await projectDatabase?.drop();
    await withClient(serverUrl, (client) => client.query(`drop role if exists ${quoteIdent(authenticator.user)}`));
  });

  it('serves supabase-js at /p/<id>: it reads and writes a table with the anon key', async () => {
    const supabase = createClient(`${base}/p/${a.id}`, a.anon, { realtime: { transport: ws as never }, auth: { persistSession: false } });
    const read = await supabase.from('todos').select('title').order('id');
    expect(read.error).toBeNull();
    expect(read.data).toEqual(expect.arrayContaining([{ title: 'buy milk' }, { title: 'fix the gutter' }]));

    const written = await supabase.from('todos').insert({ title: 'written through supabase-js' }).select('title, done');
    expect(written.error).toBeNull();
    expect(written.status).toBe(201);
    expect(written.data).toEqual([{ title: 'written through supabase-js', done: false }]);

    const again = await supabase.from('todos').select('title').eq('title', 'written through supabase-js');
    expect(again.data).toEqual([{ title: 'written through supabase-js' }]);

    const service = createClient(`${base}/p/${a.id}`, a.service, { realtime: { transport: ws as never }, auth: { persistSession: false } });
    const updated = await service.from('todos').update({ done: true }).eq('title', 'written through supabase-js').select('done');
    expect([updated.error, updated.data]).toEqual([null, [{ done: true }]]);
    const deleted = await service.from('todos').delete({ count: 'exact' }).eq('title', 'written through supabase-js');
    expect([deleted.error, deleted.status, deleted.count]).toEqual([null, 204, 1]);

    // the gateway's own errors reach supabase-js users as `error`
    const foreign = createClient(`${base}/p/${a.id}`, b.anon, { realtime: { transport: ws as never }, auth: { persistSession: false } });
    const refused = await foreign.from('todos').select();
    expect(refused.status).toBe(401);
    expect(refused.error).toMatchObject({ code: 'invalid_api_key', message: 'Invalid API key' });
  });

  it('serves postgrest-js at /db/<id> with the apikey header', async () => {
    const client = new PostgrestClient(`${base}/db/${a.id}`, { headers: { apikey: a.anon } });
    const inserted = await client.from('todos').insert({ title: 'written through postgrest-js' }).select('id, title').single();
    expect(inserted.error).toBeNull();
    const read = await client.from('todos').select('title', { count: 'exact' }).eq('id', (inserted.data as { id: number }).id);
    expect(read.error).toBeNull();
    expect(read.data).toEqual([{ title: 'written through postgrest-js' }]);
    expect(read.count).toBe(1);
    const rpc = await client.rpc('whoami');
    expect(rpc.data).toBe('anon');
    // a HEAD request: the count without the rows
    const head = await client.from('todos').select('*', { count: 'exact', head: true });
    expect([head.error, head.status, head.data]).toEqual([null, 200, null]);
    expect(head.count).toBeGreaterThanOrEqual(3);
  });

  it('answers 401 in PostgREST shape without a key, readable by a browser page', async () => {
    for (const path of [`/db/${a.id}/todos`, `/p/${a.id}/rest/v1/todos`, `/db/${a.id}`]) {
      const response = await fetch(`${base}${path}`, { headers: { origin: 'https://app.example' } });
      expect(response.status).toBe(401);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await response.json()).toEqual({
        code: 'no_api_key',
        details: null,
        hint: 'No `apikey` request header or url param was found.',
        message: 'No API key found in request',
      });
    }
  });

  it('answers NUL in the URL as the data API does (PostgreSQL\'s 22021), and a body with \\u0000 reaches the data API, which refuses it; nothing is written', async () => {
    const before = await rowCount();
    const direct = await fetch(`${dataApi.url}/todos?title=eq.a%00b`);
    const gatewayed = await fetch(`${base}/db/${a.id}/todos?title=eq.a%00b`, { headers: { apikey: a.anon } });
    expect(gatewayed.status).toBe(400);
    expect(direct.status).toBe(400);
    expect(await gatewayed.json()).toEqual(await direct.json());
    const written = await fetch(`${base}/p/${a.id}/rest/v1/todos`, {
      method: 'POST',
      headers: { apikey: a.anon, 'content-type': 'application/json' },
      body: '{"title":"a\\u0000b"}',
    });
    expect(written.status).toBe(400);
    expect(await written.json()).toMatchObject({ code: '22P05' });
    expect(await rowCount()).toBe(before);
  });

  it('answers a URL the router cannot take in PostgREST shape', async () => {
    const response = await fetch(`${base}/db/${a.id}/todos%ED%A0%80`, { headers: { apikey: a.anon } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ code: 'bad_request', details: null, hint: null, message: expect.stringContaining('not a valid url component') });
  });

  it("refuses another project's key, and answers 404 for an unknown project, 503 for one being provisioned", async () => {
    const foreign = await fetch(`${base}/db/${a.id}/todos`, { headers: { apikey: b.service } });
    expect(foreign.status).toBe(401);
    expect(await foreign.json()).toEqual({ code: 'invalid_api_key', details: null, hint: 'Double check your `anon` or `service_role` API key.', message: 'Invalid API key' });
    const other = await fetch(`${base}/db/${b.id}/todos`, { headers: { apikey: a.anon } });
    expect(other.status).toBe(401);
    const garbage = await fetch(`${base}/db/${a.id}/todos`, { headers: { apikey: 'not-a-key' } });
    expect(garbage.status).toBe(401);

    for (const id of [newId(), 'NOT_AN_ID', 'x']) {
      const unknown = await fetch(`${base}/db/${id}/todos`, { headers: { apikey: a.anon } });
      expect(unknown.status).toBe(404);
      expect((await unknown.json()).code).toBe('project_not_found');
    }

    const provisioning = await insertProject('provisioning');
    const starting = await fetch(`${base}/p/${provisioning.id}/rest/v1/todos`, { headers: { apikey: provisioning.anon } });
    expect(starting.status).toBe(503);
    expect(starting.headers.get('retry-after')).toBe('2');
    expect((await starting.json()).code).toBe('data_api_unavailable');
  });

  it('lets a service key alone act as service_role, and keeps an Authorization the client sent', async () => {
    const call = (headers: Record<string, string>, path = '/rpc/whoami') => fetch(`${base}/db/${a.id}${path}`, { headers });
    expect(await (await call({ apikey: a.service })).json()).toBe('service_role');
    expect(await (await call({ apikey: a.anon })).json()).toBe('anon');
    expect(await (await call({ apikey: a.anon, authorization: `Bearer ${a.service}` })).json()).toBe('service_role');

    const vault = await call({ apikey: a.service }, '/vault?select=secret');
    expect([vault.status, await vault.json()]).toEqual([200, [{ secret: 'only for the service role' }]]);
    const denied = await call({ apikey: a.anon }, '/vault?select=secret');
    expect(denied.status).toBe(401);
    expect((await denied.json()).code).toBe('42501');
  });

  it('takes the key from ?apikey= and does not pass it on as a filter', async () => {
    const response = await fetch(`${base}/db/${a.id}/todos?select=title&apikey=${encodeURIComponent(a.anon)}&title=eq.buy%20milk`, {
      headers: { 'x-request-id': 'trace-me-123' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([{ title: 'buy milk' }]);
    expect(response.headers.get('x-request-id')).toBe('trace-me-123');
    // the data API itself would read `apikey` as a filter on a column that does not exist
    const direct = await fetch(`${dataApi.url}/todos?select=title&apikey=${encodeURIComponent(a.anon)}`);
    expect(direct.status).toBe(400);
  });

  it('answers a browser preflight without a key, and passes the data API CORS headers through once', async () => {
    const preflight = await fetch(`${base}/p/${a.id}/rest/v1/todos`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, apikey, content-type, x-client-info, prefer',
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, apikey, content-type, x-client-info, prefer');
    expect(Number(preflight.headers.get('access-control-max-age'))).toBeGreaterThan(0);

    const actual = await fetch(`${base}/p/${a.id}/rest/v1/todos?select=id&limit=1`, { headers: { origin: 'https://app.example', apikey: a.anon } });
    expect(actual.status).toBe(200);
    expect(actual.headers.get('access-control-allow-origin')).toBe('*');
    expect(actual.headers.get('access-control-expose-headers')).toContain('Content-Range');
  });

  it('refuses a body over the limit with 413, by its Content-Length and while a chunked one streams, and writes nothing', async () => {
    const before = await rowCount();
    const oversized = JSON.stringify([{ title: 'x'.repeat(BODY_LIMIT) }]);
    const declared = await fetch(`${base}/db/${a.id}/todos`, {
      method: 'POST',
      headers: { apikey: a.anon, 'content-type': 'application/json' },
      body: oversized,
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: 'payload_too_large', details: null });

    const chunked = await postChunked(`${base}/db/${a.id}/todos`, { apikey: a.anon, 'content-type': 'application/json' }, 4 * BODY_LIMIT);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).code).toBe('payload_too_large');
    expect(await rowCount()).toBe(before);

    // bodies within the limit, chunked or not, stream through and are written
    const chunkedWithin = await postChunked(`${base}/db/${a.id}/todos`, { apikey: a.anon, 'content-type': 'application/json' }, BODY_LIMIT - 1_000);
    expect(chunkedWithin.status).toBe(201);
    const rows = Array.from({ length: 100 }, (_, i) => ({ title: `row ${i} ${'z'.repeat(1_000)}` }));
    const declaredWithin = await fetch(`${base}/db/${a.id}/todos`, {
      method: 'POST',
      headers: { apikey: a.anon, 'content-type': 'application/json', prefer: 'return=minimal' },
      body: JSON.stringify(rows),
    });
    expect(declaredWithin.status).toBe(201);
    expect(await rowCount()).toBeGreaterThan(before + 100);
  });

  it('answers 429 with Retry-After from the per-client and the per-project limit', async () => {
    const limited = await startGateway({ requestsPerMinutePerClient: 5, requestsPerMinutePerProject: 8 }, true);
    const project = await insertProject('active');
    locator.answers.set(project.id, readyAt(dataApi.url));
    const call = (client: string) =>
      fetch(`${limited.base}/db/${project.id}/todos?select=id&limit=1`, { headers: { apikey: project.anon, 'x-forwarded-for': client } });

    const first: number[] = [];
    for (let i = 0; i < 6; i += 1) first.push((await call('10.0.0.1')).status);
    expect(first).toEqual([200, 200, 200, 200, 200, 429]);
    const clientLimited = await call('10.0.0.1');
    expect(clientLimited.status).toBe(429);
    expect(Number(clientLimited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(clientLimited.headers.get('access-control-allow-origin')).toBe('*');
    expect(await clientLimited.json()).toMatchObject({ code: 'rate_limited', details: null, message: 'Too many requests from this client' });

    // another address has its own allowance, until the project's is used up
    const second: number[] = [];
    for (let i = 0; i < 4; i += 1) second.push((await call('10.0.0.2')).status);
    expect(second).toEqual([200, 200, 200, 429]);
    const projectLimited = await call('10.0.0.3');
    expect(projectLimited.status).toBe(429);
    expect(Number(projectLimited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await projectLimited.json()).message).toBe('Too many requests for this project');

    // other projects are not affected
    expect((await fetch(`${limited.base}/db/${a.id}/todos?select=id&limit=1`, { headers: { apikey: a.anon, 'x-forwarded-for': '10.0.0.1' } })).status).toBe(200);
  });

  it('answers 503 at once when the data API does not answer, and again 200 when it is back', async () => {
    const project = await insertProject('active');
    const closedPort = await findFreePort();
    locator.answers.set(project.id, readyAt(`http://127.0.0.1:${closedPort}`));
    for (const init of [{}, { method: 'POST', body: JSON.stringify({ title: 'lost' }), headers: { 'content-type': 'application/json' } }]) {
      const started = Date.now();
      const response = await fetch(`${base}/db/${project.id}/todos`, { ...init, headers: { ...init.headers, apikey: project.anon } });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect((await response.json()).code).toBe('data_api_unavailable');
    }

    // a data API that was answering, with keep-alive connections open, then goes away
    const second = await startDataApi(loadDataApiConfig({ env: { ...dataApiEnv, PGRST_SERVER_PORT: String(await findFreePort()) } }), { logger, handleSignals: false });
    await second.whenReady();
    locator.answers.set(project.id, readyAt(second.url));
    gateway.forget(project.id);
    const call = () => fetch(`${base}/db/${project.id}/todos?select=id&limit=1`, { headers: { apikey: project.anon } });
    expect((await call()).status).toBe(200);
    await second.close();
    const started = Date.now();
    const gone = await call();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(gone.status).toBe(503);

    locator.answers.set(project.id, async () => ({ state: 'unavailable', retryAfterSeconds: 7, reason: 'restarting after a crash' }));
    const restarting = await call();
    expect([restarting.status, restarting.headers.get('retry-after')]).toEqual([503, '7']);
    expect((await restarting.json()).message).toContain('restarting after a crash');

    locator.answers.set(project.id, readyAt(dataApi.url));
    expect((await call()).status).toBe(200);
  });

  it('holds requests while a data API starts, with one locate for all of them', async () => {
    const project = await insertProject('active');
    locator.answers.set(project.id, async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { state: 'ready', url: dataApi.url };
    });
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => fetch(`${base}/p/${project.id}/rest/v1/todos?select=title&id=eq.1`, { headers: { apikey: project.anon } })),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    for (const response of responses) expect([response.status, await response.json()]).toEqual([200, [{ title: 'buy milk' }]]);
    expect(locator.calls.get(project.id)).toBe(1);
  });

  it('streams a large response intact', async () => {
    const path = `/big?select=id,payload&order=id`;
    const [proxied, direct] = await Promise.all([
      fetch(`${base}/db/${a.id}${path}`, { headers: { apikey: a.anon } }),
      fetch(`${dataApi.url}${path}`, { headers: { authorization: `Bearer ${a.anon}` } }),
    ]);
    expect(proxied.status).toBe(200);
    const [viaGateway, fromDataApi] = await Promise.all([proxied.text(), direct.text()]);
    expect(viaGateway.length).toBeGreaterThan(2_000_000);
    expect(viaGateway).toBe(fromDataApi);
    expect(JSON.parse(viaGateway)).toHaveLength(BIG_ROWS);
  });

  it('stops accepting a revoked key once the project is forgotten', async () => {
    const project = await insertProject('active');
    locator.answers.set(project.id, readyAt(dataApi.url));
    const call = () => fetch(`${base}/db/${project.id}/todos?select=id&limit=1`, { headers: { apikey: project.anon } });
    expect((await call()).status).toBe(200);
    await db.query("update platform.api_keys set revoked_at = now() where project_id = $1 and role = 'anon'", [project.id]);
    gateway.forget(project.id);
    expect((await call()).status).toBe(401);
    await db.query("update platform.projects set status = 'deleting' where id = $1", [project.id]);
    gateway.forget(project.id);
    expect((await call()).status).toBe(404);
  });

  it('writes no log line per request at info', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logged = await startGateway({}, false, createLogger({ level: 'info', name: 'platform-api', destination }));
    const before = lines.length;
    for (let i = 0; i < 3; i += 1) {
      expect((await fetch(`${logged.base}/db/${a.id}/todos?select=id&limit=1`, { headers: { apikey: a.anon } })).status).toBe(200);
      expect((await fetch(`${logged.base}/db/${a.id}/todos`, { headers: { apikey: 'wrong' } })).status).toBe(401);
    }
    expect(lines.slice(before)).toEqual([]);
  });

  it('leaves /api to the control plane', async () => {
    const response = await api.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

/** A JSON array of rows sent with Transfer-Encoding: chunked, `bytes` long, a chunk at a time. */
function postChunked(url: string, headers: Record<string, string>, bytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (response) => {
      answered = true;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    // the server stops reading once it has answered: writing the rest may then fail
    request.on('error', (error) => (answered ? undefined : reject(error)));
    const row = JSON.stringify({ title: `chunk ${'y'.repeat(900)}` });
    let sent = 1;
    request.write('[');
    const writeMore = (): void => {
      while (sent + row.length + 2 < bytes) {
        const more = request.write(sent > 1 ? `,${row}` : row);
        sent += row.length + 1;
        if (!more) {
          request.once('drain', writeMore);
          return;
        }
      }
      request.end(']');
    };
    writeMore();
  });
}
