import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHavenPlatform, type HavenTestPlatform, type HavenTestProject } from './testing/haven-platform.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const CAPTURES = 300;
const NOTES_PER_LIFE = 30;

/**
 * The worker process is killed (SIGKILL) at random moments while voice notes are in flight —
 * claimed, their audio at a slow transcriber — and while batches of text notes are being claimed,
 * read and written, and started again, many times. Then every capture is processed, and each
 * result was written exactly once.
 */
describe('worker killed mid-job', () => {
  let platform: HavenTestPlatform;
  let haven: HavenTestProject;
  let transcriber: Server;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    platform = await startHavenPlatform();
    haven = await platform.project();
    // every completion of a capture, as the database saw it
    await haven.admin.query(`
      create table public.completions (capture_id uuid not null, at timestamptz not null default clock_timestamp());
      create function public.log_completion() returns trigger language plpgsql security definer as $$
      begin insert into public.completions (capture_id) values (new.id); return null; end $$;
      create trigger log_completion after update of processed_at on public.captures
        for each row when (new.processed_at is distinct from old.processed_at) execute function public.log_completion();`);
    transcriber = createServer((request, response) => {
      request.resume();
      // 100 to 300 ms: kills land while jobs wait here
      request.on('end', () => setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"checked the sump pump"}'), 100 + Math.random() * 200));
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => transcriber.once('listening', resolve));
  }, 60_000);
  afterAll(async () => {
    child?.kill('SIGKILL');
    transcriber?.close();
    await platform?.close();
  });

  const start = (): Promise<ChildProcess> =>
    new Promise((resolve, reject) => {
      const worker = spawn(process.execPath, ['--import', 'tsx', MAIN], {
        env: {
          ...process.env,
          DATABASE_URL: platform.platformUrl,
          LAUNCHDB_MASTER_KEY: platform.masterKey,
          POSTGRES_HOST: platform.postgres.host,
          POSTGRES_PORT: String(platform.postgres.port),
          POOLER_HOST: platform.postgres.host,
          POOLER_PORT: String(platform.postgres.port),
          STORAGE_BACKEND: 'fs',
          STORAGE_FS_ROOT: platform.storageRoot,
          WORKER_HEALTH_PORT: '0',
          WORKER_LEASE_SECONDS: '2',
          WORKER_SWEEP_SECONDS: '1',
          WORKER_MAX_ATTEMPTS: '50',
          WORKER_TRANSCRIBE_URL: `http://127.0.0.1:${(transcriber.address() as AddressInfo).port}`,
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      worker.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (process.env.WORKER_TEST_LOG) process.stderr.write(chunk);
        if (output.includes('"worker started"')) resolve(worker);
      });
      worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) before it started: ${output.slice(-500)}`)));
    });

  it('loses nothing and processes nothing twice', async () => {
    const owner = await haven.user();
    await haven.upload(owner, `${owner}/voice.webm`, Buffer.from('audio'), 'audio/webm');
    await haven.admin.query(`insert into captures (owner_id, kind, storage_path) select $1, 'voice', $2 from generate_series(1, $3)`, [owner, `${owner}/voice.webm`, CAPTURES]);

    let kills = 0;
    let notes = 0;
    const deadline = Date.now() + (process.env.WORKER_TEST_LOG ? 3_000 : 28_000);
    const remaining = async () => (await haven.admin.query<{ n: number }>(`select count(*)::int as n from captures where status <> 'processed'`)).rows[0]!.n;
    while (Date.now() < deadline && (await remaining()) > 0) {
      child = await start();
      // the gateway's word that the project is in use: the worker listens for it
      await platform.platformDb.query(`select pg_notify('launchdb_project_active', $1)`, [haven.id]);
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 600));
      // a burst of notes just before the kill: it lands while their batches are claimed, read or written
      await haven.admin.query(`insert into captures (owner_id, kind, body) select $1, 'text', 'cleaned the gutters' from generate_series(1, $2)`, [owner, NOTES_PER_LIFE]);
      notes += NOTES_PER_LIFE;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
      kills += 1;
    }
    // the last life runs to the end
    child = await start();
    const settled = Date.now() + 20_000;
    while ((await remaining()) > 0 && Date.now() < settled) await new Promise((resolve) => setTimeout(resolve, 200));

    const { rows } = await haven.admin.query<{ processed: number; notes: number; completions: number; twice: number; attempts_max: number; retried: number; notes_retried: number }>(`
      select (select count(*)::int from captures where status = 'processed' and result ->> 'text' = 'checked the sump pump') as processed,
             (select count(*)::int from captures where status = 'processed' and kind = 'text' and result ->> 'text' = 'cleaned the gutters') as notes,
             (select count(*)::int from captures where kind = 'text' and attempts > 1) as notes_retried,
             (select count(*)::int from completions) as completions,
             (select count(*)::int from (select capture_id from completions group by capture_id having count(*) > 1) t) as twice,
             (select max(attempts)::int from captures) as attempts_max,
             (select count(*)::int from captures where attempts > 1) as retried`);
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(rows[0]).toMatchObject({ processed: CAPTURES, notes, completions: CAPTURES + notes, twice: 0 });
    // the kills did land mid-job: some captures were claimed again after their lease lapsed
    expect(rows[0]!.retried).toBeGreaterThan(0);
    // and some landed between a batch of notes' claim and its write (180 of 450 notes in one run here)
    expect(rows[0]!.notes_retried).toBeGreaterThan(0);
  }, 90_000);
});
