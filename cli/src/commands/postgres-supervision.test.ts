import { chmod, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, projectNames, serviceUser, withClient, withDatabase } from '@launchdb/common';
import { reservePort } from '../../../test/ports.ts';
import { launchdbConfigSchema } from '../config.ts';
import { PostgresCluster } from '../embedded/postgres-cluster.ts';
import { ProcessSupervisor } from '../embedded/process-supervisor.ts';
import { openLocalPlatform } from '../local-platform.ts';
import { startRunningPlatform, type RunningPlatform, type RunningProject } from '../testing/running-platform.ts';

interface Answer {
  key: string;
  status: number | 'network error';
  ms: number;
  retryAfter: string | null;
  body: string;
  at: number;
}

/** Sends writes one after the other until stopped, recording each answer. */
function writeStream(send: (key: string) => Promise<Response>, prefix: string): { answers: Answer[]; stop: () => Promise<void> } {
  const answers: Answer[] = [];
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n += 1) {
      const key = `${prefix}${n}`;
      const started = Date.now();
      try {
        const response = await send(key);
        const body = await response.text();
        answers.push({ key, status: response.status, ms: Date.now() - started, retryAfter: response.headers.get('retry-after'), body, at: started });
      } catch (error) {
        answers.push({ key, status: 'network error', ms: Date.now() - started, retryAfter: null, body: (error as Error).message, at: started });
      }
    }
  })();
  return {
    answers,
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function postmasterPid(dataDir: string): Promise<number> {
  return Number((await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
}

/** Processes started from `folder` or working in it (PostgreSQL's backends rename themselves but keep their data folder as cwd). */
async function processesOf(folder: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    if (cmdline.includes(folder) || environ.includes(folder) || cwd.startsWith(folder)) pids.push(Number(entry));
  }
  return pids;
}

/** Holds a port once the process that had it has let go of it. */
async function holdPort(port: number): Promise<Server> {
  for (let attempt = 0; ; attempt += 1) {
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      return server;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe('PostgreSQL killed under `launchdb up`', () => {
  let running: RunningPlatform;
  let project: RunningProject;

  beforeAll(async () => {
    running = await startRunningPlatform({ DATA_API_IDLE_SECONDS: '0', AUTH_RATE_LIMIT_SIGNUP_PER_IP: '100000' });
    project = await running.createProject('supervised');
    const migration = await running.api('POST', `/api/projects/${project.id}/migrations`, {
      name: '0001_acks',
      sql: 'create table public.acks (id text primary key); grant select, insert on public.acks to service_role;',
    });
    expect(migration.status).toBe(201);
    // the migration's NOTIFY makes the data API reload its schema cache in the background
    for (const deadline = Date.now() + 5_000; ; ) {
      const probe = await fetch(`${project.urls.supabase}/rest/v1/acks?limit=0`, { headers: { apikey: project.keys.service_role } });
      if (probe.status === 200) break;
      if (Date.now() > deadline) throw new Error(`the data API does not serve acks: ${probe.status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const bucket = await fetch(`${project.urls.supabase}/storage/v1/bucket`, {
      method: 'POST',
      headers: { apikey: project.keys.service_role, authorization: `Bearer ${project.keys.service_role}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'files' }),
    });
    expect(bucket.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
  }, 30_000);

  it('is restarted: REST writes, sign-ups and uploads acknowledged before, during and after are all there, the outage answers 503 at once, health shows it, the data API listens again', async () => {
    const serviceHeaders = { apikey: project.keys.service_role, authorization: `Bearer ${project.keys.service_role}`, 'content-type': 'application/json' };
    const rest = writeStream(
      (id) => fetch(`${project.urls.supabase}/rest/v1/acks`, { method: 'POST', headers: serviceHeaders, body: JSON.stringify({ id }), signal: AbortSignal.timeout(10_000) }),
      'row-',
    );
    const signUps = writeStream(
      (n) =>
        fetch(`${project.urls.supabase}/auth/v1/signup`, {
          method: 'POST',
          headers: { apikey: project.keys.anon, 'content-type': 'application/json' },
          body: JSON.stringify({ email: `${n}@supervised.test`, password: 'a long enough password' }),
          signal: AbortSignal.timeout(10_000),
        }),
      'user-',
    );
    const uploads = writeStream(
      (name) =>
        fetch(`${project.urls.supabase}/storage/v1/object/files/${name}.txt`, {
          method: 'POST',
          headers: { apikey: project.keys.service_role, authorization: `Bearer ${project.keys.service_role}`, 'content-type': 'text/plain' },
          body: `contents of ${name}`,
          signal: AbortSignal.timeout(10_000),
        }),
      'file-',
    );
    const health: Array<{ at: number; status: number; database: Record<string, unknown> }> = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const response = await fetch(`${running.url}/api/health`);
        health.push({ at: Date.now(), status: response.status, database: ((await response.json()) as { dependencies: { database: Record<string, unknown> } }).dependencies.database });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    try {
      await expect.poll(() => Math.min(rest.answers.length, signUps.answers.length, uploads.answers.length), { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(5);
      const killedAt = Date.now();
      process.kill(await postmasterPid(running.env.LAUNCHDB_DATA_DIR!), 'SIGKILL');

      // back without anyone restarting launchdb: health is green and both streams are acknowledged again
      await expect.poll(() => health.at(-1)?.database.restarts, { timeout: 15_000, interval: 50 }).toBe(1);
      await expect.poll(() => health.at(-1)?.status, { timeout: 10_000, interval: 50 }).toBe(200);
      const recoveredAt = Date.now();
      const acknowledgedAfter = (stream: { answers: Answer[] }) => stream.answers.filter((answer) => answer.at > recoveredAt && (answer.status === 200 || answer.status === 201)).length;
      await expect.poll(() => Math.min(acknowledgedAfter(rest), acknowledgedAfter(signUps), acknowledgedAfter(uploads)), { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(3);

      // health showed the outage as it was happening
      const outage = health.filter((probe) => probe.database.state === 'restarting');
      expect(outage.length).toBeGreaterThan(0);
      for (const probe of outage) expect(probe).toMatchObject({ status: 503, database: { status: 'down', since: outage[0]!.database.since } });
      expect(Date.parse(outage[0]!.database.since as string)).toBeGreaterThanOrEqual(killedAt);
      expect(health.at(-1)!.database).toMatchObject({ status: 'up', state: 'running', restarts: 1 });
    } finally {
      watching = false;
      await Promise.all([rest.stop(), signUps.stop(), uploads.stop(), watcher]);
    }

    // every request was answered, fast; what failed is a 503 to retry, in its protocol's shape
    for (const [stream, shape] of [
      [rest.answers, { code: expect.stringMatching(/^PGRST00\d$|^platform_unavailable$/) }],
      [signUps.answers, { code: 503, error_code: 'unexpected_failure' }],
      [uploads.answers, { statusCode: '503', error: 'Service Unavailable' }],
    ] as const) {
      const failed = stream.filter((answer) => answer.status !== 200 && answer.status !== 201);
      expect(failed.length, 'requests during the outage').toBeGreaterThan(0);
      for (const answer of failed) {
        expect(answer, answer.body).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
        expect(JSON.parse(answer.body)).toMatchObject(shape);
      }
      expect(Math.max(...stream.map((answer) => answer.ms)), 'slowest answer (ms)').toBeLessThan(2_000);
    }

    // nothing acknowledged was lost
    const rows = await fetch(`${project.urls.supabase}/rest/v1/acks?select=id`, { headers: serviceHeaders });
    const stored = new Set(((await rows.json()) as Array<{ id: string }>).map((row) => row.id));
    const acknowledgedRows = rest.answers.filter((answer) => answer.status === 201).map((answer) => answer.key);
    expect(acknowledgedRows.filter((id) => !stored.has(id))).toEqual([]);

    const { adminUrl } = await openLocalPlatform(launchdbConfigSchema.parse(running.env));
    const users = await withClient(withDatabase(adminUrl, projectNames(project.id).database), (client) => client.query<{ email: string }>('select email from auth.users'));
    const registered = new Set(users.rows.map((row) => row.email));
    const acknowledgedUsers = signUps.answers.filter((answer) => answer.status === 200).map((answer) => `${answer.key}@supervised.test`);
    expect(acknowledgedUsers.filter((email) => !registered.has(email))).toEqual([]);

    const listed = await fetch(`${project.urls.supabase}/storage/v1/object/list/files`, {
      method: 'POST',
      headers: serviceHeaders,
      body: JSON.stringify({ prefix: '', limit: 10_000 }),
    });
    const files = new Set(((await listed.json()) as Array<{ name: string }>).map((file) => file.name));
    const acknowledgedFiles = uploads.answers.filter((answer) => answer.status === 200).map((answer) => `${answer.key}.txt`);
    expect(acknowledgedFiles.filter((name) => !files.has(name))).toEqual([]);

    // the data API listens again: a schema change announced with NOTIFY is served
    await withClient(withDatabase(adminUrl, projectNames(project.id).database), (client) =>
      client.query("create table public.after_restart (id int); grant select on public.after_restart to service_role; notify pgrst, 'reload schema'"),
    );
    await expect
      .poll(async () => (await fetch(`${project.urls.supabase}/rest/v1/after_restart`, { headers: serviceHeaders })).status, { timeout: 10_000, interval: 100 })
      .toBe(200);
  }, 40_000);

  it('leaves no process behind when launchdb is stopped while it restarts PostgreSQL', async () => {
    const dataDir = running.env.LAUNCHDB_DATA_DIR!;
    const killed = await postmasterPid(dataDir);
    process.kill(killed, 'SIGKILL');
    // stopped (what Ctrl-C does) once the new postmaster has written its lock file: spawned, replaying its WAL
    await expect.poll(() => postmasterPid(dataDir).catch(() => killed), { timeout: 10_000, interval: 5 }).not.toBe(killed);
    await running.platform.stop();
    expect(await processesOf(running.workdir)).toEqual([]);
  }, 20_000);
});

describe('a PostgreSQL cluster killed outright', () => {
  let root: string;
  let port: number;
  let cluster: PostgresCluster;
  let supervisor: ProcessSupervisor | undefined;
  const lines: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'launchdb-supervisor-'));
    await chmod(root, 0o755);
    port = await reservePort();
    cluster = new PostgresCluster({
      dataDir: join(root, 'pg'),
      port,
      superuser: 'postgres',
      superuserPassword: 'supervisor-test',
      runAs: serviceUser(),
      onUnexpectedExit: (code, signal) => supervisor?.exited(code, signal),
    });
    await cluster.initialise();
    await cluster.start();
  }, 30_000);

  afterAll(async () => {
    await supervisor?.stop();
    await cluster?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('starts again although a backend of the dead postmaster still runs and its lock file names a pid now in use', async () => {
    const busy = new pg.Client({ connectionString: cluster.connectionString() });
    busy.on('error', () => undefined);
    await busy.connect();
    // a backend busy in a loop notices its postmaster's death only when the loop ends: never
    const spinning = busy.query('do $$ begin loop perform 1; end loop; end $$').catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const postmaster = cluster.pid!;
    process.kill(postmaster, 'SIGKILL');
    await expect.poll(() => cluster.pid, { timeout: 5_000, interval: 10 }).toBeUndefined();
    expect((await processesOf(join(root, 'pg'))).length, 'backends still running').toBeGreaterThan(0);
    // the pid PostgreSQL recorded now belongs to someone else (here: this test)
    const lockFile = join(root, 'pg', 'postmaster.pid');
    const lock = (await readFile(lockFile, 'utf8')).split('\n');
    await writeFile(lockFile, [String(process.pid), ...lock.slice(1)].join('\n'));

    await cluster.start();
    expect(await spinning).toBeInstanceOf(Error);
    const { rows } = await withClient(cluster.connectionString(), (client) => client.query<{ ok: number }>('select 1 as ok'));
    expect(rows).toEqual([{ ok: 1 }]);
  }, 30_000);

  it('gives up with one clear log line after restarts keep failing within the window, instead of looping', async () => {
    const logger = createLogger({ level: 'info', name: 'launchdb', destination: new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }) });
    const watched = new ProcessSupervisor({
      name: 'PostgreSQL',
      logger,
      restart: () => cluster.start(),
      policy: { initialDelayMs: 100, maxDelayMs: 200, maxRestarts: 3, windowMs: 10_000 },
    });
    supervisor = watched;
    let holder: Server | undefined;
    try {
      process.kill(cluster.pid!, 'SIGKILL');
      // someone else takes its port: every restart fails
      holder = await holdPort(port);
      await expect.poll(() => watched.status.state, { timeout: 10_000, interval: 20 }).toBe('failed');
      const gaveUp = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((entry) => /gave up/.test(entry.msg));
      expect(gaveUp).toHaveLength(1);
      expect(gaveUp[0]!.msg).toMatch(new RegExp(`^PostgreSQL gave up: 3 restarts within 10 s did not keep it running \\(last: PostgreSQL stopped during start-up: port ${port} is already in use\\)`));
      expect(watched.status.restarts).toBe(3);
      // and it stays given up: no further attempt
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(watched.status).toMatchObject({ state: 'failed', restarts: 3 });
      expect(await processesOf(join(root, 'pg'))).toEqual([]);
    } finally {
      await new Promise((resolve) => holder?.close(resolve) ?? resolve(undefined));
    }
  }, 30_000);
});
