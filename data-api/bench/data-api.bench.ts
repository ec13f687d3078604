/**
 * `npm run bench:data-api`: the data API against its floor — a minimal Fastify handler running
 * the same SQL on an equal pg pool — on three requests, plus the data API's memory. A benchmark,
 * not a test: it always exits 0 once it has run, and prints PASS/FAIL against the targets.
 *
 *   --no-write    do not rewrite the results section of data-api/BENCH.md
 *   --tsx         run the sources under tsx instead of the esbuild bundles (for readable profiles)
 *   --cpu-prof    run the data API under `node --cpu-prof` (the profile's folder is printed at the end;
 *                 summarise it with bench/profile-summary.ts)
 *   BENCH_DURATION, BENCH_WARMUP, BENCH_SEQUENTIAL (seconds), BENCH_CONNECTIONS, BENCH_DB_POOL,
 *   BENCH_ROUNDS (turns per server and run: A B, B A, A B, …)
 *   BENCH_ONLY=lookup,embed,insert   run only these scenarios
 *   BENCH_NODE_OPTIONS="--max-semi-space-size=8"   node flags for both servers, instead of the deployed
 *                 ones (src/node-flags.ts); BENCH_NODE_OPTIONS= for none
 *   BENCH_PROFILE_FLOOR=1   with --cpu-prof, profile the floor too
 *   BENCH_SMOKE=1   every scenario for a fraction of a second, BENCH.md left alone (what CI runs)
 *
 * See data-api/BENCH.md for the method.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '@launchdb/common/net';
import { BENCH_SMOKE, smoke } from '@launchdb/testkit/bench-smoke';
import { startBenchDatabase, type BenchDatabase } from './bench-database.ts';
import { bundleServers } from './bundle.ts';
import { ForeignCpu } from './machine-load.ts';
import { combineLoads, runLoad, type LoadOptions, type LoadResult } from './load.ts';
import { describeMachine, renderFigures, verdicts, writeResults, type BenchFigures, type MemoryFigures, type ScenarioFigures, type ScenarioPeak } from './report.ts';
import { JWT_SECRET, SCENARIOS, TOKEN, type Scenario } from './scenarios.ts';
import { DATA_API_NODE_FLAGS } from '../src/node-flags.ts';
import { memoryStatus, resetPeakRss, sampleRss, spawnServer, type ServerProcess } from './server-process.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const benchMd = fileURLToPath(new URL('../BENCH.md', import.meta.url));
const profileDir = join(tmpdir(), `launchdb-data-api-profile-${Date.now()}`);

const args = new Set(process.argv.slice(2));
const seconds = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const durationSeconds = seconds('BENCH_DURATION', smoke(10, 1));
const warmupSeconds = seconds('BENCH_WARMUP', smoke(2, 0.2));
const sequentialSeconds = seconds('BENCH_SEQUENTIAL', smoke(8, 0.5));
const connections = seconds('BENCH_CONNECTIONS', smoke(10, 4));
const dbPool = seconds('BENCH_DB_POOL', smoke(10, 4));
const rounds = seconds('BENCH_ROUNDS', smoke(4, 1));
/** Smoke mode counts requests, not seconds: autocannon's shortest timed run is a whole second. */
const smokeRequests = smoke(undefined, 20);
/** Left alone before the idle memory figure and after the load, for the heap to settle. */
const settleMs = smoke(3000, 100);
const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
// both servers run with the flags the data API is deployed with, unless told otherwise
const nodeOptions = process.env.BENCH_NODE_OPTIONS === undefined ? [...DATA_API_NODE_FLAGS] : process.env.BENCH_NODE_OPTIONS.split(/\s+/).filter(Boolean);
const scenarios = SCENARIOS.filter((scenario) => !only || only.includes(scenario.name));

/** CPU taken by other processes during each run: the machine may be shared. */
let foreignCpu: ForeignCpu | undefined;

