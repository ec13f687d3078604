import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createPool, parseMasterKey, ProjectDirectory, SecretBox, type Pool } from '@launchdb/common';
import { buildAuthApp, defaultAuthServiceSettings } from '@launchdb/auth-service';
import { registerGateway } from '@launchdb/platform-api';
import { PostgrestManagerClient } from '@launchdb/postgrest-manager';
import { buildStorageApp, createStorageBackend, defaultStorageServiceSettings, PlatformS3Credentials, type StorageBackend } from '@launchdb/storage-service';
import { DASHBOARD_BUILD_FOLDER } from '@launchdb/dashboard/server';
import { reservePort } from '@launchdb/testkit/ports';
import { CaddyProcess, findCaddyBinary, LOCAL_CADDYFILE, PRODUCTION_CADDYFILE } from '../../cli/src/embedded/caddy-process.ts';
import { EMBEDDED_SUPERUSER, PLATFORM_DATABASE } from '../../cli/src/local-platform.ts';
import { startRunningPlatform, type RunningPlatform, type RunningProject } from '../../cli/src/testing/running-platform.ts';

const CADDY = findCaddyBinary()!;
const AUTH_LIMIT = 64 * 1024;
const GATEWAY_LIMIT = 256 * 1024;
const UPLOAD_BYTES = 192 * 1024 * 1024;

interface Seen {
  url: string;
  ip: string;
  protocol: string;
}

/** What a standalone service saw (TRUST_PROXY on, as behind Caddy in production). */
function recordRequests(app: FastifyInstance): Seen[] {
  const seen: Seen[] = [];
  app.addHook('onRequest', async (request) => void seen.push({ url: request.url, ip: request.ip, protocol: request.protocol }));
  return seen;
}

