import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createClient } from '@supabase/supabase-js';
import { PostgrestClient } from '@supabase/postgrest-js';
import { parseMasterKey, projectNames, ProjectSecret, readProjectSecret, SecretBox, withClient, withDatabase } from '@launchdb/common';
import { hasChromium, launchChromium, servePageOrigin } from '../../test/browser.ts';
import { launchdbConfigSchema } from './config.ts';
import type { EmbeddedPlatform } from './embedded-platform.ts';
import { runLaunchdb, runToEnd, type Finished } from './testing/launchdb-cli.ts';
import { startRunningPlatform, TEST_OPERATOR as ADMIN, type RunningPlatform, type RunningProject as Project } from './testing/running-platform.ts';
import { openLocalPlatform } from './local-platform.ts';

const SCRIPTS = fileURLToPath(new URL('../../scripts/', import.meta.url));
/** supabase-js as a browser page loads it from a CDN: its UMD build, `window.supabase`. */
const SUPABASE_UMD = fileURLToPath(new URL('../../node_modules/@supabase/supabase-js/dist/umd/supabase.js', import.meta.url));

/**
 * The projects issue end to end, on the platform as `launchdb up` runs it: embedded PostgreSQL,
 * PgBouncer (when installed), postgrest-manager spawning the bundled data API, the gateway, and
 * the real client libraries.
 */
