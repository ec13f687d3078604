/**
 * `npm run bench:projects`: the platform as `launchdb up` runs it (embedded PostgreSQL 15,
 * PgBouncer when installed, postgrest-manager with the process driver, the gateway), measured on
 * what the projects issue promises. A benchmark, not a test: it exits 0 once it has run and
 * prints PASS/FAIL against the targets.
 *
 *   1. POST /api/projects → first 200 from /db/<id>/             (target ≤ 2 s)
 *   2. a data API scaled to zero → first 200 through the gateway  (target ≤ 500 ms)
 *   3. gateway p50 − direct p50, same request, same run           (target ≤ 0.5 ms)
 *   4. BENCH_PROJECTS projects (default 1,000) with idle ones scaled to zero, and the memory of
 *      the whole process tree (RSS and PSS) asleep and with BENCH_AWAKE (50) awake; what the
 *      idle platform does in a minute (transactions per database, CPU)
 *   5. PostgreSQL per database: catalog rows and size of a project's database, memory of an
 *      awake project's backends
 *   6. the first request to a project asleep since its creation, long ago (its data API
 *      stopped, no backend, its pages pushed out of shared buffers by the others), then
 *      `launchdb up` stopped and started again on the same data folder: boot time, and the
 *      first request with PostgreSQL restarted (caches empty) and every data API stopped
 *
 *   --no-write   do not rewrite the results section of platform-api/BENCH.md
 *   BENCH_PROJECTS, BENCH_SAMPLES (creations and wakes timed), BENCH_ROUNDS (gateway/direct
 *   turns), BENCH_ROUND_SECONDS, BENCH_AWAKE (projects woken for the memory figure)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { findFreePort, withClient } from '@launchdb/common';
import { BENCH_SMOKE, benchSetting, smoke } from '@launchdb/testkit/bench-smoke';
import { launchdbConfigSchema } from '../../cli/src/config.ts';
import { EmbeddedPlatform } from '../../cli/src/embedded-platform.ts';
import { descendantsMemory, kindOf, memoryOf, type ProcessMemory } from './process-memory.ts';

const TARGETS = { createToFirst200Ms: 2000, wakeMs: 500, gatewayOverheadMs: 0.5 } as const;
const floorProxy = fileURLToPath(new URL('./floor-proxy.ts', import.meta.url));
const sequentialClient = fileURLToPath(new URL('./sequential-client.ts', import.meta.url));
const benchMd = fileURLToPath(new URL('../BENCH.md', import.meta.url));
const args = new Set(process.argv.slice(2));
// BENCH_SMOKE=1: two projects, one short round, no wait for PgBouncer's idle timeout (figures meaningless)
const projectCount = benchSetting('BENCH_PROJECTS', smoke(1000, 2));
const samples = benchSetting('BENCH_SAMPLES', smoke(5, 1));
const rounds = benchSetting('BENCH_ROUNDS', smoke(4, 1));
const roundSeconds = benchSetting('BENCH_ROUND_SECONDS', smoke(4, 0.5));
const awakeCount = benchSetting('BENCH_AWAKE', smoke(50, 1));
const IDLE_SECONDS = smoke(3, 2);
/** PgBouncer's server_idle_timeout (60 s, pgbouncer/src/config-generator.ts) and a little. */
const SERVER_IDLE_WAIT_SECONDS = smoke(70, 0);
/** Then an idle platform is watched this long: transactions per database, CPU. */
const IDLE_WINDOW_SECONDS = smoke(60, 1);
/** After the restart, watched this long: the first sweeps after a start (each a minute apart). */
const AFTER_BOOT_SECONDS = smoke(130, 1);
const ADMIN = { email: 'bench@launchdb.local', password: 'bench-password-0123456789' };

const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);
const agent = new Agent({ connections: 16, pipelining: 1 });

interface CreatedProject {
  id: string;
  anonKey: string;
}