let running: RunningPlatform;
let managerPort: number;
let secrets: SecretBox;
let upstreams: { platformApi: string; auth: string; storage: string; dashboard: string };
const extraApps: FastifyInstance[] = [];
const extraCaddys: CaddyProcess[] = [];
let project: RunningProject;
let platformDb: Pool;
let directory: ProjectDirectory;
let backend: StorageBackend;
let auth: FastifyInstance;
let storage: FastifyInstance;
let authSeen: Seen[];
let storageSeen: Seen[];
let dashboard: ChildProcess;
let scratch: string;
let http: CaddyProcess;
let https: CaddyProcess;
let httpUrl: string;
let httpsUrl: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'launchdb-caddy-'));
  // platform-api with the gateway (the embedded platform answers /api and /db on its port)
  managerPort = await reservePort();
  running = await startRunningPlatform({ LAUNCHDB_MANAGER_PORT: String(managerPort) });
  project = await running.createProject('caddy-routes');
  const dataDir = running.env.LAUNCHDB_DATA_DIR!;
  const password = (await readFile(join(dataDir, 'postgres.password'), 'utf8')).trim();
  secrets = new SecretBox(parseMasterKey((await readFile(join(dataDir, 'master.key'), 'utf8')).trim()));
  platformDb = createPool({ connectionString: `postgres://${EMBEDDED_SUPERUSER}:${password}@127.0.0.1:${running.env.LAUNCHDB_POSTGRES_PORT}/${PLATFORM_DATABASE}`, max: 4, applicationName: 'caddy-test' });
  directory = new ProjectDirectory({ platformDb, secrets, pooler: { host: '127.0.0.1', port: Number(running.env.LAUNCHDB_PGBOUNCER_PORT) }, applicationName: 'caddy-test' });

  // auth and storage as their containers run them: apps of their own, on ports of their own
  const logger = createLogger({ level: 'silent', name: 'caddy-test' });
  const authPort = await reservePort();
  auth = await buildAuthApp({ projects: directory, platformDb, secrets, publicUrl: 'http://127.0.0.1', settings: defaultAuthServiceSettings({ bodyLimitBytes: AUTH_LIMIT }), logger, trustProxy: true });
  authSeen = recordRequests(auth);
  await auth.listen({ host: '127.0.0.1', port: authPort });
  backend = createStorageBackend({ STORAGE_BACKEND: 'fs', STORAGE_FS_ROOT: join(scratch, 'objects'), STORAGE_S3_REGION: 'us-east-1', STORAGE_S3_FORCE_PATH_STYLE: false });
  storage = await buildStorageApp({
    projects: directory,
    backend,
    settings: defaultStorageServiceSettings({ STORAGE_UPLOADS_DIR: join(scratch, 'uploads'), STORAGE_FILE_SIZE_LIMIT: UPLOAD_BYTES * 2 }),
    s3Credentials: new PlatformS3Credentials({ platformDb, secrets }),
    logger,
    trustProxy: true,
  });
  storageSeen = recordRequests(storage);
  const storagePort = await reservePort();
  await storage.listen({ host: '127.0.0.1', port: storagePort });

  // the dashboard as its container runs it: adapter-node's server alone
  const dashboardPort = await reservePort();
  dashboard = spawn(process.execPath, [DASHBOARD_BUILD_FOLDER], {
    env: { ...process.env, DASHBOARD_HOST: '127.0.0.1', DASHBOARD_PORT: String(dashboardPort), DASHBOARD_PROTOCOL_HEADER: 'x-forwarded-proto', DASHBOARD_HOST_HEADER: 'x-forwarded-host' },
    stdio: 'ignore',
  });

  const platformApi = new URL(running.url).host;
  upstreams = { platformApi, auth: `127.0.0.1:${authPort}`, storage: `127.0.0.1:${storagePort}`, dashboard: `127.0.0.1:${dashboardPort}` };
  const limits = { GATEWAY_BODY_LIMIT_BYTES: String(GATEWAY_LIMIT), AUTH_BODY_LIMIT_BYTES: String(AUTH_LIMIT) };
  const httpPort = await reservePort();
  httpUrl = `http://127.0.0.1:${httpPort}`;
  http = new CaddyProcess({ binary: CADDY, stateDir: join(scratch, 'caddy-http'), siteAddress: httpUrl, adminAddress: `127.0.0.1:${await reservePort()}`, upstreams, accessLog: join(scratch, 'access.log'), env: limits });
  const httpsPort = await reservePort();
  httpsUrl = `https://localhost:${httpsPort}`;
  https = new CaddyProcess({ binary: CADDY, stateDir: join(scratch, 'caddy-https'), siteAddress: httpsUrl, adminAddress: `127.0.0.1:${await reservePort()}`, upstreams, accessLog: join(scratch, 'access-https.log'), env: limits });
  await Promise.all([http.start(), https.start(), untilAnswers(`http://127.0.0.1:${dashboardPort}/icon.svg`)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([http?.stop(), https?.stop(), ...extraCaddys.map((caddy) => caddy.stop())]);
  await Promise.all(extraApps.map((app) => app.close()));
  dashboard?.kill('SIGTERM');
  await auth?.close();
  const closing = storage?.close();
  storage?.server.closeAllConnections();
  await closing;
  await directory?.close();
  await backend?.close();
  await platformDb?.end();
  await running?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}, 60_000);

async function untilAnswers(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await fetch(url).then((response) => response.ok, () => false)) return;
    await sleep(50);
  }
  throw new Error(`${url} never answered`);
}

describe('caddy validate', () => {
  it('accepts the production Caddyfile and the local one', () => {
    const production = spawnSync(CADDY, ['validate', '--config', PRODUCTION_CADDYFILE, '--adapter', 'caddyfile'], {
      env: { PATH: process.env.PATH, HOME: scratch, XDG_CONFIG_HOME: scratch, XDG_DATA_HOME: scratch, LAUNCHDB_DOMAIN: 'launchdb.example.com', ACME_EMAIL: 'ops@example.com' },
      encoding: 'utf8',
    });
    expect(production.stdout + production.stderr).toContain('Valid configuration');
    expect(production.status).toBe(0);
    const local = spawnSync(CADDY, ['validate', '--config', LOCAL_CADDYFILE, '--adapter', 'caddyfile'], { env: http.environment(), encoding: 'utf8' });
    expect(local.stdout + local.stderr).toContain('Valid configuration');
    expect(local.status).toBe(0);
  });
});

