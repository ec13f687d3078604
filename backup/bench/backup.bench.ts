/**
 * `npm run bench:backup`: a backup and a restore of one project database (1 GB by default) in a
 * throwaway PostgreSQL 15, against the bare tools on the same database in the same run:
 *
 *   backup   BackupEngine.backupProject (snapshot, row counts, pg_dump -Fc, OpenPGP, SHA-256, fsync)
 *            vs `pg_dump -Fc > /dev/null`                           target ≥ 70 % of its throughput
 *   restore  BackupEngine.verify (decrypt, SHA-256, pg_restore into a scratch database, count rows)
 *            vs `pg_restore -d <empty database> <file>`            target ≥ 70 % of its throughput
 *   memory   this process's peak RSS during both (pg_dump and pg_restore are children)   ≤ 150 MB
 *
 * A benchmark, not a test: prints PASS/FAIL and exits 0 once it has run.
 *   BENCH_SMOKE=1   a few MB, seconds long (what CI runs); BENCH.md is not rewritten
 *   BENCH_DB_MB     size of the table data (default 1000)
 *   --no-write      do not rewrite backup/BENCH.md
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { applyMigrations, createLogger, quoteIdent, readMigrations, withClient, withDatabase } from '@launchdb/common';
import { startThrowawayPostgres } from '@launchdb/testkit/throwaway-postgres';
import { BackupEngine } from '../src/backup-engine.ts';
import { BackupEncryption, generateBackupKeyPair } from '../src/encryption.ts';
import { LocalBackupStore } from '../src/local-backup-store.ts';
import { libpqEnvironment, postgresTools } from '../src/tools.ts';

const run = promisify(execFile);
const smoke = process.env.BENCH_SMOKE === '1';
const targetMb = smoke ? 8 : Number(process.env.BENCH_DB_MB ?? 1000);
const write = !smoke && !process.argv.includes('--no-write');
const PLATFORM_MIGRATIONS = fileURLToPath(new URL('../../postgres/platform/', import.meta.url));
const PROJECT = 'benchproj';

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
  const size = await withClient(postgres.url, async (admin) => Number((await admin.query<{ size: string }>('select pg_database_size($1) as size', [`proj_${PROJECT}`])).rows[0]!.size));
  process.stdout.write(`database: ${mb(size)} MB (filled in ${seconds(performance.now() - fillStarted)} s)\n`);

  // the floor: bare pg_dump to /dev/null, then once to a file for the restore floor
  const environment = libpqEnvironment(projectUrl);
  const bareDump = await timed(() => runTool(tools.pgDump, ['-Fc'], environment, '/dev/null'));
  const dumpFile = join(workdir, 'bare.dump');
  await runTool(tools.pgDump, ['-Fc', '-f', dumpFile], environment);

  const keys = await generateBackupKeyPair('bench');
  const engine = new BackupEngine({
    adminUrl,
    store: new LocalBackupStore(join(workdir, 'backups')),
    encryption: await BackupEncryption.fromArmored(keys.publicKey, keys.privateKey),
    storageRoot: join(workdir, 'storage'),
    logger: createLogger({ level: 'silent', name: 'bench' }),
    diskReserveBytes: 0,
  });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const rssBefore = process.memoryUsage().rss;
  let manifestId = '';
  const backup = await timed(async () => {
    manifestId = (await engine.backupProject(PROJECT)).id;
  });
  const backupPeak = peak;

  const scratch = 'bare_restore';
  await withClient(postgres.url, (admin) => admin.query(`create database ${quoteIdent(scratch)} template template0`));
  const bareRestore = await timed(() => runTool(tools.pgRestore, ['--no-owner', '--no-privileges', '--exit-on-error', '-d', scratch, dumpFile], libpqEnvironment(withDatabase(postgres.url, scratch))));
  peak = process.memoryUsage().rss;
  const restore = await timed(() => engine.verify(manifestId));
  clearInterval(sampler);
  const restorePeak = peak;

  const dumpBytes = (await stat(dumpFile)).size;
  const backupRatio = bareDump / backup;
  const restoreRatio = bareRestore / restore;
  const peakMb = Math.max(backupPeak, restorePeak) / 1e6;
  const lines = [
    `database ${mb(size)} MB, custom-format dump ${mb(dumpBytes)} MB`,
    `backup   ${seconds(backup)} s vs bare pg_dump -Fc ${seconds(bareDump)} s: ${pct(backupRatio)} of its throughput (target ≥ 70 %) ${backupRatio >= 0.7 ? 'PASS' : 'FAIL'}`,
    `restore  ${seconds(restore)} s vs bare pg_restore ${seconds(bareRestore)} s: ${pct(restoreRatio)} of its throughput (target ≥ 70 %) ${restoreRatio >= 0.7 ? 'PASS' : 'FAIL'}`,
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

/** `binary args > stdoutFile` */
async function runTool(binary: string, args: string[], environment: NodeJS.ProcessEnv, stdoutFile?: string): Promise<void> {
  const out = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const child = spawn(binary, args, { env: environment, stdio: ['ignore', out, 'inherit'] });
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