async function main(): Promise<void> {
  const started = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'launchdb-bench-projects-'));
  const config = launchdbConfigSchema.parse({
    LAUNCHDB_DATA_DIR: dataDir,
    LAUNCHDB_PORT: String(await findFreePort()),
    LAUNCHDB_POSTGRES_PORT: String(await findFreePort()),
    LAUNCHDB_PGBOUNCER_PORT: String(await findFreePort()),
    LAUNCHDB_ADMIN_EMAIL: ADMIN.email,
    LAUNCHDB_ADMIN_PASSWORD: ADMIN.password,
    DATA_API_IDLE_SECONDS: String(IDLE_SECONDS),
    GATEWAY_REQUESTS_PER_MINUTE_PER_PROJECT: '10000000',
    GATEWAY_REQUESTS_PER_MINUTE_PER_CLIENT: '10000000',
    LOG_LEVEL: 'warn',
  });
  let platform = new EmbeddedPlatform(config);
  process.on('exit', () => platform.killChildrenNow());
  const superuserUrl = async (database: string): Promise<string> => {
    const password = (await readFile(join(dataDir, 'postgres.password'), 'utf8')).trim();
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${config.LAUNCHDB_POSTGRES_PORT}/${database}`;
  };
  try {
    log('starting the platform (embedded PostgreSQL 15, PgBouncer, postgrest-manager, gateway)');
    const report = await platform.start();
    log(`up at ${report.url}; PgBouncer: ${report.pgbouncer}`);
    const api = new PlatformCalls(report.url);
    await api.login();
    const restart = async (): Promise<{ stopMs: number; bootMs: number }> => {
      let t0 = performance.now();
      await platform.stop();
      const stopMs = performance.now() - t0;
      platform = new EmbeddedPlatform(config);
      t0 = performance.now();
      await platform.start();
      const bootMs = performance.now() - t0;
      await api.login();
      return { stopMs, bootMs };
    };
    const postmasterPid = (): number => Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const figures = await measure(api, report.url, superuserUrl, restart, postmasterPid);
    const text = render(figures, report.pgbouncer);
    process.stdout.write(text);
    if (!args.has('--no-write') && !BENCH_SMOKE) await writeResults(text);
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
    log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

interface Figures {
  create: Array<{ postMs: number; first200Ms: number }>;
  wake: number[];
  overhead: Array<{ directP50: number; gatewayP50: number; floorP50: number }>;
  fleet: {
    projects: number;
    createSeconds: number;
    /** Seconds since the fleet's creation began, each time another hundred projects were in. */
    progress: Array<{ projects: number; seconds: number }>;
    states: Array<{ label: string; memory: MemorySummary }>;
    awakeCount: number;
    /** Data APIs running when the awake memory was read. */
    awakeRunning: number;
  };
  /** The system's load average (1 min) at the start and the end of the run: this VM is shared. */
  load: { start: number; end: number };
  idle: IdleMinute;
  perDatabase: PerDatabase;
  cold: { oldProjectMs: number; stopMs: number; bootMs: number; afterRestartMs: number; secondAfterRestartMs: number; peakBackends: number };
}

interface IdleMinute {
  seconds: number;
  transactions: number;
  databasesTouched: number;
  launchdbCpuSeconds: number;
  /** CPU of PostgreSQL's processes, those that ended meanwhile (autovacuum workers, backends) included. */
  postgresCpuSeconds: number;
  /** PostgreSQL's processes at the end, by backend type and application: what holds them. */
  backends: string;
  /** Transactions per project database over the window: median, 90th percentile, most. */
  perDatabase: string;
  /** Processes seen in project databases during the window (sampled), by kind, and in how many databases. */
  seenInProjects: string;
}

interface PerDatabase {
  relations: number;
  functions: number;
  attributes: number;
  projectDbMb: number;
  template1Mb: number;
  allDatabasesMb: number;
  databases: number;
  backendsPerAwake: number;
  postgresPssPerAwakeMb: number;
  cacheMemoryMb: number;
}

type SuperuserUrl = (database: string) => Promise<string>;

async function measure(
  api: PlatformCalls,
  baseUrl: string,
  superuserUrl: SuperuserUrl,
  restart: () => Promise<{ stopMs: number; bootMs: number }>,
  postmasterPid: () => number,
): Promise<Figures> {
  const loadAtStart = loadavg()[0]!;
  const created: CreatedProject[] = [];

  log(`1. ${samples} projects: POST /api/projects → first 200 from /db/<id>/`);
  const create: Figures['create'] = [];
  for (let i = 0; i < samples; i += 1) {
    const t0 = performance.now();
    const project = await api.createProject(`bench ${i}`);
    const postMs = performance.now() - t0;
    await untilOk(`${baseUrl}/db/${project.id}/`, project.anonKey, 10_000);
    create.push({ postMs, first200Ms: performance.now() - t0 });
    created.push(project);
    log(`   ${project.id}: POST ${postMs.toFixed(0)} ms, first 200 at ${(performance.now() - t0).toFixed(0)} ms`);
  }

  log(`2. wake from zero (DATA_API_IDLE_SECONDS=${IDLE_SECONDS})`);
  const wake: number[] = [];
  for (const project of created) {
    await api.untilState(project.id, 'sleeping', (IDLE_SECONDS + 30) * 1000);
    const t0 = performance.now();
    await untilOk(`${baseUrl}/db/${project.id}/`, project.anonKey, 10_000);
    wake.push(performance.now() - t0);
    log(`   ${project.id}: ${wake.at(-1)!.toFixed(0)} ms`);
  }

  log(`3. gateway overhead: ${rounds} rounds of ${roundSeconds} s, direct and through the gateway alternating request by request`);
  const subject = created[0]!;
  await api.migrate(subject.id, 'bench_items', `
    create table public.bench_items (id int primary key, name text not null, price numeric not null);
    insert into public.bench_items select i, 'item ' || i, i * 1.5 from generate_series(1, 1000) i;
    alter table public.bench_items enable row level security;
    create policy everyone_reads on public.bench_items for select using (true);`);
  const path = '/bench_items?select=id,name,price&id=eq.42';
  await untilOk(`${baseUrl}/db/${subject.id}${path}`, subject.anonKey, 10_000);
  const overhead: Figures['overhead'] = [];
  for (let round = 0; round < rounds; round += 1) {
    // a request through the gateway first: direct calls are not activity, and between rounds the API may have slept
    await untilOk(`${baseUrl}/db/${subject.id}${path}`, subject.anonKey, 10_000);
    // and more while the floor proxy and the client (processes of their own, slow to start on a busy
    // machine) get going, so the API does not fall asleep, and move, under the direct address
    const keepAwake = setInterval(() => void get(`${baseUrl}/db/${subject.id}${path}`, subject.anonKey).catch(() => undefined), 500);
    try {
      const direct = (await api.dataApiStatus(subject.id)).url;
      if (!direct) throw new Error('the data API has no address');
      const floor = await startFloorProxy(direct);
      try {
        const [directP50, gatewayP50, floorP50] = await sequentialP50s(subject.anonKey, roundSeconds, [`${direct}${path}`, `${baseUrl}/db/${subject.id}${path}`, `${floor.url}${path}`]);
        overhead.push({ directP50: directP50!, gatewayP50: gatewayP50!, floorP50: floorP50! });
        log(`   round ${round + 1}: direct p50 ${directP50!.toFixed(3)} ms, gateway ${gatewayP50!.toFixed(3)} ms, bare proxy ${floorP50!.toFixed(3)} ms`);
      } finally {
        floor.stop();
      }
    } finally {
      clearInterval(keepAwake);
    }
  }

  log(`4. ${projectCount} projects in all, idle ones scaled to zero`);
  const fleetStarted = performance.now();
  let next = created.length;
  const progress: Figures['fleet']['progress'] = [];
  const worker = async (): Promise<void> => {
    while (next < projectCount) {
      const index = next;
      next += 1;
      created.push(await api.createProject(`bench ${index}`));
      if (created.length % 10 === 0) log(`   ${created.length} projects (${((performance.now() - fleetStarted) / 1000).toFixed(0)} s, load ${loadavg()[0]!.toFixed(1)})`);
      if (created.length % 100 === 0) progress.push({ projects: created.length, seconds: (performance.now() - fleetStarted) / 1000 });
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  const createSeconds = (performance.now() - fleetStarted) / 1000;
  log(`   waiting for every data API to be scaled to zero`);
  await api.untilAllSleeping((IDLE_SECONDS + 60) * 1000);
  await sleep(1000);
  const asleep = summarise(treeMemory());
  log(`   asleep: ${asleep.totalPssMb.toFixed(0)} MB PSS; waiting ${SERVER_IDLE_WAIT_SECONDS} s for PgBouncer to close idle backends`);
  // the aftermath of creation settles meanwhile: each new project's first removals sweep, the
  // statistics of the last data APIs' sessions (PostgreSQL counts an idle session's work up to 10 s late)
  await sleep(SERVER_IDLE_WAIT_SECONDS * 1000);
  const asleepLater = summarise(treeMemory());
  log(`   asleep, ${SERVER_IDLE_WAIT_SECONDS} s later: ${asleepLater.totalPssMb.toFixed(0)} MB PSS; now ${IDLE_WINDOW_SECONDS} s of an idle platform`);
  // what an idle platform then does to its databases (sweeps, health checks, autovacuum): transactions per database
  const platformUrl = await superuserUrl('postgres');
  const idleBefore = await databaseTransactions(platformUrl);
  const cpuBefore = process.cpuUsage();
  const postgresCpuBefore = postgresCpuSeconds(postmasterPid());
  const idleStarted = performance.now();
  // who is seen in project databases meanwhile, sampled every 2 s: backend type and application
  const seen = new Map<string, Set<string>>();
  const watching = watchProjectBackends(platformUrl, seen);
  await sleep(IDLE_WINDOW_SECONDS * 1000);
  await watching.stop();
  const idleAfter = await databaseTransactions(platformUrl);
  const cpu = process.cpuUsage(cpuBefore);
  const postgresCpu = postgresCpuSeconds(postmasterPid()) - postgresCpuBefore;
  const backends = await backendsByKind(platformUrl);
  const idle: IdleMinute = {
    seconds: (performance.now() - idleStarted) / 1000,
    // the bench's own two reads of pg_stat_database count once each in postgres
    transactions: [...idleAfter].reduce((sum, [name, count]) => sum + (name === 'postgres' ? 0 : count - (idleBefore.get(name) ?? 0)), 0),
    databasesTouched: [...idleAfter].filter(([name, count]) => name !== 'postgres' && count > (idleBefore.get(name) ?? 0)).length,
    launchdbCpuSeconds: (cpu.user + cpu.system) / 1e6,
    postgresCpuSeconds: postgresCpu,
    backends,
    perDatabase: spread([...idleAfter].filter(([name]) => name.startsWith('proj_')).map(([name, count]) => count - (idleBefore.get(name) ?? 0))),
    seenInProjects: [...seen].map(([kind, databases]) => `${kind} in ${databases.size}`).join(', ') || 'nothing',
  };
  log(`   idle: transactions per project database ${idle.perDatabase}; seen in project databases (sampled every 2 s): ${idle.seenInProjects}`);
  log(`   idle ${idle.seconds.toFixed(0)} s: ${idle.transactions} transactions on ${idle.databasesTouched} databases, CPU: launchdb process ${idle.launchdbCpuSeconds.toFixed(1)} s, PostgreSQL ${idle.postgresCpuSeconds.toFixed(1)} s; PostgreSQL processes then: ${backends}`);
  const woken = created.slice(0, awakeCount);
  // a request a second to each (DATA_API_IDLE_SECONDS is short here) keeps them awake while the
  // others wake and the memory is read: a connection each, and never a second request to a
  // project while its last is unanswered (queued ones kept waking them long after, and held up
  // every later request of the bench behind them: 326 s for step 6's first in a 1,000 run)
  const wakers = new Agent({ connections: woken.length + 1, pipelining: 1 });
  const unanswered = new Set<string>();
  const keepAwake = setInterval(() => {
    for (const project of woken) {
      if (unanswered.has(project.id)) continue;
      unanswered.add(project.id);
      void get(`${baseUrl}/db/${project.id}/`, project.anonKey, wakers)
        .catch(() => undefined)
        .finally(() => unanswered.delete(project.id));
    }
  }, 1000);
  let awake: MemorySummary;
  let awakeRunning: number;
  try {
    await Promise.all(woken.map((project) => untilOk(`${baseUrl}/db/${project.id}/`, project.anonKey, 60_000, wakers)));
    await sleep(1000);
    awakeRunning = await api.runningCount();
    awake = summarise(treeMemory());
  } finally {
    clearInterval(keepAwake);
    await wakers.destroy();
  }
  log(`   ${woken.length} woken, ${awakeRunning} running when read: ${awake.totalPssMb.toFixed(0)} MB PSS`);
  const states = [
    { label: 'all asleep', memory: asleep },
    { label: `all asleep, ${SERVER_IDLE_WAIT_SECONDS} s later`, memory: asleepLater },
    { label: `${woken.length} awake`, memory: awake },
  ];

  log('5. PostgreSQL per database');
  const perDatabase = await perDatabaseFigures(superuserUrl, subject.id, asleepLater, awake);
  log(`   ${perDatabase.relations} relations, ${perDatabase.functions} functions, ${perDatabase.projectDbMb.toFixed(1)} MB per project database`);

  log('6. cold first requests');
  // created early, never requested since: its data API stopped, PgBouncer closed its backends, a thousand databases since
  const old = created[Math.min(woken.length, created.length - 1)]!;
  let t0 = performance.now();
  await untilOk(`${baseUrl}/db/${old.id}/`, old.anonKey, 60_000);
  const oldProjectMs = performance.now() - t0;
  log(`   a project untouched since its creation: first 200 in ${oldProjectMs.toFixed(0)} ms`);
  const { stopMs, bootMs } = await restart();
  log(`   launchdb stopped in ${stopMs.toFixed(0)} ms, up again with ${created.length} projects: ready in ${bootMs.toFixed(0)} ms`);
  const [first, second] = [created[created.length - 1]!, created[Math.floor(created.length / 2)]!];
  t0 = performance.now();
  await untilOk(`${baseUrl}/db/${first.id}/`, first.anonKey, 60_000);
  const afterRestartMs = performance.now() - t0;
  t0 = performance.now();
  await untilOk(`${baseUrl}/db/${second.id}/`, second.anonKey, 60_000);
  const secondAfterRestartMs = performance.now() - t0;
  log(`   first request after the restart: ${afterRestartMs.toFixed(0)} ms, another project's: ${secondAfterRestartMs.toFixed(0)} ms`);
  // the first sweeps after a start know no project's count (removals, worker): what they hold
  const peakBackends = await peakClientBackends(await superuserUrl('postgres'), AFTER_BOOT_SECONDS);
  log(`   the ${AFTER_BOOT_SECONDS} s after the restart: at most ${peakBackends} PostgreSQL client backends`);
  return {
    create,
    wake,
    overhead,
    fleet: { projects: created.length, createSeconds, progress, states, awakeCount: woken.length, awakeRunning },
    load: { start: loadAtStart, end: loadavg()[0]! },
    idle,
    perDatabase,
    cold: { oldProjectMs, stopMs, bootMs, afterRestartMs, secondAfterRestartMs, peakBackends },
  };
}

