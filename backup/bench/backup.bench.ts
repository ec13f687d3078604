/**
 * `npm run bench:backup`: a backup and a restore of one project database (1 GB by default) in a
 * throwaway PostgreSQL 15, against the bare tools on the same database in the same run:
 *
 *   backup   BackupEngine.backupProject (snapshot, row counts, pg_dump -Fc, OpenPGP, SHA-256, fsync)
 *            vs `pg_dump -Fc > /dev/null`                           target ≥ 70 % of its throughput
 *   restore  BackupEngine.verify's restore (decrypt, SHA-256, pg_restore into a scratch database)
 *            vs `pg_restore -d <empty database> <file>`            target ≥ 70 % of its throughput;
 *            the whole verify (with every table counted) is shown beside it
 *   memory   the backup process's peak RSS (VmHWM; it runs in a child process of its own, under
 *            tsx as `launchdb up` and backup/src/main.ts do; pg_dump, pg_restore and gpg are its children) ≤ 150 MB
 *
 * A benchmark, not a test: prints PASS/FAIL and exits 0 once it has run.
 *   BENCH_SMOKE=1   a few MB, seconds long (what CI runs); BENCH.md is not rewritten
 *   BENCH_DB_MB     size of the table data (default 1000)
 *   BENCH_ROUNDS    each measurement is taken this many times, the best kept (default 2)
 *   --no-write      do not rewrite backup/BENCH.md
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { applyMigrations, quoteIdent, readMigrations, withClient, withDatabase } from '@launchdb/common';
import { startThrowawayPostgres } from '@launchdb/testkit/throwaway-postgres';
import { generateBackupKeyPair } from '../src/encryption.ts';
import { libpqEnvironment, postgresTools } from '../src/tools.ts';

const run = promisify(execFile);
const smoke = process.env.BENCH_SMOKE === '1';
const targetMb = smoke ? 8 : Number(process.env.BENCH_DB_MB ?? 1000);
const write = !smoke && !process.argv.includes('--no-write');
const PLATFORM_MIGRATIONS = fileURLToPath(new URL('../../postgres/platform/', import.meta.url));
const PROJECT = 'benchproj';
let startRss: number | undefined;
/** As the backup service runs (backup/package.json's start script): a small young generation keeps streamed chunks from piling up as garbage. */
const WORKER_NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=2').split(' ').filter(Boolean);

