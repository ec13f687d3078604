/**
 * `npm run bench:haven`: Haven's screens through the real data API, as a household member calls
 * them. A project provisioned with the haven template (the real ProjectProvisioner) in a
 * throwaway PostgreSQL 15, filled set-wise (bench-data.sql: 1,000 properties, 100,000 assets,
 * 300,000 tasks by default); its data API is the deployed bundle started with the settings
 * postgrest-manager gives it (PGRST_* from the platform database), through PgBouncer in
 * transaction pooling when it is installed. One connection, one request at a time: latency, not
 * throughput. A benchmark, not a test: it prints PASS/FAIL against the targets and exits 0.
 *
 *   1. POST /rpc/property_dashboard as a member              (target: p50 ≤ 5 ms)
 *   2. POST /rpc/complete_task as a member, a new request id each time   (target: p50 ≤ 5 ms)
 *   3. GET /assets, 50 rows of one household, as the member and as the service key, in turns:
 *      what row-level security costs                        (target: ≤ 20 % over the service key)
 *   Baseline of the same run: POST /rpc/next_due_date (reads no table): the data API's own round trip.
 *
 *   --no-write   do not rewrite postgres/templates/haven/BENCH.md
 *   --explain    first print the plans (EXPLAIN ANALYZE, through auto_explain) of every statement
 *                property_dashboard and complete_task run, as the member, to stderr
 *   BENCH_PROPERTIES (1000), BENCH_ASSETS_PER_PROPERTY (100), BENCH_TASKS_PER_ASSET (3),
 *   BENCH_REQUESTS (requests per scenario and round, 200), BENCH_ROUNDS (5)
 *   BENCH_SMOKE=1   a few properties and requests, every scenario, BENCH.md left alone (what CI runs)
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool as HttpPool } from 'undici';
import {
  createLogger,
  createPool,
  findFreePort,
  generateMasterKey,
  parseMasterKey,
  projectNames,
  ProjectSecret,
  readLiveApiKeys,
  readProjectSecret,
  SecretBox,
  signHs256,
  withClient,
  withDatabase,
  type DataApiControl,
  type ProjectPooler,
} from '@launchdb/common';
import { bundleDataApi } from '@launchdb/data-api/build';
import { DATA_API_NODE_FLAGS } from '@launchdb/data-api/node-flags';
import { BENCH_SMOKE, benchSetting, smoke } from '@launchdb/testkit/bench-smoke';
import { startTestPgBouncer, type TestPgBouncer } from '@launchdb/testkit/pgbouncer';
import { startThrowawayPostgres } from '@launchdb/testkit/throwaway-postgres';
import { findPgBouncerBinary } from '@launchdb/pgbouncer';
import { describeMachine } from '../../../../data-api/bench/report.ts';
import { spawnServer, type ServerProcess } from '../../../../data-api/bench/server-process.ts';
import { ProjectProvisioner } from '../../../../platform-api/src/domain/projects/project-provisioner.ts';
import { preparePlatformDatabase } from '../../../../platform-api/src/setup/platform-database.ts';
import { PlatformDataApiSettings } from '../../../../postgrest-manager/src/domain/platform-data-api-settings.ts';
import { pgrstEnvironment } from '../../../../postgrest-manager/src/drivers/pgrst-environment.ts';

const TARGETS = { dashboardP50Ms: 5, completeP50Ms: 5, rlsOverhead: 0.2 } as const;
const args = new Set(process.argv.slice(2));
const integerSetting = (name: string, fallback: number): number => benchSetting(name, fallback, { integer: true });
const sizes = {
  properties: integerSetting('BENCH_PROPERTIES', smoke(1000, 5)),
  assetsPerProperty: integerSetting('BENCH_ASSETS_PER_PROPERTY', smoke(100, 60)),
  tasksPerAsset: integerSetting('BENCH_TASKS_PER_ASSET', 3),
};
const requests = integerSetting('BENCH_REQUESTS', smoke(200, 10));
const rounds = integerSetting('BENCH_ROUNDS', smoke(5, 1));
const MEMBER_ID = 'bbbbbbbb-0000-4000-8000-000000000001';
const PROJECT_ID = 'benchhaven';
const benchMd = fileURLToPath(new URL('../BENCH.md', import.meta.url));
const seedSql = fileURLToPath(new URL('./bench-data.sql', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);
const loadStart = loadavg()[0]!;

interface Sample {
  p50: number;
  p95: number;
  count: number;
}

type HttpScenario = 'readFloor' | 'writeFloor' | 'dashboard' | 'complete' | 'listMember' | 'listService';

interface Figures {
  seedSeconds: number;
  rows: Record<string, number>;
  pgbouncer: boolean;
  http: Record<HttpScenario, Sample>;
  /** Direct sessions, no HTTP: the transaction the data API runs, and an empty one (`select 1`). */
  database: { dashboard: Sample; complete: Sample; empty: Sample; listMember: Sample; listService: Sample };
  dashboardBytes: number;
}