/** The most client backends PostgreSQL had, sampled every 2 s for `seconds`. */
async function peakClientBackends(url: string, seconds: number): Promise<number> {
  return withClient(url, async (client) => {
    let peak = 0;
    const deadline = performance.now() + seconds * 1000;
    while (performance.now() < deadline) {
      const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where backend_type = 'client backend'`);
      peak = Math.max(peak, rows[0]!.n);
      await sleep(2_000);
    }
    return peak;
  });
}

/**
 * CPU seconds PostgreSQL has used: its running processes' own, and through the postmaster's
 * cutime/cstime those it has reaped (autovacuum workers, backends closed), so a difference of two
 * reads counts short-lived processes too.
 */
function postgresCpuSeconds(postmaster: number): number {
  const ticks = (pid: number, withChildren: boolean): number => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields from the state (3rd of stat): utime 14, stime 15, cutime 16, cstime 17
      const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((index) => Number(fields[index]));
      return utime! + stime! + (withChildren ? cutime! + cstime! : 0);
    } catch {
      return 0;
    }
  };
  const children = descendantsMemory(postmaster).map((entry) => entry.pid);
  // USER_HZ, 100 on Linux
  return (ticks(postmaster, true) + children.reduce((sum, pid) => sum + ticks(pid, false), 0)) / 100;
}

function spread(values: number[]): string {
  if (values.length === 0) return 'none';
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${median(sorted)}, p90 ${sorted[Math.floor(sorted.length * 0.9)]}, most ${sorted.at(-1)}`;
}

/** Samples pg_stat_activity every 2 s until stopped: each backend type and application, and the project databases it was seen in. */
function watchProjectBackends(url: string, seen: Map<string, Set<string>>): { stop: () => Promise<void> } {
  let stopped = false;
  const done = withClient(url, async (client) => {
    while (!stopped) {
      const { rows } = await client.query<{ kind: string; datname: string }>(
        `select backend_type || coalesce(nullif(' ' || application_name, ' '), '') as kind, datname from pg_stat_activity where datname like 'proj\\_%'`,
      );
      for (const row of rows) {
        const databases = seen.get(row.kind) ?? new Set<string>();
        databases.add(row.datname);
        seen.set(row.kind, databases);
      }
      await sleep(2_000);
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

async function backendsByKind(url: string): Promise<string> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ kind: string; n: string }>(
      `select backend_type || coalesce(nullif(' ' || application_name, ' '), '') as kind, count(*) as n
         from pg_stat_activity where pid <> pg_backend_pid() group by 1 order by 2 desc, 1`,
    );
    return rows.map((row) => `${row.kind} ${row.n}`).join(', ');
  });
}

async function databaseTransactions(url: string): Promise<Map<string, number>> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ datname: string; xacts: string }>(
      `select datname, xact_commit + xact_rollback as xacts from pg_stat_database where datname is not null`,
    );
    return new Map(rows.map((row) => [row.datname, Number(row.xacts)]));
  });
}