const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const bundleDir = await mkdtemp(join(tmpdir(), 'launchdb-bench-bundle-'));
  try {
    await benchmark(bundleDir);
  } finally {
    await rm(bundleDir, { recursive: true, force: true });
    if (args.has('--cpu-prof')) log(`CPU profile of the data API in ${profileDir}`);
    log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

async function benchmark(bundleDir: string): Promise<void> {
  const tsx = args.has('--tsx');
  const entries = tsx ? { dataApi: 'data-api/src/main.ts', floor: 'data-api/bench/floor-server.ts' } : await bundleServers(bundleDir);
  const runner = [...nodeOptions, ...(tsx ? ['--import', 'tsx'] : [])];
  log('starting a throwaway PostgreSQL 15 and loading the fixture and the bench rows');
  const database = await startBenchDatabase();
  const servers: ServerProcess[] = [];
  try {
    const machine = describeMachine(database.serverVersion);
    const [apiPort, floorPort] = [await findFreePort(), await findFreePort()];
    const env = (port: number): Record<string, string> => ({
      PGRST_DB_URI: database.authenticatorUrl,
      PGRST_DB_SCHEMAS: 'api',
      PGRST_DB_ANON_ROLE: 'anon',
      PGRST_JWT_SECRET: JWT_SECRET,
      PGRST_DB_POOL: String(dbPool),
      PGRST_SERVER_HOST: '127.0.0.1',
      PGRST_SERVER_PORT: String(port),
      PGRST_LOG_LEVEL: 'error',
    });
    const ready = { readyPath: '/assets?select=id&limit=1', readyHeaders: { authorization: `Bearer ${TOKEN}` } };
    if (args.has('--cpu-prof')) mkdirSync(profileDir, { recursive: true });
    log(`starting the data API (node ${[...runner, entries.dataApi].join(' ')}) and the floor, db-pool ${dbPool} each`);
    const profile = args.has('--cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const dataApi = await spawnServer({
      name: 'data-api',
      nodeArgs: [...profile, ...runner, entries.dataApi],
      cwd: repoRoot,
      env: env(apiPort),
      url: `http://127.0.0.1:${apiPort}`,
      ...ready,
    });
    servers.push(dataApi);
    const floor = await spawnServer({ name: 'floor', nodeArgs: [...(process.env.BENCH_PROFILE_FLOOR ? profile : []), ...runner, entries.floor], cwd: repoRoot, env: env(floorPort), url: `http://127.0.0.1:${floorPort}`, ...ready });
    servers.push(floor);
    foreignCpu = new ForeignCpu(() => [dataApi.pid, floor.pid, database.pid() ?? process.pid]);

    await checkResponses(dataApi, floor);
    // idle: started, schema cache loaded, one request answered per scenario (the readiness and
    // response checks above), then left alone
    await sleep(settleMs);
    const idle = memoryStatus(dataApi.pid);
    const floorIdle = memoryStatus(floor.pid);
    log(`idle RSS: data-api ${idle.rssMb.toFixed(1)} MB, floor ${floorIdle.rssMb.toFixed(1)} MB`);
    const sampler = sampleRss(dataApi.pid);

    const results: ScenarioFigures[] = [];
    const peaks: ScenarioPeak[] = [];
    for (const scenario of scenarios) {
      // the peak of each scenario on its own (VmHWM reset); without clear_refs, only the sampled figure counts
      const resettable = resetPeakRss(dataApi.pid) && resetPeakRss(floor.pid);
      const scenarioSampler = sampleRss(dataApi.pid);
      // (smoke mode: the response checks were the warm-up; each autocannon run costs a second)
      if (!BENCH_SMOKE) for (const server of [dataApi, floor]) await run(server, scenario, { connections, durationSeconds: warmupSeconds }, database);
      const throughput = await alternate(dataApi, floor, scenario, { connections, durationSeconds, requests: smokeRequests }, database);
      const latency = await alternate(dataApi, floor, scenario, { connections: 1, durationSeconds: sequentialSeconds, requests: smokeRequests }, database);
      const sampled = scenarioSampler.stop();
      peaks.push({
        scenario: scenario.name,
        dataApiMb: resettable ? memoryStatus(dataApi.pid).peakRssMb : sampled,
        floorMb: resettable ? memoryStatus(floor.pid).peakRssMb : Number.NaN,
      });
      results.push({ scenario, loaded: throughput, sequential: latency });
    }

    const sampledPeakRssMb = sampler.stop();
    await sleep(settleMs);
    const memory: MemoryFigures = {
      idleRssMb: idle.rssMb,
      idleAnonMb: idle.anonMb,
      peakRssMb: Math.max(...peaks.map((peak) => peak.dataApiMb)),
      peaks,
      sampledPeakRssMb,
      idleAfterLoadRssMb: memoryStatus(dataApi.pid).rssMb,
      floorIdleRssMb: floorIdle.rssMb,
      floorPeakRssMb: Math.max(...peaks.map((peak) => peak.floorMb)),
    };

    const figures: BenchFigures = {
      machine,
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      connections,
      durationSeconds,
      warmupSeconds,
      sequentialSeconds,
      dbPool,
      runner: `${tsx ? 'node --import tsx (sources)' : `node (esbuild bundles, as \`npm run build -w data-api\` builds dist/main.js)`}${nodeOptions.length > 0 ? `, node flags ${nodeOptions.join(' ')}` : ''}`,
      scenarios: results,
      memory,
    };
    const markdown = renderFigures(figures);
    process.stdout.write(`\n${markdown}\n\n`);
    const failed = verdicts(figures).filter((verdict) => !verdict.pass);
    process.stdout.write(failed.length === 0 ? 'ALL TARGETS MET\n' : `${failed.length} TARGET(S) MISSED: ${failed.map((verdict) => verdict.target).join('; ')}\n`);
    if (!args.has('--no-write') && !BENCH_SMOKE) {
      await writeResults(benchMd, markdown);
      log(`figures written to ${benchMd}`);
    }
  } finally {
    for (const server of servers.reverse()) await server.stop().catch((error: unknown) => log(`stopping ${server.name}: ${String(error)}`));
    await database.stop();
  }
}

/**
 * The data API and the floor in turns A B B A A B … (BENCH_ROUNDS pairs, the time split evenly),
 * so that drift on a shared machine (another tenant, Postgres' own housekeeping) weighs on both alike.
 */
async function alternate(dataApi: ServerProcess, floor: ServerProcess, scenario: Scenario, options: LoadOptions, database: BenchDatabase): Promise<{ dataApi: LoadResult; floor: LoadResult }> {
  const turn = { ...options, durationSeconds: options.durationSeconds / rounds };
  const runs = { dataApi: [] as LoadResult[], floor: [] as LoadResult[] };
  const order = Array.from({ length: rounds }, (_, round) => (round % 2 === 0 ? [dataApi, floor] : [floor, dataApi])).flat();
  for (const server of order) runs[server === dataApi ? 'dataApi' : 'floor'].push(await run(server, scenario, turn, database));
  const result = { dataApi: combineLoads(runs.dataApi), floor: combineLoads(runs.floor) };
  for (const [server, load] of [[dataApi, result.dataApi], [floor, result.floor]] as const) {
    log(
      `${scenario.name.padEnd(6)} ${server.name.padEnd(8)} ${String(options.connections).padStart(2)} conn.: ${Math.round(load.requestsPerSecond)} req/s, ` +
        `p50 ${load.p50.toFixed(2)} ms, p99 ${load.p99.toFixed(2)} ms, ${Math.round(load.serverCpuMicros)} µs CPU/req, other processes ${load.foreignCores.toFixed(2)} cores${load.unexpected + load.errors > 0 ? ` (${load.unexpected} unexpected, ${load.errors} errors)` : ''}`,
    );
  }
  return result;
}

/** One autocannon run; inserts are deleted first, so every run starts from the same table. */
async function run(server: ServerProcess, scenario: Scenario, options: LoadOptions, database: BenchDatabase): Promise<LoadResult> {
  if (scenario.name === 'insert') await database.resetInserts();
  return runLoad(server.url, scenario, options, foreignCpu, server.pid);
}

/** Both servers answer every scenario with its expected status, and the reads with the same body. */
async function checkResponses(dataApi: ServerProcess, floor: ServerProcess): Promise<void> {
  for (const scenario of scenarios) {
    const bodies: string[] = [];
    for (const server of [dataApi, floor]) {
      const response = await fetch(server.url + scenario.path(0), {
        method: scenario.method,
        headers: scenario.headers,
        ...(scenario.body === undefined ? {} : { body: scenario.body }),
      });
      const body = await response.text();
      if (response.status !== scenario.expectedStatus) throw new Error(`${server.name} answered ${response.status} to ${scenario.name}: ${body.slice(0, 300)}`);
      bodies.push(body);
    }
    if (scenario.method === 'GET' && bodies[0] !== bodies[1]) throw new Error(`the floor's ${scenario.name} body differs from the data API's`);
    if (scenario.method === 'GET' && bodies[0] === '[]') throw new Error(`${scenario.name} found no rows`);
  }
}

await main();