async function main(): Promise<void> {
  const started = Date.now();
  const work = await mkdtemp(join(tmpdir(), 'launchdb-bench-haven-'));
  const postgres = await startThrowawayPostgres('launchdb-bench-haven-pg');
  let bouncer: TestPgBouncer | undefined;
  let dataApi: ServerProcess | undefined;
  const logger = createLogger({ level: 'silent', name: 'haven-bench' });
  try {
    const secrets = new SecretBox(parseMasterKey(generateMasterKey()));
    await withClient(postgres.url, (admin) => admin.query('create database platform'));
    const platformUrl = withDatabase(postgres.url, 'platform');
    await withClient(platformUrl, (admin) => preparePlatformDatabase(admin, secrets));
    const platformDb = createPool({ connectionString: platformUrl, applicationName: 'haven-bench', max: 4 });
    const server = new URL(postgres.url);
    const direct = { host: server.hostname, port: Number(server.port) };
    const pooler: ProjectPooler = { address: direct, addProject: async () => {}, removeProject: async () => {} };
    const dataApis: DataApiControl = { spawn: async () => {}, stop: async () => {}, reload: async () => {} };
    try {
      log('provisioning a project with the haven template');
      await new ProjectProvisioner({ db: platformDb, adminUrl: platformUrl, secrets, pooler, dataApis, logger }).create({ id: PROJECT_ID, name: 'haven bench', template: 'haven' });
      const names = projectNames(PROJECT_ID);
      const projectUrl = withDatabase(postgres.url, names.database);

      log(`filling it: ${sizes.properties} properties × ${sizes.assetsPerProperty} assets × ${sizes.tasksPerAsset} tasks`);
      const seedStarted = performance.now();
      const { rows, serverVersion } = await withClient(projectUrl, async (client) => {
        await client.query(`select set_config('bench.properties', $1, false), set_config('bench.assets_per_property', $2, false),
                                   set_config('bench.tasks_per_asset', $3, false), set_config('bench.member_id', $4, false)`,
          [String(sizes.properties), String(sizes.assetsPerProperty), String(sizes.tasksPerAsset), MEMBER_ID]);
        await client.query(`begin; ${await readFile(seedSql, 'utf8')}; commit`);
        await client.query('vacuum analyze');
        const counts = await client.query<Record<string, string>>(`select
          (select count(*) from public.properties) as properties, (select count(*) from public.property_members) as members,
          (select count(*) from public.zones) as zones, (select count(*) from public.assets) as assets,
          (select count(*) from public.maintenance_tasks) as tasks, (select count(*) from public.supplies) as supplies,
          (select count(*) from public.logs) as logs`);
        const version = await client.query<{ server_version: string }>('show server_version');
        return { rows: Object.fromEntries(Object.entries(counts.rows[0]!).map(([key, value]) => [key, Number(value)])), serverVersion: version.rows[0]!.server_version };
      });
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      log(`   ${Object.entries(rows).map(([key, value]) => `${value} ${key}`).join(', ')} in ${seedSeconds.toFixed(1)} s`);

      if (args.has('--explain')) await explain(projectUrl);

      // PgBouncer as launchdb up puts it in front of every project's database, when it is installed
      const authenticatorPassword = (await readProjectSecret(platformDb, secrets, PROJECT_ID, ProjectSecret.authenticatorPassword))!;
      if (findPgBouncerBinary()) {
        bouncer = await startTestPgBouncer({
          adminUrl: projectUrl,
          database: names.database,
          alias: names.database,
          login: { user: names.authenticator, password: authenticatorPassword },
          poolSize: 5,
        });
        log(`PgBouncer (transaction pooling) at ${new URL(bouncer.url).port}`);
      } else {
        log('no PgBouncer installed: the data API connects to PostgreSQL directly');
      }
      const bouncerAddress = bouncer ? { host: bouncer.process.host, port: bouncer.process.port } : direct;
      const settings = (await new PlatformDataApiSettings({ db: platformDb, secrets, pooler: bouncerAddress, postgres: direct }).settingsFor(PROJECT_ID))!;
      const jwtSecret = (await readProjectSecret(platformDb, secrets, PROJECT_ID, ProjectSecret.jwtSecret))!;
      const serviceKey = (await readLiveApiKeys(platformDb, secrets, PROJECT_ID)).service_role!;
      const memberToken = await signHs256({ role: 'authenticated', aud: 'authenticated', sub: MEMBER_ID, email: 'member@bench.haven.local' }, { secret: jwtSecret, expiresInSeconds: 24 * 3600 });

      log('bundling the data API as it is deployed and starting it with its PGRST_* settings');
      await bundleDataApi(work);
      const port = await findFreePort();
      dataApi = await spawnServer({
        name: 'data-api',
        nodeArgs: [...DATA_API_NODE_FLAGS, join(work, 'main.js')],
        cwd: repoRoot,
        env: pgrstEnvironment(settings, { host: '127.0.0.1', port, adminPort: await findFreePort() }),
        url: `http://127.0.0.1:${port}`,
        readyPath: '/asset_templates?select=key&limit=1',
        readyHeaders: { authorization: `Bearer ${memberToken}` },
      });

      const http = await measure(dataApi.url, memberToken, serviceKey);
      log('the same RPCs on a direct session (no HTTP, no PgBouncer)');
      const database = await measureInDatabase(projectUrl);
      const figures: Figures = { seedSeconds, rows, pgbouncer: bouncer !== undefined, ...http, database };
      const text = render(figures, describeMachine(serverVersion));
      process.stdout.write(text);
      if (!args.has('--no-write') && !BENCH_SMOKE) await writeFile(benchMd, text);
    } finally {
      await platformDb.end();
    }
  } finally {
    await dataApi?.stop();
    await bouncer?.close();
    await postgres.stop();
    await rm(work, { recursive: true, force: true });
    log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

/** The plans of the statements inside the two RPCs, as the member (auto_explain's notices: nested statements included). */
async function explain(projectUrl: string): Promise<void> {
  await withClient(projectUrl, async (client) => {
    client.on('notice', (notice) => void process.stderr.write(`${notice.message}\n\n`));
    await client.query(`load 'auto_explain'`);
    await client.query(`set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on; set auto_explain.log_buffers = on;
                        set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice`);
    for (const [label, sql] of [
      ['property_dashboard', `select public.property_dashboard($1)`],
      ['complete_task', `select public.complete_task((select t.id from public.maintenance_tasks t where t.property_id = $1 limit 1), client_request_id => gen_random_uuid())`],
    ] as const) {
      for (const pass of ['first call', 'second call']) {
        log(`--explain: ${label}, ${pass}`);
        await client.query('begin');
        await client.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: MEMBER_ID, role: 'authenticated' })]);
        const t0 = performance.now();
        await client.query(sql, [propertyId(1)]);
        log(`--explain: ${label}, ${pass}: ${(performance.now() - t0).toFixed(2)} ms with the plans logged`);
        await client.query('rollback');
      }
    }
  });
}