describe('projects on the running platform', () => {
  let running: RunningPlatform;
  let platform: EmbeddedPlatform;
  let url: string;
  let env: Record<string, string>;
  let workdir: string;

  const api = <T>(method: string, path: string, body?: unknown) => running.api<T>(method, path, body);
  const createProject = (name: string): Promise<Project> => running.createProject(name);
  /**
   * Applies a migration and waits until the project's API serves `table`: the migration's NOTIFY
   * makes the data API reload its schema cache in the background, as PostgREST does.
   */
  const migrate = async (project: Project, name: string, sql: string, table: string): Promise<void> => {
    expect((await api('POST', `/api/projects/${project.id}/migrations`, { name, sql })).status).toBe(201);
    await expect
      .poll(async () => (await getThroughGateway(project.id, `/${table}?limit=0`, project.keys.service_role)).status, { timeout: 5_000, interval: 20 })
      .toBe(200);
  };
  const dataApi = async (id: string): Promise<{ state: string; pid: number | null; url: string | null }> =>
    (await api<{ state: string; pid: number | null; url: string | null }>('GET', `/api/projects/${id}/data-api`)).body;
  const getThroughGateway = (id: string, path: string, apikey: string, extra: Record<string, string> = {}): Promise<Response> =>
    fetch(`${url}/db/${id}${path}`, { headers: { apikey, ...extra }, signal: AbortSignal.timeout(3_000) });

  beforeAll(async () => {
    running = await startRunningPlatform({ DATA_API_IDLE_SECONDS: '3' });
    ({ platform, url, env, workdir } = running);
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
  }, 60_000);

  it('gives a new project a live REST API that supabase-js (at /p/<id>) and postgrest-js (at /db/<id>) read and write', async () => {
    const project = await createProject('Haven at home');
    expect(project.urls).toEqual({
      rest: `${url}/db/${project.id}`,
      auth: `${url}/auth/${project.id}`,
      storage: `${url}/storage/${project.id}`,
      supabase: `${url}/p/${project.id}`,
    });
    await migrate(
      project,
      '0001_notes',
      `create table public.notes (id bigint generated always as identity primary key, body text not null);
       alter table public.notes enable row level security;
       create policy anyone_reads on public.notes for select using (true);
       create policy anyone_writes on public.notes for insert with check (length(body) < 100);`,
      'notes',
    );

    const supabase = createClient(project.urls.supabase, project.keys.anon, { realtime: { transport: ws as never }, auth: { persistSession: false } });
    const inserted = await supabase.from('notes').insert([{ body: 'boiler serviced' }, { body: 'gutters cleared' }]).select('body');
    expect(inserted.error).toBeNull();
    expect(inserted.data).toEqual([{ body: 'boiler serviced' }, { body: 'gutters cleared' }]);
    const refused = await supabase.from('notes').insert({ body: 'x'.repeat(200) });
    expect(refused.error?.code).toBe('42501');

    const postgrest = new PostgrestClient(project.urls.rest, { headers: { apikey: project.keys.anon } });
    const read = await postgrest.from('notes').select('body', { count: 'exact' }).order('id');
    expect(read.error).toBeNull();
    expect(read.count).toBe(2);
    expect(read.data).toEqual([{ body: 'boiler serviced' }, { body: 'gutters cleared' }]);
  });

  it.runIf(hasChromium() || process.env.CI)('serves supabase-js in a Chromium page of another origin: preflights pass, reads and writes work, and the gateway\'s errors are readable', async () => {
    const project = await createProject('In the browser');
    await migrate(
      project,
      '0001_notes',
      `create table public.notes (id bigint generated always as identity primary key, body text not null);
       alter table public.notes enable row level security;
       create policy anyone_reads on public.notes for select using (true);
       create policy anyone_writes on public.notes for insert with check (true);`,
      'notes',
    );
    // the platform on 127.0.0.1, the page on localhost: another origin, so every call is CORS
    const [pageOrigin, browser] = await Promise.all([servePageOrigin('localhost'), launchChromium()]);
    try {
      const page = await browser.newPage();
      await page.goto(`${pageOrigin.origin}/`);
      await page.addScriptTag({ path: SUPABASE_UMD });
      const outcome = await page.evaluate(
        async ({ supabaseUrl, anonKey }) => {
          const { createClient } = (window as unknown as { supabase: typeof import('@supabase/supabase-js') }).supabase;
          const client = createClient(supabaseUrl, anonKey, { auth: { persistSession: false } });
          const inserted = await client.from('notes').insert({ body: 'written in the browser' }).select('body');
          const read = await client.from('notes').select('body', { count: 'exact' });
          const stranger = createClient(supabaseUrl, 'not-a-key-of-this-project', { auth: { persistSession: false } });
          const refused = await stranger.from('notes').select('*');
          const noKey = await fetch(`${supabaseUrl}/rest/v1/notes`).then(async (response) => ({ status: response.status, body: await response.json() }));
          return {
            inserted: inserted.data,
            insertError: inserted.error,
            read: read.data,
            count: read.count,
            refused: { status: refused.status, code: refused.error?.code, message: refused.error?.message },
            noKey,
          };
        },
        { supabaseUrl: project.urls.supabase, anonKey: project.keys.anon },
      );
      expect(outcome.insertError).toBeNull();
      expect(outcome.inserted).toEqual([{ body: 'written in the browser' }]);
      expect(outcome.read).toEqual([{ body: 'written in the browser' }]);
      // Content-Range is exposed to the page, or supabase-js could not give the count
      expect(outcome.count).toBe(1);
      expect(outcome.refused).toEqual({ status: 401, code: 'invalid_api_key', message: 'Invalid API key' });
      expect(outcome.noKey).toMatchObject({ status: 401, body: { code: 'no_api_key' } });
    } finally {
      await browser.close();
      await pageOrigin.close();
    }
  }, 60_000);

  it('keeps two projects apart: keys, database connections and tables', async () => {
    const a = await createProject('Project A');
    const b = await createProject('Project B');
    await migrate(b, '0001_secrets', `create table public.private_notes (id int primary key, body text); insert into public.private_notes values (1, 'b only');`, 'private_notes');

    const aAnonOnB = await getThroughGateway(b.id, '/private_notes', a.keys.anon);
    expect(aAnonOnB.status).toBe(401);
    expect(await aAnonOnB.json()).toMatchObject({ code: 'invalid_api_key', message: 'Invalid API key' });
    expect((await getThroughGateway(b.id, '/private_notes', a.keys.service_role)).status).toBe(401);
    // B's own anon key at the gateway, A's service key as the bearer: B's data API refuses A's signature
    const forged = await getThroughGateway(b.id, '/private_notes', b.keys.anon, { authorization: `Bearer ${a.keys.service_role}` });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { code: string }).code).toMatch(/^PGRST30/);
    expect(await (await getThroughGateway(b.id, '/private_notes', b.keys.service_role)).json()).toEqual([{ id: 1, body: 'b only' }]);

    const { adminUrl, secrets } = await openLocalPlatform(launchdbConfigSchema.parse(env));
    const aPassword = await withClient(adminUrl, (admin) => readProjectSecret(admin, secrets, a.id, ProjectSecret.authenticatorPassword));
    const intoB = new URL(withDatabase(adminUrl, projectNames(b.id).database));
    intoB.username = projectNames(a.id).authenticator;
    intoB.password = encodeURIComponent(aPassword!);
    const client = new pg.Client({ connectionString: intoB.toString() });
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toMatchObject({ code: '42501' });
    for (const database of ['launchdb', 'postgres', 'template1']) {
      const elsewhere = new URL(intoB);
      elsewhere.pathname = `/${database}`;
      const other = new pg.Client({ connectionString: elsewhere.toString() });
      other.on('error', () => undefined);
      await expect(other.connect(), database).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('brings a data API killed with SIGKILL back within 5 s, answering 503 meanwhile and never hanging', async () => {
    const project = await createProject('Crash test');
    expect((await getThroughGateway(project.id, '/', project.keys.anon)).status).toBe(200);
    const before = await dataApi(project.id);
    expect(before.state).toBe('running');
    process.kill(before.pid!, 'SIGKILL');
    const killedAt = Date.now();
    const statuses: number[] = [];
    let recoveredAfterMs: number | undefined;
    while (Date.now() - killedAt < 8_000) {
      const sentAt = Date.now();
      const status = (await getThroughGateway(project.id, '/', project.keys.anon)).status;
      expect(Date.now() - sentAt).toBeLessThan(2_500);
      statuses.push(status);
      if (status === 200 && Date.now() - killedAt > 50) {
        recoveredAfterMs = Date.now() - killedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(recoveredAfterMs).toBeLessThan(5_000);
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    const after = await dataApi(project.id);
    expect(after.pid).not.toBe(before.pid);
    expect((after as unknown as { restarts: number }).restarts).toBeGreaterThanOrEqual(1);
  });

  it('scales an idle data API to zero and starts it again for the next request, which waits for it', async () => {
    const project = await createProject('Sleepy');
    expect((await getThroughGateway(project.id, '/', project.keys.anon)).status).toBe(200);
    const { pid } = await dataApi(project.id);
    await expect.poll(async () => (await dataApi(project.id)).state, { timeout: 15_000, interval: 250 }).toBe('sleeping');
    expect(isAlive(pid!)).toBe(false);
    const response = await getThroughGateway(project.id, '/', project.keys.anon);
    expect(response.status).toBe(200);
    expect((await dataApi(project.id)).state).toBe('running');
  });

  it('rotates keys: the old key gets 401, the new one 200, without restarting the platform', async () => {
    const project = await createProject('Rotating');
    expect((await getThroughGateway(project.id, '/', project.keys.anon)).status).toBe(200);
    const rotated = await api<Project>('POST', `/api/projects/${project.id}/keys/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.keys.anon).not.toBe(project.keys.anon);
    expect((await getThroughGateway(project.id, '/', project.keys.anon)).status).toBe(401);
    expect((await getThroughGateway(project.id, '/', rotated.body.keys.anon)).status).toBe(200);
    expect((await getThroughGateway(project.id, '/', rotated.body.keys.anon, { authorization: `Bearer ${project.keys.service_role}` })).status).toBe(401);
    expect((await getThroughGateway(project.id, '/', rotated.body.keys.service_role)).status).toBe(200);
  });

  it('deletes a project only when confirmed, leaving no database, role, pool entry or process', async () => {
    const project = await createProject('Doomed');
    expect((await getThroughGateway(project.id, '/', project.keys.anon)).status).toBe(200);
    const { pid } = await dataApi(project.id);
    expect((await api('DELETE', `/api/projects/${project.id}`)).status).toBe(400);
    expect((await api('DELETE', `/api/projects/${project.id}?confirm=${project.id}`)).status).toBe(204);

    const names = projectNames(project.id);
    const { adminUrl } = await openLocalPlatform(launchdbConfigSchema.parse(env));
    const leftovers = await withClient(adminUrl, async (admin) => ({
      databases: (await admin.query('select 1 from pg_database where datname = $1', [names.database])).rowCount,
      roles: (await admin.query('select 1 from pg_roles where rolname = any($1)', [[names.owner, names.authenticator]])).rowCount,
      rows: (await admin.query('select 1 from platform.projects where id = $1', [project.id])).rowCount,
    }));
    expect(leftovers).toEqual({ databases: 0, roles: 0, rows: 0 });
    const ini = join(env.LAUNCHDB_DATA_DIR!, 'pgbouncer', 'pgbouncer.ini');
    if (existsSync(ini)) expect(await readFile(ini, 'utf8')).not.toContain(names.database);
    expect(isAlive(pid!)).toBe(false);
    expect((await getThroughGateway(project.id, '/', project.keys.anon)).status).toBe(404);
  });

  it('is driven from the CLI: create, list, show, migrate a folder, migrations, and psql as the owner', async () => {
    const cliEnv = { ...env, XDG_CACHE_HOME: join(workdir, 'cache') };
    const created = await runCli(['project', 'create', 'From the CLI', '--id', 'cli' + Date.now().toString(36), '--json'], cliEnv);
    expect(created.code).toBe(0);
    const project = JSON.parse(created.stdout) as Project;
    expect(project.status).toBe('active');

    const listed = await runCli(['project', 'list'], cliEnv);
    expect(listed.stdout).toMatch(new RegExp(`^${project.id}\\s+active\\s+From the CLI$`, 'm'));
    const shown = await runCli(['project', 'show', project.id], cliEnv);
    expect(shown.stdout).toContain(`REST       ${url}/db/${project.id}`);
    expect(shown.stdout).toContain(project.keys.anon);

    const folder = join(workdir, 'migrations');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, '0001_rooms.sql'), 'create table public.rooms (id int primary key, name text);');
    await writeFile(join(folder, '0002_seed.sql'), "insert into public.rooms values (1, 'kitchen');");
    await writeFile(join(folder, 'README.md'), 'not a migration');
    const migrated = await runCli(['project', 'migrate', project.id, folder], cliEnv);
    expect(migrated.stdout).toBe('applied 0001_rooms\napplied 0002_seed\n');
    expect((await runCli(['project', 'migrate', project.id, folder], cliEnv)).stdout).toBe('nothing to apply\n');
    const migrations = await runCli(['project', 'migrations', project.id, '--json'], cliEnv);
    expect((JSON.parse(migrations.stdout) as { migrations: Array<{ name: string }> }).migrations.map((m) => m.name)).toEqual(['0001_rooms', '0002_seed']);
    // the migrations reloaded the data API's schema cache (in the background, as PostgREST does)
    await expect
      .poll(async () => (await getThroughGateway(project.id, '/rooms', project.keys.service_role)).json(), { timeout: 5_000, interval: 20 })
      .toEqual([{ id: 1, name: 'kitchen' }]);

    const broken = join(workdir, 'broken');
    await mkdir(broken, { recursive: true });
    await writeFile(join(broken, '0003_typo.sql'), 'create tabel nope ();');
    const failed = await runCli(['project', 'migrate', project.id, broken], cliEnv);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('0003_typo');
    expect(failed.stderr).toContain('syntax error');

    if (hasPsql()) {
      const psql = await runCli(['project', 'psql', project.id, '--', '-At', '-c', 'select current_user, count(*) from rooms'], cliEnv);
      expect(psql.stdout.trim()).toBe(`${projectNames(project.id).owner}|1`);
    }
    expect((await runCli(['project', 'delete', project.id], cliEnv)).code).toBe(1);
    expect((await runCli(['project', 'delete', project.id, '--confirm', project.id], cliEnv)).stdout).toBe(`deleted ${project.id}\n`);
  }, 60_000);

  it('has operator scripts that wrap the CLI: create, pool entry, data API stop/start/status, delete', async () => {
    const scriptEnv = { ...env, XDG_CACHE_HOME: join(workdir, 'cache') };
    const id = 'scr' + Date.now().toString(36);
    const created = await runScript('project-create.sh', ['Scripted', '--id', id, '--json'], scriptEnv);
    expect(created.code).toBe(0);
    const project = JSON.parse(created.stdout) as Project;
    expect(project.status).toBe('active');

    expect((await runScript('pgbouncer-add-project.sh', [id], scriptEnv)).stdout).toBe(`PgBouncer entry of ${id} written and reloaded\n`);
    expect((await getThroughGateway(id, '/', project.keys.anon)).status).toBe(200);
    expect((await runScript('postgrest-stop.sh', [id], scriptEnv)).stdout).toBe(`data API of ${id} stopped\n`);
    expect((await runScript('postgrest-status.sh', [id], scriptEnv)).stdout).toMatch(new RegExp(`^${id}\\s+(stopped|sleeping)\\b`));
    expect((await runScript('postgrest-spawn.sh', [id], scriptEnv)).stdout).toMatch(new RegExp(`^${id}\\s+running\\s+http://127\\.0\\.0\\.1:\\d+`));
    // not a terminal: the script does not ask for the id again
    expect((await runScript('project-delete.sh', [id], scriptEnv)).stdout).toBe(`deleted ${id}\n`);
    expect((await runScript('project-delete.sh', [], scriptEnv)).code).toBe(2);
  }, 60_000);

  it('reads the stored secrets only with the master key', async () => {
    const key = (await readFile(join(env.LAUNCHDB_DATA_DIR!, 'master.key'), 'utf8')).trim();
    const wrong = new SecretBox(parseMasterKey('ab'.repeat(32)));
    const right = new SecretBox(parseMasterKey(key));
    const project = await createProject('Secretive');
    const { adminUrl } = await openLocalPlatform(launchdbConfigSchema.parse(env));
    await withClient(adminUrl, async (admin) => {
      expect(await readProjectSecret(admin, right, project.id, ProjectSecret.jwtSecret)).toMatch(/.{32,}/);
      await expect(readProjectSecret(admin, wrong, project.id, ProjectSecret.jwtSecret)).rejects.toThrow();
      const { rows } = await admin.query<{ ciphertext: string }>('select ciphertext from platform.secrets where project_id = $1', [project.id]);
      for (const row of rows) expect(row.ciphertext).toMatch(/^v1\./);
    });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function hasPsql(): boolean {
  return (process.env.PATH ?? '').split(':').some((folder) => existsSync(join(folder, 'psql')));
}

function runScript(name: string, args: string[], env: Record<string, string>): Promise<Finished> {
  return runToEnd('bash', [join(SCRIPTS, name), ...args], { env });
}

function runCli(args: string[], env: Record<string, string>): Promise<Finished> {
  return runLaunchdb(args, { env });
}
