/**
 * npm run bench:worker — the worker's figures on this machine (worker/BENCH.md):
 *   1. text captures, 100 in flight on an active project (LISTEN, claims through PgBouncer):
 *      latency from insert to result, p50 / p99;
 *   2. rating-plate photos OCR'd per minute by the worker, against bare tesseract.js reading the
 *      same images with as many threads, in the same run (target ≥ 90 %);
 *   3. 1,000 Haven projects, 50 of them active: PostgreSQL connections the worker holds at most
 *      (sampled from pg_stat_activity throughout) and how long a sweep of them all takes.
 * BENCH_SMOKE=1: a few seconds' worth of each (figures meaningless).
 * BENCH_PARTS=text (or photos, fleet; comma-separated): only those parts — the fleet's 1,000
 * cloned projects take minutes of both cores. BENCH_TEXT_ROUNDS=n: the 100 notes n times over.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import { createScheduler, createWorker, OEM } from 'tesseract.js';
import { applyMigrations, createLogger, createPool, generateMasterKey, parseMasterKey, ProjectSecret, projectNames, projectSecretContext, quoteIdent, readMigrations, readProjectSecret, SecretBox, withClient, withDatabase } from '@launchdb/common';
import { PLATFORM_MIGRATIONS_FOLDER, ProjectProvisioner } from '@launchdb/platform-api';
import { createStorageBackend } from '@launchdb/storage-service/backends';
import { smoke } from '@launchdb/testkit/bench-smoke';
import { startTestPgBouncer } from '@launchdb/testkit/pgbouncer';
import { startThrowawayPostgres } from '@launchdb/testkit/throwaway-postgres';
import { CaptureWorker } from '../src/capture-worker.ts';
import { englishLangPath } from '../src/captures/ocr-pool.ts';
import { defaultWorkerSettings, type WorkerSettings } from '../src/settings.ts';
import { cleanPlate, FURNACE_PLATE, photographedPlate, WATER_HEATER_PLATE } from '../src/testing/rating-plates.ts';

const IN_FLIGHT = smoke(100, 20);
const PHOTOS = smoke(8, 2);
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? smoke(1000, 3));
const ACTIVE = Math.min(PROJECTS, smoke(50, 4));
const THREADS = Math.max(1, availableParallelism() - 1);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'text,photos,fleet').split(',').map((part) => part.trim()));
const TEXT_ROUNDS = Math.max(1, Number(process.env.BENCH_TEXT_ROUNDS ?? 1));
const SINGLE = smoke(20, 3);

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

const postgres = await startThrowawayPostgres('bench-worker');
const server = new URL(postgres.url);
const direct = { host: server.hostname, port: Number(server.port) };
const storageRoot = await mkdtemp(join(tmpdir(), 'bench-worker-storage-'));
const backend = createStorageBackend({ STORAGE_BACKEND: 'fs', STORAGE_FS_ROOT: storageRoot } as never);
const logger = createLogger({ level: process.env.BENCH_LOG ?? 'silent', name: 'worker' });
const workers: CaptureWorker[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

try {
  await withClient(postgres.url, (admin) => admin.query('alter system set max_connections = 300').then(() => undefined));
  const platformUrl = withDatabase(postgres.url, 'platform');
  await withClient(postgres.url, (admin) => admin.query('create database platform'));
  await withClient(platformUrl, async (admin) => applyMigrations(admin, await readMigrations(PLATFORM_MIGRATIONS_FOLDER), { schema: 'platform', table: 'schema_migrations' }));
  const secrets = new SecretBox(parseMasterKey(generateMasterKey()));
  const platformDb = createPool({ connectionString: platformUrl, applicationName: 'bench', max: 4 });
  cleanups.push(() => platformDb.end());
  const provisioner = new ProjectProvisioner({
    db: platformDb,
    adminUrl: platformUrl,
    secrets,
    pooler: { address: direct, addProject: async () => undefined, removeProject: async () => undefined },
    dataApis: { spawn: async () => undefined, stop: async () => undefined, reload: async () => undefined },
    logger,
  });
  const seed = 'bseed';
  await provisioner.create({ id: seed, name: 'haven', template: 'haven' });
  const seedDb = withDatabase(postgres.url, projectNames(seed).database);
  const admin = new pg.Pool({ connectionString: seedDb, max: 24 });
  // an idle client closed under it as PostgreSQL stops is no failure of the run
  admin.on('error', () => undefined);
  cleanups.push(() => admin.end());
  const owner = (await admin.query<{ id: string }>(`insert into auth.users (id, email, email_confirmed_at) values (gen_random_uuid(), 'bench@haven.example.com', now()) returning id`)).rows[0]!.id;
  const house = (await admin.query<{ id: string }>(`insert into properties (owner_id, name) values ($1, 'House') returning id`, [owner])).rows[0]!.id;
  await admin.query(`select set_config('role', 'service_role', false)`);
  for (const key of ['furnace', 'water_heater_tank', 'dishwasher', 'gutters']) await admin.query(`select add_asset_from_template($1, $2)`, [house, key]);
  await admin.query(`reset role`);
  const password = (await readProjectSecret(platformDb, secrets, seed, ProjectSecret.authenticatorPassword))!;
  const bouncer = await startTestPgBouncer({ adminUrl: seedDb, database: projectNames(seed).database, alias: projectNames(seed).database, login: { user: projectNames(seed).authenticator, password }, poolSize: 8 });
  cleanups.push(() => bouncer.close());
  const pooler = { host: new URL(bouncer.url).hostname, port: Number(new URL(bouncer.url).port) };
  const start = async (settings: Partial<WorkerSettings>, through = pooler) => {
    const worker = new CaptureWorker({ platformDb, secrets, postgres: direct, pooler: through, backend, settings: { ...defaultWorkerSettings(), ...settings }, logger });
    workers.push(worker);
    await worker.start();
    return worker;
  };

  // ───── 1. text latency, 100 in flight ─────
  const report: Record<string, unknown> = { machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}` };
  const bodies = ['replaced furnace filter', 'flushed the water heater', 'cleaned the dishwasher filter', 'cleared the gutters'];
  const waitProcessed = async () => {
    const deadline = Date.now() + 60_000;
    while ((await admin.query<{ n: number }>(`select count(*)::int as n from captures where status <> 'processed'`)).rows[0]!.n > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const textLatencies = async () => {
    const latencies = (await admin.query<{ ms: number }>(`select extract(epoch from processed_at - created_at)::float8 * 1000 as ms from captures where kind = 'text'`)).rows.map((row) => row.ms);
    const suggested = (await admin.query<{ n: number }>(`select count(*)::int as n from captures where result -> 'suggestion' ->> 'kind' = 'complete_task'`)).rows[0]!.n;
    await admin.query(`delete from captures where kind = 'text'`);
    return { latencies, suggested };
  };
  if (PARTS.has('text')) {
    const textWorker = await start({ WORKER_OCR_THREADS: THREADS });
    textWorker.projectActive(seed);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // one note at a time: what a capture costs when nothing queues
    for (let i = 0; i < SINGLE; i += 1) {
      await admin.query(`insert into captures (owner_id, kind, body, property_id) values ($1, 'text', $2, $3)`, [owner, bodies[i % bodies.length], house]);
      await waitProcessed();
    }
    const single = await textLatencies();
    const rounds: Array<{ p50_ms: number; p99_ms: number; suggested_task: string; load_1m: number; inserts_ms: number; last_done_after_inserts_ms: number }> = [];
    for (let round = 0; round < TEXT_ROUNDS; round += 1) {
      const load = loadavg()[0]!;
      const started = Date.now();
      await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => admin.query(`insert into captures (owner_id, kind, body, property_id) values ($1, 'text', $2, $3)`, [owner, bodies[i % bodies.length], house])));
      // how long the 100 inserts themselves took here, and how long after the last one committed the last note was done
      const inserted = Date.now();
      await waitProcessed();
      const lastDone = (await admin.query<{ at: number }>(`select extract(epoch from max(processed_at))::float8 * 1000 as at from captures where kind = 'text'`)).rows[0]!.at;
      const { latencies, suggested } = await textLatencies();
      rounds.push({
        p50_ms: Math.round(percentile(latencies, 50)),
        p99_ms: Math.round(percentile(latencies, 99)),
        suggested_task: `${suggested}/${IN_FLIGHT}`,
        load_1m: Math.round(load * 10) / 10,
        inserts_ms: inserted - started,
        last_done_after_inserts_ms: Math.round(lastDone - inserted),
      });
    }
    await textWorker.stop();
    report.text = {
      in_flight: IN_FLIGHT,
      one_at_a_time_p50_ms: Math.round(percentile(single.latencies, 50)),
      p50_ms: rounds[0]!.p50_ms,
      p99_ms: rounds[0]!.p99_ms,
      suggested_task: rounds[0]!.suggested_task,
      ...(rounds.length > 1 ? { rounds } : { load_1m: rounds[0]!.load_1m, inserts_ms: rounds[0]!.inserts_ms, last_done_after_inserts_ms: rounds[0]!.last_done_after_inserts_ms }),
    };
  }

  // ───── 2. photos per minute, worker against bare tesseract.js ─────
  if (PARTS.has('photos')) {
    const images: Buffer[] = [];
    for (let i = 0; i < PHOTOS; i += 1) {
      const plate = i % 2 === 0 ? WATER_HEATER_PLATE : FURNACE_PLATE;
      images.push(i % 4 < 2 ? await cleanPlate(plate.lines) : await photographedPlate(plate.lines, 2 + (i % 3)));
    }
    const bare = createScheduler();
    for (let i = 0; i < THREADS; i += 1) bare.addWorker(await createWorker('eng', OEM.LSTM_ONLY, { langPath: englishLangPath(), gzip: true, cacheMethod: 'none' }));
    await bare.addJob('recognize', images[0]!); // warm, as the worker's pool is warmed below
    let started = Date.now();
    await Promise.all(images.map((image) => bare.addJob('recognize', image, { rotateAuto: true })));
    const bareMs = Date.now() - started;
    await bare.terminate();

    const photoWorker = await start({ WORKER_OCR_THREADS: THREADS });
    photoWorker.projectActive(seed);
    const upload = async (name: string, bytes: Buffer) => {
      const version = randomBytes(8).toString('hex');
      const info = await backend.write({ projectId: seed, bucketId: 'captures', key: name, version }, Readable.from([bytes]), { contentType: 'image/png', cacheControl: 'no-cache' });
      await admin.query(`insert into storage.objects (bucket_id, name, owner, owner_id, version, metadata) values ('captures', $1, $2::uuid, $2::text, $3, $4)`, [name, owner, version, { size: info.size, mimetype: 'image/png' }]);
    };
    await upload(`${owner}/warm.png`, images[0]!);
    await admin.query(`insert into captures (owner_id, kind, storage_path) values ($1, 'photo', $2)`, [owner, `${owner}/warm.png`]);
    while ((await admin.query<{ n: number }>(`select count(*)::int as n from captures where status <> 'processed'`)).rows[0]!.n > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const [i, image] of images.entries()) await upload(`${owner}/plate-${i}.png`, image);
    started = Date.now();
    await admin.query(`insert into captures (owner_id, kind, storage_path) select $1::uuid, 'photo', $1::text || '/plate-' || i || '.png' from generate_series(0, $2 - 1) i`, [owner, PHOTOS]);
    while ((await admin.query<{ n: number }>(`select count(*)::int as n from captures where status not in ('processed', 'failed')`)).rows[0]!.n > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const workerMs = Date.now() - started;
    const photosRead = (await admin.query<{ n: number }>(`select count(*)::int as n from captures where kind = 'photo' and result ->> 'serial' is not null and storage_path like '%/plate-%'`)).rows[0]!.n;
    await photoWorker.stop();
    report.photos = {
      images: PHOTOS,
      threads: THREADS,
      worker_per_minute: Math.round((PHOTOS / workerMs) * 60_000 * 10) / 10,
      bare_tesseract_per_minute: Math.round((PHOTOS / bareMs) * 60_000 * 10) / 10,
      ratio: `${Math.round((bareMs / workerMs) * 100)} %`,
      serial_read: `${photosRead}/${PHOTOS}`,
    };
  }

  // ───── 3. a thousand projects, 50 active ─────
  if (PARTS.has('fleet')) {
    // clones of the seed project: each its own database, authenticator and encrypted password, as provisioning makes them
    const cloneStarted = Date.now();
    const clones: string[] = [];
    await admin.end();
    cleanups.pop();
    await withClient(postgres.url, (superuser) => superuser.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [projectNames(seed).database]));
    // four at a time: copying a database is mostly waiting on the disk
    let nextClone = 0;
    await Promise.all(
      Array.from({ length: 4 }, () =>
        withClient(postgres.url, async (superuser) => {
          while (nextClone < PROJECTS) {
            const id = `bp${String(nextClone++).padStart(4, '0')}`;
            const names = projectNames(id);
            const secret = randomBytes(18).toString('base64url');
            await superuser.query(`create role ${quoteIdent(names.authenticator)} login noinherit password '${secret}' in role anon, authenticated, service_role`);
            await superuser.query(`create database ${quoteIdent(names.database)} template ${quoteIdent(projectNames(seed).database)}`);
            await platformDb.query(`insert into platform.projects (id, name, status, template) values ($1, $1, 'active', 'haven')`, [id]);
            await platformDb.query(`insert into platform.secrets (project_id, name, ciphertext) values ($1, $2, $3)`, [id, ProjectSecret.authenticatorPassword, secrets.encrypt(secret, projectSecretContext(id, ProjectSecret.authenticatorPassword))]);
            clones.push(id);
          }
        }),
      ),
    );
    clones.sort();
    const cloneMs = Date.now() - cloneStarted;
    // the seed itself stops being served: only the clones count
    await platformDb.query(`update platform.projects set status = 'failed' where id = $1`, [seed]);

    const monitor = new pg.Client({ connectionString: postgres.url });
    await monitor.connect();
    cleanups.push(() => monitor.end());
    let maxConnections = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await monitor.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where application_name = 'launchdb-worker'`);
        maxConnections = Math.max(maxConnections, rows[0]!.n);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const fleetStarted = Date.now();
    const fleet = await start({ WORKER_OCR_THREADS: 1 }, direct);
    // start() does not wait for the first sweep; sweep() answers the one under way
    await fleet.sweep();
    const firstSweepMs = Date.now() - fleetStarted;
    for (const id of clones.slice(0, ACTIVE)) fleet.projectActive(id);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // an active project's note, with every listener in place
    const sweepStarted = Date.now();
    await fleet.sweep();
    const sweepMs = Date.now() - sweepStarted;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const health = fleet.health();
    sampling = false;
    await sampler;
    report.fleet = {
      projects: PROJECTS,
      active: ACTIVE,
      clone_setup_s: Math.round(cloneMs / 100) / 10,
      max_connections: maxConnections,
      listen_connections: health.listen_connections,
      projects_served: health.projects_served,
      // every project connected to once (a worker's first sweep)
      first_sweep_ms: firstSweepMs,
      // the minute sweep after it: projects quiet since (no row written) cost no connection
      next_sweep_ms: sweepMs,
    };
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await Promise.all(workers.map((worker) => worker.stop(1_000).catch(() => undefined)));
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await backend.close();
  await postgres.stop();
  await rm(storageRoot, { recursive: true, force: true });
}
// PgBouncer's and PostgreSQL's stopped children may keep their pipes a moment longer: the figures are out
process.exit(process.exitCode ?? 0);