async function measure(url: string, memberToken: string, serviceKey: string): Promise<Pick<Figures, 'http' | 'dashboardBytes'>> {
  const http = new HttpPool(url, { connections: 1, pipelining: 1 });
  const property = propertyId(1);
  const member = { authorization: `Bearer ${memberToken}`, apikey: memberToken, 'content-type': 'application/json', accept: 'application/json' };
  const service = { authorization: `Bearer ${serviceKey}`, apikey: serviceKey, accept: 'application/json' };
  const call = async (method: 'GET' | 'POST' | 'PATCH', path: string, headers: Record<string, string>, body?: unknown): Promise<{ ms: number; text: string }> => {
    const t0 = performance.now();
    const response = await http.request({ method, path, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.body.text();
    const ms = performance.now() - t0;
    if (response.statusCode >= 300) throw new Error(`${method} ${path}: ${response.statusCode} ${text.slice(0, 500)}`);
    return { ms, text };
  };

  const listPath = `/assets?select=*&property_id=eq.${property}&order=created_at.desc&limit=50`;
  const memberList = JSON.parse((await call('GET', listPath, member)).text) as unknown[];
  const serviceList = JSON.parse((await call('GET', listPath, service)).text) as unknown[];
  if (memberList.length !== Math.min(50, sizes.assetsPerProperty) || JSON.stringify(memberList) !== JSON.stringify(serviceList)) {
    throw new Error(`the member's and the service key's asset lists differ (${memberList.length} and ${serviceList.length} rows)`);
  }
  const tasks = (JSON.parse((await call('GET', `/maintenance_tasks?select=id&property_id=eq.${property}&active=is.true`, member)).text) as Array<{ id: string }>).map((task) => task.id);
  const zone = (JSON.parse((await call('GET', `/zones?select=id&property_id=eq.${property}&limit=1`, member)).text) as Array<{ id: string }>)[0]!.id;
  const dashboardText = (await call('POST', '/rpc/property_dashboard', member, { property_id: property })).text;

  let completed = 0;
  const requestsOf: Record<HttpScenario, () => Promise<{ ms: number }>> = {
    readFloor: () => call('POST', '/rpc/next_due_date', member, { recurrence: '3 months', recurrence_months: null, from_date: '2026-01-31' }),
    writeFloor: () => call('PATCH', `/zones?id=eq.${zone}`, { ...member, prefer: 'return=minimal' }, { floor: completed % 3 }),
    dashboard: () => call('POST', '/rpc/property_dashboard', member, { property_id: property }),
    complete: () => call('POST', '/rpc/complete_task', member, { task_id: tasks[completed++ % tasks.length], client_request_id: randomUUID(), notes: 'bench' }),
    listMember: () => call('GET', listPath, member),
    listService: () => call('GET', listPath, service),
  };
  const names = Object.keys(requestsOf) as HttpScenario[];
  const timings = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<HttpScenario, number[]>;
  log(`warming up, then ${rounds} rounds of ${requests} requests of each kind, one of each in turn (the order turning every request)`);
  for (const name of names) for (let i = 0; i < smoke(50, 2); i += 1) await requestsOf[name]();
  for (let round = 0; round < rounds; round += 1) {
    for (let i = 0; i < requests; i += 1) {
      // a drift of the machine (other work starting) weighs on every kind of request alike
      for (let k = 0; k < names.length; k += 1) {
        const name = names[(i + k) % names.length]!;
        timings[name].push((await requestsOf[name]()).ms);
      }
    }
  }
  await http.close();
  return {
    http: Object.fromEntries(names.map((name) => [name, summarise(timings[name])])) as Record<HttpScenario, Sample>,
    dashboardBytes: Buffer.byteLength(dashboardText),
  };
}

const LIST_SQL = `select coalesce(json_agg(a), '[]') from (select * from public.assets where property_id = $1 order by created_at desc limit 50) a`;

/**
 * The same two RPCs and the asset list on a direct session, in the data API's transaction shape (role and claims
 * set locally, then the call, then commit): the database's share of the HTTP figures.
 */
async function measureInDatabase(projectUrl: string): Promise<Figures['database']> {
  return withClient(projectUrl, async (client) => {
    const property = propertyId(1);
    const tasks = (await client.query<{ id: string }>('select id from public.maintenance_tasks where property_id = $1 and active', [property])).rows.map((row) => row.id);
    const claims = JSON.stringify({ sub: MEMBER_ID, role: 'authenticated' });
    const service = JSON.stringify({ role: 'service_role' });
    const timed = async (sql: string, values: () => unknown[], as: 'authenticated' | 'service_role' = 'authenticated'): Promise<number> => {
      const t0 = performance.now();
      await client.query('begin');
      await client.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [as, as === 'service_role' ? service : claims]);
      await client.query(sql, values());
      await client.query('commit');
      return performance.now() - t0;
    };
    let completed = 0;
    const kinds = {
      dashboard: () => timed('select public.property_dashboard($1)', () => [property]),
      complete: () => timed('select public.complete_task($1, client_request_id => $2)', () => [tasks[completed++ % tasks.length], randomUUID()]),
      empty: () => timed('select 1', () => []),
      // the rows and JSON of GET /assets?…&limit=50, without the data API's wrapping
      listMember: () => timed(LIST_SQL, () => [property]),
      listService: () => timed(LIST_SQL, () => [property], 'service_role'),
    };
    const timings = { dashboard: [] as number[], complete: [] as number[], empty: [] as number[], listMember: [] as number[], listService: [] as number[] };
    for (let i = 0; i < smoke(20, 2); i += 1) for (const run of Object.values(kinds)) await run();
    for (let i = 0; i < rounds * requests; i += 1) {
      for (const [name, run] of Object.entries(kinds)) timings[name as keyof typeof kinds].push(await run());
    }
    return Object.fromEntries(Object.entries(timings).map(([name, values]) => [name, summarise(values)])) as Figures['database'];
  });
}

/** bench-data.sql's id of property `n`. */
function propertyId(n: number): string {
  const hex = createMd5(`property${n}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function createMd5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function summarise(values: number[]): Sample {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95), count: sorted.length };
}

function render(figures: Figures, machine: ReturnType<typeof describeMachine>): string {
  const { http, database } = figures;
  const ms = (value: number): string => `${value.toFixed(2)} ms`;
  const verdict = (ok: boolean): string => (ok ? 'PASS' : '**FAIL**');
  const rls = http.listMember.p50 / http.listService.p50 - 1;
  const row = (name: string, sample: Sample, baseline: Sample | undefined, target: string, ok: boolean | undefined): string =>
    `| ${name} | ${ms(sample.p50)} | ${ms(sample.p95)} | ${baseline ? `${(sample.p50 / baseline.p50).toFixed(2)}×` : ''} | ${target} | ${ok === undefined ? '' : verdict(ok)} |`;
  return [
    '# Haven benchmark',
    '',
    '`npm run bench:haven` (postgres/templates/haven/bench/haven.bench.ts) measures Haven\'s screens through the real data API',
    'as a household member calls them, and rewrites this file with the figures of its run (`--no-write`: printed only;',
    '`--explain`: the plans of every statement inside the RPCs first; `BENCH_SMOKE=1`: seconds, figures meaningless).',
    '',
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${BENCH_SMOKE ? ' (smoke mode: figures meaningless)' : ''}.`,
    '',
    `**Machine:** ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb.toFixed(1)} GB, Linux ${machine.kernel}, Node ${machine.node}, PostgreSQL ${machine.postgres};`,
    `load average ${loadStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end (a shared machine: other work ran beside the bench).`,
    '',
    `**Data:** ${Object.entries(figures.rows).map(([key, value]) => `${value.toLocaleString('en-US')} ${key}`).join(', ')}, generated set-wise in ${figures.seedSeconds.toFixed(1)} s (bench-data.sql).`,
    `The caller is a \`member\` (not an owner) of 3 of the properties, with a JWT signed with the project's secret; the property of the requests has ${sizes.assetsPerProperty} assets and ${sizes.assetsPerProperty * sizes.tasksPerAsset} tasks.`,
    '',
    `**Path:** HTTP → the data API bundle (PGRST_* settings as postgrest-manager builds them from the platform database, db-pool 5) → ${figures.pgbouncer ? 'PgBouncer (transaction pooling)' : 'PostgreSQL directly (no PgBouncer installed)'} → PostgreSQL 15 (synchronous commit, as deployed).`,
    `One connection, one request at a time: ${rounds} × ${requests} requests of each kind, one of each kind in turn, so a drift of the machine weighs on all alike.`,
    'Floors of the same run: a call that reads no table (POST /rpc/next_due_date) for reads, a one-row PATCH of a zone (return=minimal) for writes — what any committed write costs on this disk.',
    '',
    '| request | p50 | p95 | p50 ÷ floor | target | |',
    '|---|---|---|---|---|---|',
    row('read floor: POST /rpc/next_due_date', http.readFloor, undefined, '', undefined),
    row('write floor: PATCH /zones?id=eq.… (one row)', http.writeFloor, undefined, '', undefined),
    row(`POST /rpc/property_dashboard (${(figures.dashboardBytes / 1024).toFixed(1)} KB)`, http.dashboard, http.readFloor, `p50 ≤ ${TARGETS.dashboardP50Ms} ms`, http.dashboard.p50 <= TARGETS.dashboardP50Ms),
    row('POST /rpc/complete_task (a new client_request_id each)', http.complete, http.writeFloor, `p50 ≤ ${TARGETS.completeP50Ms} ms`, http.complete.p50 <= TARGETS.completeP50Ms),
    row('GET /assets, 50 rows of one property, as the member', http.listMember, http.listService, `≤ ${1 + TARGETS.rlsOverhead}× the service key`, rls <= TARGETS.rlsOverhead),
    row('the same request with the service key (no RLS)', http.listService, undefined, '', undefined),
    '',
    `Row-level security on the 50-row asset list: member p50 ÷ service-key p50 = ${(1 + rls).toFixed(3)} (${rls >= 0 ? '+' : ''}${(rls * 100).toFixed(1)} %; target ≤ +${TARGETS.rlsOverhead * 100} %).`,
    '',
    'In the database alone (a direct session, the data API\'s transaction: begin, role and claims, the call, commit):',
    '',
    '| transaction | p50 | p95 |',
    '|---|---|---|',
    `| empty (\`select 1\`) | ${ms(database.empty.p50)} | ${ms(database.empty.p95)} |`,
    `| property_dashboard | ${ms(database.dashboard.p50)} | ${ms(database.dashboard.p95)} |`,
    `| complete_task (commit waits for the WAL flush) | ${ms(database.complete.p50)} | ${ms(database.complete.p95)} |`,
    `| 50 assets of one property as JSON, as the member | ${ms(database.listMember.p50)} | ${ms(database.listMember.p95)} |`,
    `| the same as the service role (no RLS) | ${ms(database.listService.p50)} | ${ms(database.listService.p95)} |`,
    '',
    `Row-level security in the database alone: ${(database.listMember.p50 / database.listService.p50).toFixed(3)}× the service role's p50.`,
    '',
    '## Reading the figures',
    '',
    '- complete_task is a committed write: its floor is the one-row PATCH, which waits for the same WAL flush. Rolled back instead of',
    '  committed, complete_task takes ~0.3 ms in the database; the rest of its time is the disk\'s fsync, which no SQL can remove',
    '  without acknowledging completions a crash could lose (synchronous_commit stays on).',
    '- property_dashboard: every statement inside it is an index scan of the property\'s rows (`--explain`), each table read once (0013);',
    '  its best time in the database is ~1.3 ms, most of it building its 46 KB of JSON. Until data-api 11f6a04 the data API ran it twice',
    '  per request (PostgreSQL copied the call of a STABLE function into both the body and `count(_postgrest_t)`); `page_total` is now 1',
    '  for a function returning one value, as in PostgREST, and the HTTP p50 fell by about one call (8.86 → 5.44 ms, 3.55× → 2.63× the',
    '  read floor, in runs back to back at load ~10). On a machine other work keeps busy, the process needing the most CPU per request',
    '  is preempted the most, and the p50 moves with the load average above.',
    '- RLS: the policies read the caller\'s properties once per statement (an InitPlan) as an index condition, so the member\'s',
    '  list reads the same 50 rows as the service key\'s.',
    '',
  ].join('\n');
}

await main();