async function perDatabaseFigures(superuserUrl: SuperuserUrl, projectId: string, asleep: MemorySummary, awake: MemorySummary): Promise<PerDatabase> {
  const { rows: [database] } = await withClient(await superuserUrl('postgres'), (client) =>
    client.query<{ datname: string }>(`select datname from pg_database where datname like 'proj%' and datname like '%' || $1 || '%' limit 1`, [projectId]),
  );
  if (!database) throw new Error(`no database for project ${projectId}`);
  const catalog = await withClient(await superuserUrl(database.datname), async (client) => {
    const { rows: [counts] } = await client.query<Record<string, string>>(`
      select (select count(*) from pg_class) as relations, (select count(*) from pg_proc) as functions,
             (select count(*) from pg_attribute) as attributes,
             pg_database_size(current_database()) as project_bytes, pg_database_size('template1') as template1_bytes,
             (select sum(pg_database_size(datname)) from pg_database) as all_bytes,
             (select count(*) from pg_database) as databases`);
    // what a backend holds for this database once the data API's schema cache query has run in it
    await client.query(`select c.relname, a.attname, t.typname from pg_class c join pg_attribute a on a.attrelid = c.oid join pg_type t on t.oid = a.atttypid join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'`);
    const { rows: [memory] } = await client.query<{ bytes: string }>(`select sum(total_bytes) as bytes from pg_backend_memory_contexts where name in ('CacheMemoryContext') or parent = 'CacheMemoryContext'`);
    return { counts: counts!, cacheBytes: Number(memory?.bytes ?? 0) };
  });
  const postgres = (summary: MemorySummary): { processes: number; pssMb: number } => summary.byKind.find((row) => row.kind === 'PostgreSQL') ?? { processes: 0, pssMb: 0 };
  const mb = (bytes: string | undefined): number => Number(bytes ?? 0) / 1024 ** 2;
  return {
    relations: Number(catalog.counts.relations),
    functions: Number(catalog.counts.functions),
    attributes: Number(catalog.counts.attributes),
    projectDbMb: mb(catalog.counts.project_bytes),
    template1Mb: mb(catalog.counts.template1_bytes),
    allDatabasesMb: mb(catalog.counts.all_bytes),
    databases: Number(catalog.counts.databases),
    backendsPerAwake: (postgres(awake).processes - postgres(asleep).processes) / Math.max(1, dataApisUp(awake)),
    postgresPssPerAwakeMb: (postgres(awake).pssMb - postgres(asleep).pssMb) / Math.max(1, dataApisUp(awake)),
    cacheMemoryMb: catalog.cacheBytes / 1024 ** 2,
  };
}