describe('routes through Caddy', () => {
  it('sends /db and /p/<id>/rest/v1 to the gateway, /auth and /p/<id>/auth/v1 to auth-service, /storage and /p/<id>/storage/v1 to storage-service', async () => {
    const apikey = project.keys.service_role;
    const health = await fetch(`${httpUrl}/api/health`);
    expect(health.status).toBe(200);

    const db = await fetch(`${httpUrl}/db/${project.id}/`, { headers: { apikey } });
    expect(db.status).toBe(200);
    expect(await db.json()).toHaveProperty('swagger');

    authSeen.length = 0;
    storageSeen.length = 0;
    const settings = await fetch(`${httpUrl}/auth/${project.id}/settings`, { headers: { apikey } });
    expect(settings.status).toBe(200);
    expect(await settings.json()).toHaveProperty('external');
    const buckets = await fetch(`${httpUrl}/storage/${project.id}/bucket`, { headers: { apikey, authorization: `Bearer ${apikey}` } });
    expect(buckets.status).toBe(200);
    expect(authSeen.map((seen) => seen.url)).toEqual([`/auth/${project.id}/settings`]);
    expect(storageSeen.map((seen) => seen.url)).toEqual([`/storage/${project.id}/bucket`]);

    // supabase-js at /p/<id>: each of its three clients reaches its own service
    const supabase = createClient(`${httpUrl}/p/${project.id}`, project.keys.anon, { realtime: { transport: ws as never }, auth: { persistSession: false, autoRefreshToken: false } });
    const signUp = await supabase.auth.signUp({ email: 'caddy@example.com', password: 'through-caddy-123' });
    expect(signUp.error).toBeNull();
    expect(authSeen.at(-1)!.url).toBe(`/p/${project.id}/auth/v1/signup`);
    const listed = await supabase.storage.listBuckets();
    expect(listed.error).toBeNull();
    expect(storageSeen.at(-1)!.url).toBe(`/p/${project.id}/storage/v1/bucket`);
    // paths of any depth under the prefix
    const absent = await supabase.storage.from('no-such-bucket').download('deep/er/file.txt');
    expect(absent.error).not.toBeNull();
    expect(storageSeen.at(-1)!.url).toMatch(new RegExp(`^/p/${project.id}/storage/v1/object/.*no-such-bucket/deep/er/file.txt$`));
    const user = await supabase.auth.getUser('not-a-token');
    expect(user.error).not.toBeNull();
    const rest = await supabase.from('nothing_here').select();
    expect(rest.error?.code).toBe('PGRST205');
    expect(authSeen.map((seen) => seen.url)).toEqual([`/auth/${project.id}/settings`, `/p/${project.id}/auth/v1/signup`, `/p/${project.id}/auth/v1/user`]);
  });

  it('serves the dashboard at / with its security headers, and no service metrics', async () => {
    const page = await fetch(`${httpUrl}/console`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('_dashboard/');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    // the services' own answers keep their headers as they are
    expect((await fetch(`${httpUrl}/api/health`)).headers.get('x-frame-options')).toBeNull();
    for (const path of ['/metrics', '/api/metrics']) expect((await fetch(`${httpUrl}${path}`)).status).toBe(404);
    // nor by a path that a client, Caddy or a service could read as /metrics (sent as written, not normalised by fetch)
    for (const path of ['//metrics', '/METRICS', '/%6Detrics', '/metrics?x=1', '/api/../metrics', '/api/%2e%2e/metrics', '/auth/%2e%2e/metrics', `/auth/${project.id}/../../metrics`, '/storage/%2e%2e/metrics', '/db/%2e%2e/metrics', `/p/${project.id}/rest/v1/../../../../metrics`]) {
      expect(await rawGet(httpUrl, path), path).not.toContain('# TYPE');
    }
    // they are on each service's own port, for Prometheus inside the network
    expect((await fetch(`${httpUrl}/auth/${project.id}/settings`, { headers: { apikey: project.keys.anon } })).status).toBe(200);
    const { port } = auth.server.address() as AddressInfo;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^launchdb_http_requests_total\\{group="auth",status_class="2xx",project="${project.id}",service="auth-service"\\} [1-9]`, 'm'));
  });

  it('tells the services the client address and scheme, ignoring X-Forwarded-For from the client', async () => {
    storageSeen.length = 0;
    await fetch(`${httpUrl}/storage/${project.id}/bucket`, { headers: { apikey: project.keys.anon, 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' } });
    expect(storageSeen).toEqual([{ url: `/storage/${project.id}/bucket`, ip: '127.0.0.1', protocol: 'http' }]);
  });
});

describe('request bodies', () => {
  it('refuses bodies over each service limit in Caddy, declared or streamed, and passes those under it', async () => {
    authSeen.length = 0;
    const signup = `${httpUrl}/auth/${project.id}/signup`;
    const headers = { apikey: project.keys.anon, 'content-type': 'application/json' };
    const declared = await fetch(signup, { method: 'POST', headers, body: JSON.stringify({ email: 'x@example.com', password: 'x'.repeat(AUTH_LIMIT) }) });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: 'payload_too_large' });
    expect(authSeen).toHaveLength(0);
    // a body of no declared length is cut off where it passes the limit
    const streamed = await fetch(signup, { method: 'POST', headers, body: Readable.toWeb(Readable.from([Buffer.alloc(AUTH_LIMIT + 1, 0x20)])) as ReadableStream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ code: 'payload_too_large' });

    const rows = `${httpUrl}/db/${project.id}/nothing_here`;
    const gatewayHeaders = { apikey: project.keys.service_role, 'content-type': 'application/json' };
    expect((await fetch(rows, { method: 'POST', headers: gatewayHeaders, body: `[${'0,'.repeat(GATEWAY_LIMIT / 2)}0]` })).status).toBe(413);
    // under the limit it reaches the data API, which answers in its own words
    const passed = await fetch(rows, { method: 'POST', headers: gatewayHeaders, body: `[${'0,'.repeat(GATEWAY_LIMIT / 4)}0]` });
    expect(passed.status).not.toBe(413);
    expect(((await passed.json()) as { code: string }).code).toMatch(/^PGRST/);
  });

  it('streams a large upload through Caddy to storage-service without holding it in memory', async () => {
    const service = { apikey: project.keys.service_role, authorization: `Bearer ${project.keys.service_role}` };
    const created = await fetch(`${httpUrl}/storage/${project.id}/bucket`, { method: 'POST', headers: { ...service, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'big', public: false }) });
    expect(created.status).toBe(200);
    const before = peakRssBytes(http.pid!);
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const body = Readable.from((function* () {
      for (let sent = 0; sent < UPLOAD_BYTES; sent += chunk.length) yield chunk;
    })());
    const uploaded = await fetch(`${httpUrl}/storage/${project.id}/object/big/large.bin`, {
      method: 'POST',
      headers: { ...service, 'content-type': 'application/octet-stream', 'content-length': String(UPLOAD_BYTES) },
      body: Readable.toWeb(body) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    expect(uploaded.status).toBe(200);
    const grewBy = peakRssBytes(http.pid!) - before;
    expect(grewBy).toBeLessThan(UPLOAD_BYTES / 8);

    const downloaded = await fetch(`${httpUrl}/storage/${project.id}/object/big/large.bin`, { headers: service });
    let length = 0;
    for await (const piece of downloaded.body!) length += (piece as Uint8Array).length;
    expect(length).toBe(UPLOAD_BYTES);
    expect(peakRssBytes(http.pid!) - before).toBeLessThan(UPLOAD_BYTES / 8);
  }, 60_000);
});

describe('HTTPS with Caddy\'s internal CA', () => {
  it('serves the same routes over TLS and tells the services the scheme was https', async () => {
    storageSeen.length = 0;
    // the first handshake may wait for the certificate Caddy issues on start
    const ca = await waitForFile(https.rootCertificate);
    const answer = await getOverTls(`${httpsUrl}/storage/${project.id}/bucket`, ca, { apikey: project.keys.service_role, authorization: `Bearer ${project.keys.service_role}` });
    expect(answer.status).toBe(200);
    expect(storageSeen.at(-1)).toMatchObject({ url: `/storage/${project.id}/bucket`, protocol: 'https' });
    expect((await getOverTls(`${httpsUrl}/api/health`, ca, {})).status).toBe(200);
  });
});

describe('the access log', () => {
  it('is JSON and holds no key, token or cookie', async () => {
    const secret = 'do-not-log-me-0123456789';
    await fetch(`${httpUrl}/storage/${project.id}/object/sign/big/large.bin?token=${secret}&apikey=${secret}`, { headers: { apikey: secret, authorization: `Bearer ${secret}`, cookie: `sb=${secret}` }, redirect: 'manual' });
    await fetch(`${httpUrl}/auth/${project.id}/verify?token=${secret}&type=signup&redirect_to=http://x`, { headers: { apikey: project.keys.anon }, redirect: 'manual' });
    await sleep(200);
    const log = await readFile(join(scratch, 'access.log'), 'utf8');
    const entries = log.trim().split('\n').map((line) => JSON.parse(line) as { request: { uri: string } });
    expect(entries.some((entry) => entry.request.uri.includes('/verify?') && entry.request.uri.includes('token=REDACTED'))).toBe(true);
    expect(log).not.toContain(secret);
    expect(log).not.toContain(project.keys.anon);
    expect(log).not.toContain(project.keys.service_role);
  });
});

describe('two replicas of the gateway and of auth behind Caddy\'s load balancer', () => {
  it('spreads requests over both, and each counts its own rate limits: the effective limit is the limit × replicas', async () => {
    const limit = 3;
    const internalKey = (await readFile(join(running.env.LAUNCHDB_DATA_DIR!, 'postgrest-manager.key'), 'utf8')).trim();
    const locator = new PostgrestManagerClient({ baseUrl: `http://127.0.0.1:${managerPort}`, internalKey });
    const logger = createLogger({ level: 'silent', name: 'replica' });
    const seen = { gateway: [0, 0], auth: [0, 0] };
    const listen = async (app: FastifyInstance, count: number[], index: number): Promise<string> => {
      // Caddy's health checks aside
      app.addHook('onRequest', async (request) => void (request.url.endsWith('/health') || count[index]!++));
      extraApps.push(app);
      const port = await reservePort();
      await app.listen({ host: '127.0.0.1', port });
      return `127.0.0.1:${port}`;
    };
    const gateways: string[] = [];
    const auths: string[] = [];
    for (const index of [0, 1]) {
      const gateway = Fastify({ trustProxy: true, loggerInstance: logger as FastifyBaseLogger });
      // platform-api's health route, which Caddy's health checks ask
      gateway.get('/api/health', async () => ({ status: 'ok' }));
      await registerGateway(gateway, { db: platformDb, secrets, locator, options: { requestsPerMinutePerClient: limit, requestsPerMinutePerProject: 0 } });
      gateways.push(await listen(gateway, seen.gateway, index));
      const settings = defaultAuthServiceSettings();
      const replica = await buildAuthApp({ projects: directory, platformDb, secrets, publicUrl: 'http://127.0.0.1', settings: { ...settings, rateLimits: { ...settings.rateLimits, token_per_ip: limit } }, logger, trustProxy: true });
      auths.push(await listen(replica, seen.auth, index));
    }
    const port = await reservePort();
    const balanced = new CaddyProcess({ binary: CADDY, stateDir: join(scratch, 'caddy-replicas'), siteAddress: `http://127.0.0.1:${port}`, adminAddress: `127.0.0.1:${await reservePort()}`, upstreams: { ...upstreams, platformApi: gateways.join(' '), auth: auths.join(' ') } });
    extraCaddys.push(balanced);
    await balanced.start();
    const base = `http://127.0.0.1:${port}`;

    const rows: number[] = [];
    for (let request = 0; request < 4 * limit; request++) rows.push((await fetch(`${base}/db/${project.id}/`, { headers: { apikey: project.keys.anon } })).status);
    expect(seen.gateway).toEqual([2 * limit, 2 * limit]);
    expect(rows.filter((status) => status === 200)).toHaveLength(2 * limit);
    expect(rows.filter((status) => status === 429)).toHaveLength(2 * limit);

    const grants: number[] = [];
    for (let request = 0; request < 4 * limit; request++) {
      const answer = await fetch(`${base}/auth/${project.id}/token?grant_type=password`, { method: 'POST', headers: { apikey: project.keys.anon, 'content-type': 'application/json' }, body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong-password-1' }) });
      grants.push(answer.status);
    }
    expect(seen.auth).toEqual([2 * limit, 2 * limit]);
    expect(grants.filter((status) => status === 429)).toHaveLength(2 * limit);
    expect(grants.filter((status) => status === 400)).toHaveLength(2 * limit);
  }, 60_000);
});

/** VmHWM: the most memory the process has ever held. */
function peakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

async function waitForFile(path: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text) return text;
    await sleep(100);
  }
  throw new Error(`${path} never appeared`);
}

function getOverTls(url: string, ca: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { ca, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (piece: string) => (body += piece));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** GET with the path exactly as written (fetch would resolve `..` and decode nothing); the body as text. */
function rawGet(base: string, path: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: hostname, port, path, method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('error', reject);
    request.end();
  });
}