const postgres = await startThrowawayPostgres('launchdb-bench-backup');
const workdir = await mkdtemp(join(tmpdir(), 'launchdb-bench-backup-'));
try {
  const tools = await postgresTools();
  const adminUrl = withDatabase(postgres.url, 'launchdb');
  await withClient(postgres.url, async (admin) => {
    await admin.query('create database launchdb');
    await admin.query(`create role proj_${PROJECT}_owner login`);
    await admin.query(`create role proj_${PROJECT}_authenticator login noinherit`);
    await admin.query(`create database proj_${PROJECT} owner proj_${PROJECT}_owner`);
  });
  await withClient(adminUrl, async (admin) => {
    await applyMigrations(admin, await readMigrations(PLATFORM_MIGRATIONS), { schema: 'platform', table: 'schema_migrations' });
    await admin.query(`insert into platform.projects (id, name, status) values ($1, 'Bench', 'active')`, [PROJECT]);
  });
  const projectUrl = withDatabase(postgres.url, `proj_${PROJECT}`);
  process.stdout.write(`filling proj_${PROJECT} with about ${targetMb} MB…\n`);
  const fillStarted = performance.now();
  await withClient(projectUrl, async (client) => {
    await client.query(`set role proj_${PROJECT}_owner`);
    await client.query('create table public.readings (id bigint primary key, taken_at timestamptz not null, sensor text not null, note text not null)');
    // rows of about 330 bytes: an id, a time, a short and a long text of hex digits (compressible as real text is)
    const rows = Math.round((targetMb * 1e6) / 330);
    const batch = 200_000;
    for (let first = 1; first <= rows; first += batch) {
      const last = Math.min(rows, first + batch - 1);
      await client.query(
        `insert into public.readings select g, timestamptz '2026-01-01' + g * interval '1 second', 'sensor-' || (g % 500), repeat(md5(g::text), 4) || ' ' || md5((g * 7)::text) || repeat(md5((g % 1000)::text), 4)
           from generate_series($1::bigint, $2::bigint) g`,
        [first, last],
      );
    }
  });
  // hint bits and the visibility map set once, as on a database that has lived a while, so the first
  // measurement does not pay for them
  await withClient(projectUrl, (client) => client.query('vacuum (analyze) public.readings'));
  const size = await withClient(postgres.url, async (admin) => Number((await admin.query<{ size: string }>('select pg_database_size($1) as size', [`proj_${PROJECT}`])).rows[0]!.size));
  process.stdout.write(`database: ${mb(size)} MB (filled in ${seconds(performance.now() - fillStarted)} s)\n`);

  // the floors: bare pg_dump to /dev/null, and pg_restore of a dump file into an empty database
  const environment = libpqEnvironment(projectUrl);
  const dumpFile = join(workdir, 'bare.dump');
  await runTool(tools.pgDump, ['-Fc', '-f', dumpFile], environment);

  const keys = await generateBackupKeyPair('bench');
  const publicKeyFile = join(workdir, 'public.asc');
  const privateKeyFile = join(workdir, 'private.asc');
  await writeFile(publicKeyFile, keys.publicKey);
  await writeFile(privateKeyFile, keys.privateKey, { mode: 0o600 });
  const backupsFolder = join(workdir, 'backups');
  const worker = (operation: 'backup' | 'verify', id = ''): Promise<{ ms: number; restoreMs: number; peakRss: number; startRss: number; id: string }> =>
    runWorker([operation, adminUrl, backupsFolder, publicKeyFile, privateKeyFile, id], { BENCH_PROJECT: PROJECT });

  // each measured in turn, `rounds` times: the best of each, so a burst of load elsewhere on the
  // machine does not decide the ratio
  const rounds = smoke ? 1 : Number(process.env.BENCH_ROUNDS ?? 2);
  const scratch = 'bare_restore';
  const measured = { bareDump: Infinity, pipedDump: Infinity, backup: Infinity, bareRestore: Infinity, restore: Infinity, verify: Infinity, backupRss: 0, restoreRss: 0, startRss: 0 };
  let manifestId = '';
  for (let round = 0; round < rounds; round += 1) {
    measured.bareDump = Math.min(measured.bareDump, await timed(() => runTool(tools.pgDump, ['-Fc'], environment, '/dev/null')));
    // pg_dump writes faster into a pipe than into /dev/null (a seekable file): the stricter floor
    measured.pipedDump = Math.min(measured.pipedDump, await timed(() => runTool(tools.pgDump, ['-Fc'], environment, 'pipe')));
    const backup = await worker('backup');
    manifestId = backup.id;
    measured.backup = Math.min(measured.backup, backup.ms);
    measured.backupRss = Math.max(measured.backupRss, backup.peakRss);
    measured.startRss = backup.startRss;
    await withClient(postgres.url, async (admin) => {
      await admin.query(`drop database if exists ${quoteIdent(scratch)}`);
      await admin.query(`create database ${quoteIdent(scratch)} template template0`);
    });
    measured.bareRestore = Math.min(
      measured.bareRestore,
      await timed(() => runTool(tools.pgRestore, ['--no-owner', '--no-privileges', '--exit-on-error', '-d', scratch, dumpFile], libpqEnvironment(withDatabase(postgres.url, scratch)))),
    );
    const restore = await worker('verify', manifestId);
    measured.restore = Math.min(measured.restore, restore.restoreMs);
    measured.verify = Math.min(measured.verify, restore.ms);
    measured.restoreRss = Math.max(measured.restoreRss, restore.peakRss);
    process.stdout.write(`round ${round + 1} (best so far): pg_dump > /dev/null ${seconds(measured.bareDump)} s, pg_dump | ${seconds(measured.pipedDump)} s, backup ${seconds(measured.backup)} s, pg_restore ${seconds(measured.bareRestore)} s, verify ${seconds(measured.verify)} s of which restore ${seconds(measured.restore)} s\n`);
  }
  const { bareDump, pipedDump, backup, bareRestore, restore, verify } = measured;
  const dumpFloor = Math.min(bareDump, pipedDump);
  const backupPeak = measured.backupRss;
  const restorePeak = measured.restoreRss;
  const rssBefore = measured.startRss;
  const dumpBytes = (await stat(dumpFile)).size;
  const backupRatio = dumpFloor / backup;
  const restoreRatio = bareRestore / restore;
  const peakMb = Math.max(backupPeak, restorePeak) / 1e6;
  const lines = [
    `database ${mb(size)} MB, custom-format dump ${mb(dumpBytes)} MB`,
    `backup   ${seconds(backup)} s vs bare pg_dump -Fc ${seconds(dumpFloor)} s (> /dev/null ${seconds(bareDump)} s, into a pipe ${seconds(pipedDump)} s): ${pct(backupRatio)} of its throughput (target ≥ 70 %) ${backupRatio >= 0.7 ? 'PASS' : 'FAIL'}`,
    `restore  ${seconds(restore)} s vs bare pg_restore ${seconds(bareRestore)} s: ${pct(restoreRatio)} of its throughput (target ≥ 70 %) ${restoreRatio >= 0.7 ? 'PASS' : 'FAIL'}`,
    `verify   ${seconds(verify)} s in all: the restore above, every table counted, the files checked, the scratch database dropped (${pct(bareRestore / verify)} of bare pg_restore)`,
    `memory   peak RSS ${peakMb.toFixed(0)} MB (backup ${mb(backupPeak)} MB, restore ${mb(restorePeak)} MB, at start ${mb(rssBefore)} MB) (target ≤ 150 MB) ${peakMb <= 150 ? 'PASS' : 'FAIL'}`,
  ];
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg()[0]!.toFixed(1)} at the end, Node ${process.version}, ${(await run(tools.pgDump, ['--version'])).stdout.trim()}`;
  process.stdout.write(`\n${smoke ? '(smoke run: figures are not meaningful)\n' : ''}${lines.join('\n')}\nmachine: ${machine}\n`);
  if (write) {
    await writeFile(
      new URL('../BENCH.md', import.meta.url),
      `# backup benchmark\n\n\`npm run bench:backup\` (${new Date().toISOString().slice(0, 10)}; see bench/backup.bench.ts for what is measured)\n\n\`\`\`\n${lines.join('\n')}\n\`\`\`\n\nMachine: ${machine}.\n`,
    );
  }
} finally {
  await rm(workdir, { recursive: true, force: true });
  await postgres.stop();
}

