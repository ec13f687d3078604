import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { Browser } from 'playwright-core';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withClient } from '@launchdb/common/db';
import { projectNames } from '@launchdb/common/projects';
import { runAdminCommand, type AdminConsoleLogin } from '@launchdb/pgbouncer';
import { parsePrometheusText, sampleValue } from '@launchdb/testkit/prometheus-text';
import { reservePort } from '@launchdb/testkit/ports';
import { launchChromium } from '../../test/browser.ts';
import { launchdbConfigSchema } from './config.ts';
import { SPLIT_SERVICES, SplitPlatform, type SplitServiceName, type SplitStartupReport } from './split-platform.ts';

const OPERATOR = { email: 'ops@split.example.com', password: 'split-topology-password' };

/**
 * `launchdb up --split`: every service its own process behind real Caddy and in front of real
 * PgBouncer, driven through Caddy's one port by supabase-js and Chromium; each service and
 * PgBouncer killed in turn (SIGKILL) while the others keep answering, and started again.
 */
describe('launchdb up --split', () => {
  let workdir: string;
  let platform: SplitPlatform;
  let url: string;
  let browser: Browser;
  let project: { id: string; keys: { anon: string; service_role: string } };
  let report: SplitStartupReport;
  let pgbouncerPort: number;
  let postgresPort: number;

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'launchdb-split-'));
    // as root, PostgreSQL runs as the postgres user, which must reach the data folder
    await chmod(workdir, 0o755);
    const port = await reservePort();
    [pgbouncerPort, postgresPort] = [await reservePort(), await reservePort()];
    platform = new SplitPlatform(
      launchdbConfigSchema.parse({
        LAUNCHDB_DATA_DIR: join(workdir, 'data'),
        LAUNCHDB_PORT: String(port),
        LAUNCHDB_POSTGRES_PORT: String(postgresPort),
        LAUNCHDB_PGBOUNCER_PORT: String(pgbouncerPort),
        LAUNCHDB_ADMIN_EMAIL: OPERATOR.email,
        LAUNCHDB_ADMIN_PASSWORD: OPERATOR.password,
        DATA_API_ENTRY: inject('dataApiEntry'),
        LOG_LEVEL: 'silent',
      }),
    );
    [report, browser] = await Promise.all([platform.start(), launchChromium()]);
    url = report.url;
    const token = ((await (await post(`${url}/api/auth/login`, OPERATOR)).json()) as { access_token: string }).access_token;
    const created = await post(`${url}/api/projects`, { name: 'Split Haven', template: 'haven' }, token);
    expect(created.status).toBe(201);
    project = (await created.json()) as typeof project;
    const migrated = await post(`${url}/api/projects/${project.id}/migrations`, { name: '0001_notes.sql', sql: 'create table public.notes (id int primary key, body text); grant select on public.notes to anon;' }, token);
    expect(migrated.status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  }, 60_000);

  const client = (key: string): SupabaseClient =>
    createClient(`${url}/p/${project.id}`, key, { realtime: { transport: ws as never }, auth: { persistSession: false, autoRefreshToken: false } });

  it('answers supabase-js (db, auth, storage) through Caddy', async () => {
    const service = client(project.keys.service_role);
    // the data API reloads its schema cache on the migration's NOTIFY, a moment after the API answered
    await expect.poll(async () => (await service.from('notes').insert({ id: 1, body: 'through caddy' })).error?.code ?? 'inserted', { timeout: 10_000 }).toBe('inserted');
    const user = client(project.keys.anon);
    expect((await user.auth.signUp({ email: 'split@example.com', password: 'split-password-1' })).error).toBeNull();
    const signedIn = await user.auth.signInWithPassword({ email: 'split@example.com', password: 'split-password-1' });
    expect(signedIn.error).toBeNull();
    expect((await user.from('notes').select('body')).data).toEqual([{ body: 'through caddy' }]);
    const bucket = await service.storage.createBucket('split');
    expect(bucket.error?.message).toBeUndefined();
    expect((await service.storage.from('split').upload('a.txt', new Blob(['split file']))).error).toBeNull();
    expect(await (await service.storage.from('split').download('a.txt')).data!.text()).toBe('split file');
  });

  it("reaches project databases through PgBouncer, as compose's services do", async () => {
    const data = join(workdir, 'data');
    const console: AdminConsoleLogin = { host: '127.0.0.1', port: pgbouncerPort, user: 'launchdb_platform', password: (await readFile(join(data, 'platform-db.password'), 'utf8')).trim() };
    const { database } = projectNames(project.id);
    const transactions = async () => Number((await runAdminCommand(console, 'SHOW STATS')).find((row) => row.database === database)?.total_xact_count ?? 0);
    const user = client(project.keys.anon);
    const service = client(project.keys.service_role);
    const requests = {
      'data API': async () => expect((await user.from('notes').select('body')).error).toBeNull(),
      auth: async () => expect((await user.auth.signInWithPassword({ email: 'split@example.com', password: 'split-password-1' })).error).toBeNull(),
      storage: async () => expect((await service.storage.from('split').list()).error).toBeNull(),
    };
    for (const [what, request] of Object.entries(requests)) {
      const before = await transactions();
      await request();
      expect(await transactions(), what).toBeGreaterThan(before);
    }
    // and none of them holds a session of its own on the project database: each backend serving them is one of PgBouncer's
    const servers = new Set((await runAdminCommand(console, 'SHOW SERVERS')).filter((row) => row.database === database).map((row) => Number(row.local_port)));
    const superuser = `postgres://postgres:${encodeURIComponent((await readFile(join(data, 'postgres.password'), 'utf8')).trim())}@127.0.0.1:${postgresPort}/${database}`;
    const { rows } = await withClient(superuser, (admin) =>
      admin.query<{ client_port: number; application_name: string }>(
        `select client_port, application_name from pg_stat_activity where datname = $1 and application_name = any($2)`,
        [database, ['launchdb-data-api', 'auth-service', 'storage-service']],
      ),
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(servers, `${row.application_name}'s session`).toContain(row.client_port);
  });

  it('serves each service\'s Prometheus metrics on its internal port, and none through Caddy', async () => {
    const scrape = async (name: SplitServiceName) => {
      const response = await fetch(`http://${report.services[name].address}/metrics`);
      expect(response.status, name).toBe(200);
      return parsePrometheusText(await response.text());
    };
    for (const name of ['platform-api', 'auth-service', 'storage-service', 'postgrest-manager', 'worker', 'backup'] as const) {
      expect(sampleValue(await scrape(name), 'nodejs_heap_size_used_bytes', { service: name }), name).toBeGreaterThan(0);
    }
    expect(sampleValue(await scrape('postgrest-manager'), 'launchdb_data_apis', { state: 'awake' })).toBe(1);
    expect(sampleValue(await scrape('worker'), 'launchdb_worker_queue_jobs', { kind: 'captures', state: 'pending' })).toBe(0);
    expect(sampleValue(await scrape('backup'), 'launchdb_backups', { of: 'backups' })).toBe(0);
    // platform-api reads the PgBouncer it keeps: the project's pool is there
    const pools = await scrape('platform-api');
    expect(sampleValue(pools, 'launchdb_pgbouncer_up')).toBe(1);
    expect(pools.flatMap((family) => family.samples).some((sample) => sample.labels.database === projectNames(project.id).database)).toBe(true);
    for (const path of ['/metrics', '/api/metrics', '/auth/metrics', '/storage/metrics', `/db/${project.id}/metrics`]) {
      expect(await (await fetch(`${url}${path}`)).text(), path).not.toContain('# TYPE');
    }
  });

  it('serves the console and Haven in Chromium through Caddy', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/console/`);
    await page.getByLabel('Email').fill(OPERATOR.email);
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects', exact: true }).waitFor();
    await page.getByText('Split Haven').first().waitFor();

    await page.goto(`${url}/app/${project.id}/`);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill('owner@split.example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Your homes' }).waitFor();
    await page.close();
  }, 60_000);

  it('keeps answering what does not depend on a killed service, and starts it again', async () => {
    const probes = {
      api: () => fetch(`${url}/api/health`),
      db: () => fetch(`${url}/db/${project.id}/notes`, { headers: { apikey: project.keys.anon } }),
      auth: () => fetch(`${url}/auth/${project.id}/settings`, { headers: { apikey: project.keys.anon } }),
      storage: () => fetch(`${url}/storage/${project.id}/bucket`, { headers: { apikey: project.keys.service_role, authorization: `Bearer ${project.keys.service_role}` } }),
      dashboard: () => fetch(`${url}/icon.svg`),
    };
    type Probe = keyof typeof probes;
    const needs: Record<SplitServiceName | 'pgbouncer', Probe[]> = {
      'platform-api': ['api', 'db'],
      'postgrest-manager': [],
      'auth-service': ['auth'],
      'storage-service': ['storage'],
      worker: [],
      backup: [],
      dashboard: ['dashboard'],
      // every database session of the services goes through it (the health check's too)
      pgbouncer: ['api', 'db', 'auth', 'storage'],
    };
    const answers = async (probe: Probe) => (await probes[probe]().then((response) => response.status, () => 0)) === 200;
    const processes = [...SPLIT_SERVICES.map((name) => [name, () => platform.service(name)] as const), ['pgbouncer', () => platform.pgbouncer] as const];
    for (const [name, current] of processes) {
      const killed = current().pid!;
      process.kill(killed, 'SIGKILL');
      await until(() => current().pid !== killed || !alive(killed), `${name} to die`);
      for (const probe of Object.keys(probes) as Probe[]) {
        if (!needs[name].includes(probe)) expect(await answers(probe), `${probe} while ${name} is down`).toBe(true);
      }
      const restarted = () => current().pid;
      await until(() => restarted() !== undefined && restarted() !== killed && alive(restarted()!), `${name} to be started again`);
      for (const probe of needs[name]) await until(() => answers(probe), `${probe} once ${name} is back`);
      await until(() => current().supervisor.status.state === 'running', `${name} to be running`);
    }
    // the data API postgrest-manager started before it was killed still serves, or a new one does
    expect(await answers('db')).toBe(true);
  }, 120_000);

  it('stops every process it started', async () => {
    const pids = [...SPLIT_SERVICES.map((name) => platform.service(name).pid!), platform.pgbouncer.pid!];
    await platform.stop();
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
  }, 60_000);
});

function post(target: string, body: unknown, token?: string): Promise<Response> {
  return fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`waited 45 s for ${what}`);
    await sleep(100);
  }
}