interface MemorySummary {
  byKind: Array<{ kind: string; processes: number; rssMb: number; pssMb: number }>;
  totalRssMb: number;
  totalPssMb: number;
}

function treeMemory(): ProcessMemory[] {
  const self = memoryOf(process.pid);
  return [...(self ? [{ ...self, command: 'launchdb' }] : []), ...descendantsMemory(process.pid)];
}

/** Data API processes in a memory reading. */
function dataApisUp(summary: MemorySummary): number {
  return summary.byKind.find((row) => row.kind === 'data APIs')?.processes ?? 0;
}

function summarise(processes: ProcessMemory[]): MemorySummary {
  const byKind = new Map<string, { kind: string; processes: number; rssMb: number; pssMb: number }>();
  for (const entry of processes) {
    const kind = entry.command === 'launchdb' ? 'launchdb process (platform-api, postgrest-manager, gateway; here also the bench)' : kindOf(entry.command);
    const row = byKind.get(kind) ?? { kind, processes: 0, rssMb: 0, pssMb: 0 };
    row.processes += 1;
    row.rssMb += entry.rssMb;
    row.pssMb += entry.pssMb;
    byKind.set(kind, row);
  }
  const rows = [...byKind.values()];
  return { byKind: rows, totalRssMb: rows.reduce((sum, row) => sum + row.rssMb, 0), totalPssMb: rows.reduce((sum, row) => sum + row.pssMb, 0) };
}

