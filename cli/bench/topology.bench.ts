/**
 * `npm run bench:topology`: the production topology (`launchdb up --split`: each service its own
 * OS process, real Caddy in front) against `launchdb up` (one process, no Caddy), both started as
 * an operator starts them, in the same run. A benchmark, not a test: it prints each figure next to
 * its baseline and PASS/FAIL against the targets of the production issue.
 *
 *   1. idle memory of the split stack — every process under `launchdb up --split` (the launcher,
 *      each service, PostgreSQL and its backends, Caddy, one awake project's data API), PSS from
 *      /proc/<pid>/smaps_rollup summed over the tree                             (target ≤ 600 MB)
 *   2. the same primary-key lookup (GET /db/<id>/bench_items?id=eq.N, the key as apikey and bearer,
 *      as supabase-js sends it) and a supabase-js auth.signInWithPassword, one at a time, alternating
 *      request by request between: Caddy → service (split), the same service's own port (split,
 *      no Caddy), and `launchdb up` (no Caddy); p50/p95 of each       (Caddy's added p50 ≤ 0.5 ms)
 *   3. the split stack's memory again, idle after those requests (`launchdb up` stopped first)
 *
 *   --no-write   print only, leave cli/BENCH.md alone (so does BENCH_SMOKE=1)
 *   BENCH_ROUNDS, BENCH_LOOKUP_SECONDS, BENCH_SIGNIN_SECONDS (per round), BENCH_SETTLE_SECONDS
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { Agent, request } from 'undici';
import ws from 'ws';
import { BENCH_SMOKE, benchSetting, smoke } from '@launchdb/testkit/bench-smoke';
import { describeMachine, loadAverage } from '@launchdb/testkit/machine';
import { reservePort } from '@launchdb/testkit/ports';
import { descendantsMemory, memoryOf, type ProcessMemory } from '@launchdb/testkit/process-memory';
import { alternateSequentially, median, summariseLatencies, type LatencySummary } from '@launchdb/testkit/sequential-latencies';

const TARGETS = { caddyAddedP50Ms: 0.5, idlePssMb: 600 } as const;
const LAUNCHDB = fileURLToPath(new URL('../bin/launchdb.js', import.meta.url));
const benchMd = fileURLToPath(new URL('../BENCH.md', import.meta.url));
const RESULTS_START = '<!-- results:start -->';
const RESULTS_END = '<!-- results:end -->';
const args = new Set(process.argv.slice(2));
// BENCH_SMOKE=1: both stacks, every phase, a handful of requests (figures meaningless)
const rounds = benchSetting('BENCH_ROUNDS', smoke(4, 1));
const lookupSeconds = benchSetting('BENCH_LOOKUP_SECONDS', smoke(5, 0.2));
const signInSeconds = benchSetting('BENCH_SIGNIN_SECONDS', smoke(10, 0.2));
const settleSeconds = benchSetting('BENCH_SETTLE_SECONDS', smoke(45, 0.5));
const WARM_UP_MS = smoke(1000, 50);
const OPERATOR = { email: 'bench@topology.example.com', password: 'topology-bench-password-0123' };
const USER = { email: 'signin@topology.example.com', password: 'topology-user-password-1' };
const ROWS = 1000;

const log = (message: string): void => void process.stderr.write(`bench: ${message}\n`);

/** `launchdb up [--split]` as an operator runs it: its own process, its own data folder and ports. */
class Stack {
  readonly url: string;
  /** The split stack's services by name: pid and internal address, from its banner. */
  readonly services = new Map<string, { pid: number; address: string | undefined }>();
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #stdout = '';
  #stderr = '';