/**
 * The worker in a process of its own; its peak RSS read from /proc while it runs (VmHWM: the
 * kernel's own high-water mark), and its RSS once its modules are loaded (at its first sample).
 */
async function runWorker(args: string[], extraEnv: Record<string, string>): Promise<{ ms: number; restoreMs: number; peakRss: number; startRss: number; id: string }> {
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, '--import', 'tsx', fileURLToPath(new URL('./backup-worker.ts', import.meta.url)), ...args], {
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  let peakRss = 0;
  const sample = async (): Promise<void> => {
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    if (hwm > peakRss) peakRss = hwm;
  };
  const sampler = setInterval(() => void sample(), 20);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`backup worker ${args[0]} exited ${code}`);
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as { ms: number; backup?: string; id?: string; restoreSeconds?: number };
  return { ms: result.ms, restoreMs: (result.restoreSeconds ?? 0) * 1000, peakRss, startRss: await workerStartRss(), id: result.id ?? result.backup ?? '' };
}

/** The RSS of a worker that has loaded its modules and done nothing yet: what tsx and the libraries cost. */
async function workerStartRss(): Promise<number> {
  if (startRss !== undefined) return startRss;
  const { stdout } = await run(process.execPath, [
    ...WORKER_NODE_FLAGS,
    '--import',
    'tsx',
    '-e',
    `await import(${JSON.stringify(fileURLToPath(new URL('../src/backup-engine.ts', import.meta.url)))}); await import(${JSON.stringify(fileURLToPath(new URL('../src/encryption.ts', import.meta.url)))}); console.log(process.memoryUsage().rss)`,
  ]);
  startRss = Number(stdout.trim());
  return startRss;
}

/** `binary args > stdoutFile` */
async function runTool(binary: string, args: string[], environment: NodeJS.ProcessEnv, stdoutFile?: string): Promise<void> {
  const out = stdoutFile === 'pipe' ? 'pipe' : stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const child = spawn(binary, args, { env: environment, stdio: ['ignore', out, 'inherit'] });
  child.stdout?.resume();
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (typeof out === 'number') closeSync(out);
  if (code !== 0) throw new Error(`${binary} ${args.join(' ')} exited ${code}`);
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(0)} %`;
}