async function get(url: string, apikey: string, dispatcher: Agent = agent): Promise<number> {
  const response = await request(url, { dispatcher, headers: { apikey }, headersTimeout: 5_000, bodyTimeout: 5_000 });
  await response.body.dump();
  return response.statusCode;
}

async function untilOk(url: string, apikey: string, withinMs: number, dispatcher: Agent = agent): Promise<void> {
  const deadline = performance.now() + withinMs;
  let last = 0;
  while (performance.now() < deadline) {
    last = await get(url, apikey, dispatcher).catch(() => 0);
    if (last === 200) return;
    await sleep(5);
  }
  throw new Error(`${url} did not answer 200 within ${withinMs} ms (last status ${last})`);
}

/** A bare proxy in front of the data API (bench/floor-proxy.ts), in a process of its own, as the gateway's floor. */
async function startFloorProxy(upstream: string): Promise<{ url: string; stop: () => void }> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ['--import', 'tsx', floorProxy, upstream, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the floor proxy exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

/**
 * The sequential client runs in a process of its own (in this one run the platform and its
 * gateway), alternating between the URLs request by request; answers each URL's p50.
 */
async function sequentialP50s(apikey: string, seconds: number, urls: string[]): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', sequentialClient, String(seconds), apikey, ...urls], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the sequential client failed on ${urls.join(', ')}`);
  return (JSON.parse(output) as Array<{ p50: number }>).map((result) => result.p50);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The platform API as an operator calls it. */
class PlatformCalls {
  readonly #url: string;
  #token = '';

  constructor(url: string) {
    this.#url = url;
  }

  async login(): Promise<void> {
    const body = await this.#call<{ access_token: string }>('POST', '/api/auth/login', ADMIN);
    this.#token = body.access_token;
  }

  async createProject(name: string): Promise<CreatedProject> {
    const project = await this.#call<{ id: string; status: string; keys: { anon: string } }>('POST', '/api/projects', { name });
    if (project.status !== 'active') throw new Error(`project ${project.id} is ${project.status}`);
    return { id: project.id, anonKey: project.keys.anon };
  }

  async migrate(id: string, name: string, sql: string): Promise<void> {
    await this.#call('POST', `/api/projects/${id}/migrations`, { name, sql });
  }

  dataApiStatus(id: string): Promise<{ state: string; url: string | null }> {
    return this.#call('GET', `/api/projects/${id}/data-api`);
  }

  async untilState(id: string, state: string, withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (Date.now() < deadline) {
      if ((await this.dataApiStatus(id)).state === state) return;
      await sleep(100);
    }
    throw new Error(`the data API of ${id} did not become ${state} within ${withinMs} ms`);
  }

  async runningCount(): Promise<number> {
    const { dataApis } = await this.#call<{ dataApis: Array<{ state: string }> }>('GET', '/api/data-apis');
    return dataApis.filter((api) => api.state === 'running').length;
  }

  async untilAllSleeping(withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (Date.now() < deadline) {
      const { dataApis } = await this.#call<{ dataApis: Array<{ state: string }> }>('GET', '/api/data-apis');
      if (dataApis.every((api) => api.state === 'sleeping')) return;
      await sleep(250);
    }
    throw new Error(`not every data API was scaled to zero within ${withinMs} ms`);
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await request(`${this.#url}${path}`, {
      method: method as 'GET',
      dispatcher: agent,
      headers: { ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

function render(figures: Figures, pgbouncer: string): string {
  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
  const firsts = figures.create.map((sample) => sample.first200Ms);
  const worstFirst = Math.max(...firsts);
  const worstWake = Math.max(...figures.wake);
  const overheads = figures.overhead.map((round) => round.gatewayP50 - round.directP50);
  const overhead = median(overheads);
  const floorOverheads = figures.overhead.map((round) => round.floorP50 - round.directP50);
  const cpu = cpus()[0]?.model ?? 'unknown';
  const lines = [
    `Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 1024 **3).toFixed(0)} GB, Node ${process.version}; PgBouncer: ${pgbouncer}; load average (1 min) ${figures.load.start.toFixed(1)} at the start, ${figures.load.end.toFixed(1)} at the end.`,
    '',
    '| measure | target | result | |',
    '|---|---|---|---|',
    `| POST /api/projects → first 200 from /db/<id>/ (worst of ${firsts.length}; median ${median(firsts).toFixed(0)} ms) | ≤ ${TARGETS.createToFirst200Ms} ms | ${worstFirst.toFixed(0)} ms | ${verdict(worstFirst <= TARGETS.createToFirst200Ms)} |`,
    `| wake from zero → first 200 (worst of ${figures.wake.length}; median ${median(figures.wake).toFixed(0)} ms) | ≤ ${TARGETS.wakeMs} ms | ${worstWake.toFixed(0)} ms | ${verdict(worstWake <= TARGETS.wakeMs)} |`,
    `| gateway p50 − direct p50 (median of ${overheads.length} rounds: ${overheads.map((value) => value.toFixed(3)).join(', ')} ms) | ≤ ${TARGETS.gatewayOverheadMs} ms | ${overhead.toFixed(3)} ms | ${verdict(overhead <= TARGETS.gatewayOverheadMs)} |`,
    `| bare proxy p50 − direct p50, the floor of any gateway here (median of ${floorOverheads.length} rounds: ${floorOverheads.map((value) => value.toFixed(3)).join(', ')} ms) | | ${median(floorOverheads).toFixed(3)} ms | |`,
    '',
    `Rounds (p50, ms; each round alternates the three request by request): ${figures.overhead.map((round) => `direct ${round.directP50.toFixed(3)} / gateway ${round.gatewayP50.toFixed(3)} / bare proxy ${round.floorP50.toFixed(3)}`).join('; ')}.`,
    `POST /api/projects alone: median ${median(figures.create.map((sample) => sample.postMs)).toFixed(0)} ms.`,
    '',
    `${figures.fleet.projects} projects created (the last ${figures.fleet.projects - firsts.length} three at a time in ${figures.fleet.createSeconds.toFixed(0)} s, ${((60 * (figures.fleet.projects - firsts.length)) / figures.fleet.createSeconds).toFixed(0)} a minute${figures.fleet.progress.length ? `; seconds at each hundred: ${figures.fleet.progress.map((step) => `${step.projects}: ${step.seconds.toFixed(0)}`).join(', ')}` : ''}), memory of the whole process tree:`,
    '',
    `| processes | ${figures.fleet.states.map((state) => `${state.label}: count | RSS MB | PSS MB`).join(' | ')} |`,
    `|---|${figures.fleet.states.map(() => '---|---|---|').join('')}`,
    ...kindsOf(figures.fleet.states.map((state) => state.memory)).map(
      (kind) =>
        `| ${kind} | ${figures.fleet.states
          .map((state) => state.memory.byKind.find((row) => row.kind === kind))
          .map((row) => `${row?.processes ?? 0} | ${(row?.rssMb ?? 0).toFixed(0)} | ${(row?.pssMb ?? 0).toFixed(0)}`)
          .join(' | ')} |`,
    ),
    `| **total** | ${figures.fleet.states.map((state) => ` | ${state.memory.totalRssMb.toFixed(0)} | **${state.memory.totalPssMb.toFixed(0)}**`).join(' | ')} |`,
    '',
    `Each awake data API adds about ${((figures.fleet.states[2]!.memory.totalPssMb - figures.fleet.states[1]!.memory.totalPssMb) / Math.max(1, dataApisUp(figures.fleet.states[2]!.memory))).toFixed(0)} MB PSS (its process, its PgBouncer pool's backends): ${dataApisUp(figures.fleet.states[2]!.memory)} data API processes when it was read, ${figures.fleet.awakeRunning} of them reported running.`,
    '',
    `Idle, all asleep, for ${figures.idle.seconds.toFixed(0)} s after those ${SERVER_IDLE_WAIT_SECONDS} s: ${figures.idle.transactions} transactions on ${figures.idle.databasesTouched} of ${figures.perDatabase.databases} databases (the platform database included); CPU: ${figures.idle.launchdbCpuSeconds.toFixed(1)} s of the launchdb process, ${figures.idle.postgresCpuSeconds.toFixed(1)} s of PostgreSQL's processes. Transactions per project database: ${figures.idle.perDatabase}. Seen in project databases meanwhile (sampled every 2 s): ${figures.idle.seenInProjects}. PostgreSQL's processes at the end: ${figures.idle.backends}.`,
    '',
    'PostgreSQL per project database:',
    '',
    '| measure | result |',
    '|---|---|',
    `| catalog: relations (pg_class) / functions (pg_proc) / columns (pg_attribute) | ${figures.perDatabase.relations} / ${figures.perDatabase.functions} / ${figures.perDatabase.attributes} |`,
    `| size on disk: a project database / template1 | ${figures.perDatabase.projectDbMb.toFixed(1)} MB / ${figures.perDatabase.template1Mb.toFixed(1)} MB |`,
    `| all ${figures.perDatabase.databases} databases | ${(figures.perDatabase.allDatabasesMb / 1024).toFixed(2)} GB |`,
    `| an awake project's backends: count / PostgreSQL PSS | ${figures.perDatabase.backendsPerAwake.toFixed(1)} / ${figures.perDatabase.postgresPssPerAwakeMb.toFixed(1)} MB |`,
    `| a backend's catalog cache after a schema read (CacheMemoryContext) | ${figures.perDatabase.cacheMemoryMb.toFixed(1)} MB |`,
    '',
    'Cold starts:',
    '',
    '| measure | result |',
    '|---|---|',
    `| first 200 from a project untouched since its creation (data API stopped, no backend, ${figures.fleet.projects} databases created since) | ${figures.cold.oldProjectMs.toFixed(0)} ms |`,
    `| \`launchdb up\` stopped (its PostgreSQL's shutdown checkpoint) | ${figures.cold.stopMs.toFixed(0)} ms |`,
    `| \`launchdb up\` again with ${figures.fleet.projects} projects, start() → ready | ${figures.cold.bootMs.toFixed(0)} ms |`,
    `| then the first 200 from a project (PostgreSQL restarted: shared buffers and caches empty; data API stopped) | ${figures.cold.afterRestartMs.toFixed(0)} ms |`,
    `| and from another project | ${figures.cold.secondAfterRestartMs.toFixed(0)} ms |`,
    `| PostgreSQL client backends at most in the ${AFTER_BOOT_SECONDS} s after the restart (the first sweeps after a start; max_connections 500) | ${figures.cold.peakBackends} |`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function kindsOf(summaries: MemorySummary[]): string[] {
  return [...new Set(summaries.flatMap((summary) => summary.byKind.map((row) => row.kind)))];
}

const RESULTS_START = '<!-- results:start -->';
const RESULTS_END = '<!-- results:end -->';

async function writeResults(text: string): Promise<void> {
  let current: string;
  try {
    current = await readFile(benchMd, 'utf8');
  } catch {
    log(`${benchMd} is missing: results printed only`);
    return;
  }
  const start = current.indexOf(RESULTS_START);
  const end = current.indexOf(RESULTS_END);
  if (start === -1 || end === -1) {
    log(`${benchMd} has no results markers: results printed only`);
    return;
  }
  const stamp = `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.\n\n`;
  await writeFile(benchMd, `${current.slice(0, start + RESULTS_START.length)}\n${stamp}${text}${current.slice(end)}`);
  log(`results written to ${benchMd}`);
}

await main();