  private constructor(child: ChildProcess, url: string) {
    this.#child = child;
    this.url = url;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdout!.on('data', (chunk: Buffer) => (this.#stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.#stderr = `${this.#stderr}${chunk.toString()}`.slice(-20_000)));
  }

  static async start(name: string, split: boolean, folder: string, extraEnv: Record<string, string>): Promise<Stack> {
    const port = await reservePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      LAUNCHDB_DATA_DIR: join(folder, 'data'),
      LAUNCHDB_PORT: String(port),
      LAUNCHDB_POSTGRES_PORT: String(await reservePort()),
      LAUNCHDB_PGBOUNCER_PORT: String(await reservePort()),
      LAUNCHDB_ADMIN_EMAIL: OPERATOR.email,
      LAUNCHDB_ADMIN_PASSWORD: OPERATOR.password,
      // the benchmark is one client sending thousands of requests a minute
      GATEWAY_REQUESTS_PER_MINUTE_PER_PROJECT: '0',
      GATEWAY_REQUESTS_PER_MINUTE_PER_CLIENT: '0',
      LOG_LEVEL: 'warn',
      ...extraEnv,
    };
    // its own folder as the working directory: no .env of the repository is read
    const child = spawn(process.execPath, [LAUNCHDB, 'up', ...(split ? ['--split'] : [])], { cwd: folder, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stack = new Stack(child, `http://127.0.0.1:${port}`);
    const t0 = performance.now();
    await stack.#untilUp(name);
    log(`${name} up in ${((performance.now() - t0) / 1000).toFixed(1)} s at ${stack.url}`);
    return stack;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  async #untilUp(name: string): Promise<void> {
    const deadline = performance.now() + 180_000;
    let exited = false;
    void this.#exited.then(() => (exited = true));
    while (!this.#stdout.includes('Ctrl-C stops everything')) {
      if (exited || performance.now() > deadline) throw new Error(`${name} did not start:\n${this.#stdout}\n${this.#stderr}`);
      await sleep(100);
    }
    for (const match of this.#stdout.matchAll(/^ {2}([a-z-]+) +pid (\d+)(?: {2}(\S+))?$/gm)) {
      this.services.set(match[1]!, { pid: Number(match[2]), address: match[3] });
    }
  }

  /** Every process of the stack with its memory: the launcher and all below it. */
  memory(): ProcessMemory[] {
    const root = memoryOf(this.pid);
    return [...(root ? [root] : []), ...descendantsMemory(this.pid)];
  }

  /** SIGTERM, as Ctrl-C: the launcher stops what it started. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 60_000);
    await this.#exited;
    clearTimeout(timer);
  }
}

interface Project {
  id: string;
  anon: string;
}

/** One project with a 1,000-row table readable by anon, sign-in rate limits off, and one user. */
async function prepareProject(stack: Stack): Promise<Project> {
  const call = async <T>(method: string, path: string, body?: unknown, token?: string): Promise<T> => {
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  const { access_token: token } = await call<{ access_token: string }>('POST', '/api/auth/login', OPERATOR);
  const created = await call<{ id: string; keys: { anon: string } }>('POST', '/api/projects', { name: 'topology bench' }, token);
  const project = { id: created.id, anon: created.keys.anon };
  await call('POST', `/api/projects/${project.id}/migrations`, {
    name: '0001_bench_items.sql',
    sql: `create table public.bench_items (id int primary key, name text not null, price numeric not null);
      insert into public.bench_items select i, 'item ' || i, i * 1.5 from generate_series(1, ${ROWS}) i;
      alter table public.bench_items enable row level security;
      create policy everyone_reads on public.bench_items for select using (true);
      grant select on public.bench_items to anon;`,
  }, token);
  // thousands of sign-ins from one address and for one email in a few seconds
  await call('PATCH', `/api/projects/${project.id}/auth-settings`, { rate_limits: { token_per_ip: 0, signup_per_ip: 0, per_email: 0 } }, token);
  const signUp = await supabase(`${stack.url}/p/${project.id}`, project.anon).auth.signUp(USER);
  if (signUp.error) throw new Error(`sign-up: ${signUp.error.message}`);
  // the data API reloads its schema cache on the migration's NOTIFY, a moment after the API answered
  await untilOk(lookupUrl(stack.url, project, 1), project.anon, 20_000);
  return project;
}

function supabase(url: string, key: string, headers: Record<string, string> = {}): SupabaseClient {
  return createClient(url, key, { realtime: { transport: ws as never }, auth: { persistSession: false, autoRefreshToken: false }, global: { headers } });
}

function lookupUrl(origin: string, project: Project, id: number): string {
  return `${origin}/db/${project.id}/bench_items?select=id,name,price&id=eq.${id}`;
}

async function untilOk(url: string, apikey: string, withinMs: number): Promise<void> {
  const deadline = performance.now() + withinMs;
  let last = 'no answer';
  while (performance.now() < deadline) {
    const response = await fetch(url, { headers: { apikey, authorization: `Bearer ${apikey}` } }).catch((error: Error) => error);
    if (!(response instanceof Error) && response.status === 200) {
      const rows = (await response.json()) as unknown[];
      if (rows.length === 1) return;
      last = `200 with ${rows.length} rows`;
    } else {
      last = response instanceof Error ? response.message : `${response.status} ${await response.text()}`;
    }
    await sleep(50);
  }
  throw new Error(`${url} did not answer its row within ${withinMs} ms (last: ${last})`);
}

/** A keep-alive connection of its own to one target, the row read and checked each time. */
function lookup(origin: string, project: Project): () => Promise<void> {
  const agent = new Agent({ connections: 1, pipelining: 1 });
  let id = 0;
  return async () => {
    id = (id % ROWS) + 1;
    const response = await request(lookupUrl(origin, project, id), { dispatcher: agent, headers: { apikey: project.anon, authorization: `Bearer ${project.anon}` } });
    const body = await response.body.text();
    if (response.statusCode !== 200 || !body.includes(`"id":${id},`)) throw new Error(`${origin}: ${response.statusCode} ${body.slice(0, 200)}`);
  };
}

function signIn(baseUrl: string, project: Project, headers: Record<string, string> = {}): () => Promise<void> {
  const client = supabase(baseUrl, project.anon, headers);
  return async () => {
    const { data, error } = await client.auth.signInWithPassword(USER);
    if (error || !data.session) throw new Error(`${baseUrl}: sign-in failed: ${error?.message}`);
  };
}

interface MemoryGroup {
  name: string;
  processes: number;
  pssMb: number;
  ussMb: number;
  rssMb: number;
}

/** The stack's processes grouped by what they are, largest first. */
function groupMemory(stack: Stack, processes: ProcessMemory[]): MemoryGroup[] {
  const groups = new Map<string, MemoryGroup>();
  for (const process of processes) {
    const name = groupOf(stack, process);
    const group = groups.get(name) ?? { name, processes: 0, pssMb: 0, ussMb: 0, rssMb: 0 };
    group.processes += 1;
    group.pssMb += process.pssMb;
    group.ussMb += process.ussMb;
    group.rssMb += process.rssMb;
    groups.set(name, group);
  }
  return [...groups.values()].sort((a, b) => b.pssMb - a.pssMb);
}

function groupOf(stack: Stack, process: ProcessMemory): string {
  if (process.pid === stack.pid) return 'launcher (`launchdb up --split`: supervises, no request passes it)';
  for (const [name, service] of stack.services) if (service.pid === process.pid) return name;
  if (/data-api[^ ]*main\.js/.test(process.command)) return 'data API (the awake project)';
  if (/^postgres(:| )|\/postgres( |$)/.test(process.command)) return 'PostgreSQL (postmaster, its workers and backends)';
  if (/pgbouncer/.test(process.command)) return 'pgbouncer';
  if (/esbuild/.test(process.command)) return 'esbuild (tsx\'s transformer)';
  return process.command.slice(0, 60);
}

const total = (groups: MemoryGroup[], field: 'pssMb' | 'ussMb' | 'rssMb'): number => groups.reduce((sum, group) => sum + group[field], 0);

interface Figures {
  justAfterSetup: MemoryGroup[];
  idle: MemoryGroup[];
  idleAfter: MemoryGroup[];
  pgbouncerPssMb: number | undefined;
  lookups: LatencyFigures;
  signIns: LatencyFigures;
  loadAtStart: number;
  loadAtEnd: number;
  machine: string;
  splitStartSeconds: number;
}

/** Pooled over the rounds, and the per-round p50 differences. */
interface LatencyFigures {
  caddy: LatencySummary;
  direct: LatencySummary;
  embedded: LatencySummary;
  caddyAddedPerRound: number[];
  splitAddedPerRound: number[];
  /** The same through Caddy with `Accept-Encoding: identity`: what compressing the answer costs. */
  uncompressed?: { caddy: LatencySummary; caddyAddedPerRound: number[] };
}

type Operation = () => Promise<void>;

async function measureLatencies(what: string, seconds: number, operations: { caddy: Operation; direct: Operation; embedded: Operation; caddyUncompressed?: Operation }): Promise<LatencyFigures> {
  const list = [operations.caddy, operations.direct, operations.embedded, ...(operations.caddyUncompressed ? [operations.caddyUncompressed] : [])];
  const pooled: number[][] = list.map(() => []);
  const caddyAddedPerRound: number[] = [];
  const splitAddedPerRound: number[] = [];
  const uncompressedAddedPerRound: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const latencies = await alternateSequentially(list, { warmUpMs: WARM_UP_MS, seconds });
    const [caddy, direct, embedded, uncompressed] = latencies.map(summariseLatencies) as [LatencySummary, LatencySummary, LatencySummary, LatencySummary | undefined];
    latencies.forEach((values, i) => pooled[i]!.push(...values));
    caddyAddedPerRound.push(caddy.p50 - direct.p50);
    splitAddedPerRound.push(caddy.p50 - embedded.p50);
    if (uncompressed) uncompressedAddedPerRound.push(uncompressed.p50 - direct.p50);
    log(`   ${what} round ${round + 1}: Caddy → split ${ms(caddy.p50)}, split direct ${ms(direct.p50)}, launchdb up ${ms(embedded.p50)}${uncompressed ? `, Caddy uncompressed ${ms(uncompressed.p50)}` : ''} (p50, ${caddy.count} each)`);
  }
  const [caddy, direct, embedded, uncompressed] = pooled.map(summariseLatencies) as [LatencySummary, LatencySummary, LatencySummary, LatencySummary | undefined];
  return { caddy, direct, embedded, caddyAddedPerRound, splitAddedPerRound, ...(uncompressed ? { uncompressed: { caddy: uncompressed, caddyAddedPerRound: uncompressedAddedPerRound } } : {}) };
}

const ms = (value: number): string => `${value.toFixed(2)} ms`;

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadAverage();
  const machine = describeMachine();
  const workdir = await mkdtemp(join(tmpdir(), 'launchdb-bench-topology-'));
  // as root, PostgreSQL runs as the postgres user, which must reach the data folders
  await chmod(workdir, 0o755);
  const stacks: Stack[] = [];
  const stopAll = async (): Promise<void> => void (await Promise.all(stacks.map((stack) => stack.stop())));
  try {
    log('starting launchdb up --split (PostgreSQL, each service its own process, Caddy in front)');
    const t0 = performance.now();
    const split = await Stack.start('launchdb up --split', true, await folderIn(workdir, 'split'), {});
    const splitStartSeconds = (performance.now() - t0) / 1000;
    stacks.push(split);
    const gatewayAddress = split.services.get('platform-api')?.address;
    const authAddress = split.services.get('auth-service')?.address;
    if (!gatewayAddress || !authAddress) throw new Error('the split banner named no address for platform-api or auth-service');
    const splitProject = await prepareProject(split);

    log(`1. idle memory: one request wakes the project's data API, then ${settleSeconds} s of nothing`);
    await untilOk(lookupUrl(split.url, splitProject, 1), splitProject.anon, 20_000);
    const justAfterSetup = groupMemory(split, split.memory());
    log(`   just after setup: ${total(justAfterSetup, 'pssMb').toFixed(0)} MB PSS`);
    await sleep(settleSeconds * 1000);
    const idle = groupMemory(split, split.memory());
    log(`   ${total(idle, 'pssMb').toFixed(0)} MB PSS over ${idle.reduce((sum, group) => sum + group.processes, 0)} processes`);

    log('starting launchdb up (one process, PgBouncer, no Caddy)');
    const embedded = await Stack.start('launchdb up', false, await folderIn(workdir, 'embedded'), {});
    stacks.push(embedded);
    const embeddedProject = await prepareProject(embedded);
    const pgbouncer = groupMemory(embedded, embedded.memory()).find((group) => group.name === 'pgbouncer');

    log(`2. ${rounds} rounds: Caddy → split, the split service's own port, launchdb up — one request at a time, alternating`);
    const lookups = await measureLatencies('PK lookup', lookupSeconds, {
      caddy: lookup(split.url, splitProject),
      direct: lookup(`http://${gatewayAddress}`, splitProject),
      embedded: lookup(embedded.url, embeddedProject),
    });
    const signIns = await measureLatencies('sign-in', signInSeconds, {
      caddy: signIn(`${split.url}/p/${splitProject.id}`, splitProject),
      direct: signIn(`http://${authAddress}/p/${splitProject.id}`, splitProject),
      embedded: signIn(`${embedded.url}/p/${embeddedProject.id}`, embeddedProject),
      // Node's fetch asks for gzip, as a browser does, and Caddy compresses the ~1.3 kB answer
      caddyUncompressed: signIn(`${split.url}/p/${splitProject.id}`, splitProject, { 'accept-encoding': 'identity' }),
    });

    log('3. the split stack idle again, launchdb up stopped');
    await embedded.stop();
    await untilOk(lookupUrl(split.url, splitProject, 1), splitProject.anon, 20_000);
    await sleep(settleSeconds * 1000);
    const idleAfter = groupMemory(split, split.memory());
    log(`   ${total(idleAfter, 'pssMb').toFixed(0)} MB PSS`);

    const text = render({ justAfterSetup, idle, idleAfter, pgbouncerPssMb: pgbouncer?.pssMb, lookups, signIns, loadAtStart, loadAtEnd: loadAverage(), machine, splitStartSeconds });
    process.stdout.write(text);
    if (!args.has('--no-write') && !BENCH_SMOKE) await writeResults(text);
  } finally {
    await stopAll();
    await rm(workdir, { recursive: true, force: true });
    log(`done in ${Math.round((performance.now() - started) / 1000)} s`);
  }
}

async function folderIn(workdir: string, name: string): Promise<string> {
  const folder = join(workdir, name);
  await mkdir(folder);
  await chmod(folder, 0o755);
  return folder;
}

function render(figures: Figures): string {
  const { idle, idleAfter, lookups, signIns } = figures;
  const idlePss = total(idle, 'pssMb');
  const launcher = idle.find((group) => group.name.startsWith('launcher'))?.pssMb ?? 0;
  const caddyAdded = median(lookups.caddyAddedPerRound);
  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
  const memoryRows = (groups: MemoryGroup[]): string[] =>
    groups.map((group) => `| ${group.name} | ${group.processes} | ${group.pssMb.toFixed(1)} | ${group.ussMb.toFixed(1)} | ${group.rssMb.toFixed(1)} |`);
  const latencyRows = (figures: LatencyFigures): string[] => [
    `| Caddy → split service | ${figures.caddy.p50.toFixed(2)} | ${figures.caddy.p95.toFixed(2)} | ${figures.caddy.count} |`,
    `| split service's own port (no Caddy) | ${figures.direct.p50.toFixed(2)} | ${figures.direct.p95.toFixed(2)} | ${figures.direct.count} |`,
    `| \`launchdb up\` (one process, no Caddy) | ${figures.embedded.p50.toFixed(2)} | ${figures.embedded.p95.toFixed(2)} | ${figures.embedded.count} |`,
    ...(figures.uncompressed
      ? [`| Caddy → split service, \`Accept-Encoding: identity\` | ${figures.uncompressed.caddy.p50.toFixed(2)} | ${figures.uncompressed.caddy.p95.toFixed(2)} | ${figures.uncompressed.caddy.count} |`]
      : []),
  ];
  const perRound = (values: number[]): string => values.map((value) => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`).join(', ');
  return [
    `Machine: ${figures.machine} at the start; load average ${figures.loadAtEnd.toFixed(2)} at the end (a shared machine: other work ran beside the benchmark).`,
    `\`launchdb up --split\` was up ${figures.splitStartSeconds.toFixed(1)} s after it was started (a fresh data folder).`,
    '',
    '### Targets',
    '',
    '| figure | measured | target | |',
    '|---|---|---|---|',
    `| Caddy's added p50, PK lookup (Caddy → gateway minus the gateway's own port, median of ${lookups.caddyAddedPerRound.length} rounds) | ${caddyAdded.toFixed(2)} ms | ≤ ${TARGETS.caddyAddedP50Ms} ms | ${verdict(caddyAdded <= TARGETS.caddyAddedP50Ms)} |`,
    `| Caddy's added p50, supabase-js sign-in (same, through auth-service; the answer gzipped, as Node's fetch asks) | ${median(signIns.caddyAddedPerRound).toFixed(2)} ms | ≤ ${TARGETS.caddyAddedP50Ms} ms | ${verdict(median(signIns.caddyAddedPerRound) <= TARGETS.caddyAddedP50Ms)} |`,
    `| the same sign-in with \`Accept-Encoding: identity\` | ${median(signIns.uncompressed?.caddyAddedPerRound ?? [Number.NaN]).toFixed(2)} ms | ≤ ${TARGETS.caddyAddedP50Ms} ms | ${verdict(median(signIns.uncompressed?.caddyAddedPerRound ?? [Number.NaN]) <= TARGETS.caddyAddedP50Ms)} |`,
    `| idle memory of the split stack, PSS over the whole tree | ${idlePss.toFixed(0)} MB | ≤ ${TARGETS.idlePssMb} MB | ${verdict(idlePss <= TARGETS.idlePssMb)} |`,
    '',
    `### PK lookup (\`GET /db/<id>/bench_items?select=id,name,price&id=eq.N\`), ms`,
    '',
    '| path | p50 | p95 | requests |',
    '|---|---|---|---|',
    ...latencyRows(lookups),
    '',
    `Per round, p50 through Caddy minus the gateway's own port: ${perRound(lookups.caddyAddedPerRound)} ms; minus \`launchdb up\`: ${perRound(lookups.splitAddedPerRound)} ms.`,
    '',
    '### supabase-js `auth.signInWithPassword`, ms',
    '',
    '| path | p50 | p95 | sign-ins |',
    '|---|---|---|---|',
    ...latencyRows(signIns),
    '',
    `Per round, p50 through Caddy minus auth-service's own port: ${perRound(signIns.caddyAddedPerRound)} ms (uncompressed: ${perRound(signIns.uncompressed?.caddyAddedPerRound ?? [])} ms); minus \`launchdb up\`: ${perRound(signIns.splitAddedPerRound)} ms.`,
    '',
    `### Idle memory of \`launchdb up --split\` (one project's data API awake), MB`,
    '',
    `After start and setup, ${settleSeconds} s idle (just after setup, before V8 gave back what start-up used: ${total(figures.justAfterSetup, 'pssMb').toFixed(0)} MB PSS, of which the launcher ${(figures.justAfterSetup.find((group) => group.name.startsWith('launcher'))?.pssMb ?? 0).toFixed(0)} MB):`,
    '',
    '| process | count | PSS | USS | RSS |',
    '|---|---|---|---|---|',
    ...memoryRows(idle),
    `| **whole tree** | ${idle.reduce((sum, group) => sum + group.processes, 0)} | **${idlePss.toFixed(1)}** | ${total(idle, 'ussMb').toFixed(1)} | ${total(idle, 'rssMb').toFixed(1)} |`,
    '',
    `Without the launcher (what docker-compose.yml runs, which has no launcher): ${(idlePss - launcher).toFixed(0)} MB PSS.` +
      (idle.some((group) => /pgbouncer/i.test(group.name))
        ? ''
        : ` This split stack ran no PgBouncer; compose adds one: ${figures.pgbouncerPssMb === undefined ? 'not installed here' : `${figures.pgbouncerPssMb.toFixed(1)} MB PSS in \`launchdb up\`'s tree in this run`}.`),
    '',
    `After the requests above, ${settleSeconds} s idle (\`launchdb up\` stopped first): ${total(idleAfter, 'pssMb').toFixed(0)} MB PSS, ${total(idleAfter, 'ussMb').toFixed(0)} MB USS, ${total(idleAfter, 'rssMb').toFixed(0)} MB RSS` +
      ` (${idleAfter.slice(0, 4).map((group) => `${group.name.split(' (')[0]} ${group.pssMb.toFixed(0)}`).join(', ')}, …).`,
    '',
  ].join('\n');
}

async function writeResults(text: string): Promise<void> {
  const current = await readFile(benchMd, 'utf8').catch(() => undefined);
  const start = current?.indexOf(RESULTS_START) ?? -1;
  const end = current?.indexOf(RESULTS_END) ?? -1;
  if (current === undefined || start === -1 || end === -1) {
    log(`${benchMd} has no results markers: results printed only`);
    return;
  }
  const stamp = `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.\n\n`;
  await writeFile(benchMd, `${current.slice(0, start + RESULTS_START.length)}\n${stamp}${text}${current.slice(end)}`);
  log(`results written to ${benchMd}`);
}

await main();
