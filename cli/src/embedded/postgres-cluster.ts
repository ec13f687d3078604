import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, readdir, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processExists } from '@launchdb/common/processes';
import { StartupError, unreachableAncestor } from '@launchdb/common';
import { locatePostgresBinaries } from './postgres-binaries.ts';
import type { RunAs } from '@launchdb/common';

export interface PostgresClusterOptions {
  /** The cluster's PGDATA; its parent must be traversable by `runAs`. */
  dataDir: string;
  port: number;
  superuser: string;
  superuserPassword: string;
  runAs: RunAs | undefined;
  onLog?: (line: string) => void;
  /** Called when a started server exits without stop() or killNow() having asked it to. */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

const SUPPORTED_MAJOR = '15';
// a start after an unclean stop replays the WAL since the last checkpoint: with hundreds of freshly
// created databases that is gigabytes, minutes on a busy machine (30 s failed a restart with 500)
const START_TIMEOUT_MS = 180_000;
// the shutdown checkpoint is what makes the next start quick: worth waiting for rather than SIGQUIT
const STOP_TIMEOUT_MS = 90_000;
const SLOW_STOP_MS = 10_000;
/** How long a dead postmaster's backends get to obey SIGQUIT before SIGKILL, as the postmaster itself allows them. */
const LEFTOVER_QUIT_MS = 1_000;

/** One PostgreSQL 15 cluster on 127.0.0.1, run as a child process we own. */
export class PostgresCluster {
  readonly #options: PostgresClusterOptions;
  #process: ChildProcess | undefined;
  /** Bumped by stop() and killNow(): a start() under way when they are called must not spawn afterwards. */
  #stops = 0;
  #stopping = false;

  constructor(options: PostgresClusterOptions) {
    this.#options = options;
  }

  get port(): number {
    return this.#options.port;
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  connectionString(database = 'postgres'): string {
    const { superuser, superuserPassword, port } = this.#options;
    return `postgres://${encodeURIComponent(superuser)}:${encodeURIComponent(superuserPassword)}@127.0.0.1:${port}/${database}`;
  }

  /** True when the folder already holds a cluster of the supported major version. */
  async isInitialised(): Promise<boolean> {
    let version: string;
    try {
      version = (await readFile(join(this.#options.dataDir, 'PG_VERSION'), 'utf8')).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new StartupError(`cannot read the PostgreSQL data folder ${this.#options.dataDir}: ${(error as Error).message}`);
    }
    if (version !== SUPPORTED_MAJOR) {
      throw new StartupError(`the data folder ${this.#options.dataDir} holds PostgreSQL ${version} data; this build runs PostgreSQL ${SUPPORTED_MAJOR}`);
    }
    return true;
  }

  async initialise(): Promise<void> {
    const { dataDir, runAs, superuser, superuserPassword } = this.#options;
    const binaries = await locatePostgresBinaries();
    this.#assertReachable();
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const passwordFile = join(dataDir, `..`, `.pwfile-${randomBytes(6).toString('hex')}`);
    await writeFile(passwordFile, `${superuserPassword}\n`, { mode: 0o600 });
    try {
      if (runAs) {
        await chown(dataDir, runAs.uid, runAs.gid);
        await chown(passwordFile, runAs.uid, runAs.gid);
      }
      await this.#run(binaries.initdb, [
        `--pgdata=${dataDir}`,
        `--username=${superuser}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ]);
    } finally {
      await rm(passwordFile, { force: true });
    }
  }

  /**
   * Starts the server and resolves once it accepts connections. After a crash (ours or the
   * server's), PostgreSQL replays its WAL itself; what could stop it from starting is dealt with
   * first: backends the dead postmaster left running, and a lock file naming a pid now reused.
   */
  async start(): Promise<void> {
    const { dataDir, port, runAs } = this.#options;
    const stops = this.#stops;
    const binaries = await locatePostgresBinaries();
    this.#assertReachable();
    // a live postmaster of this folder is refused before anything of its is ended
    await this.#refuseIfInUse();
    await this.#endLeftoverBackends();
    if (this.#stops !== stops) throw new StartupError('PostgreSQL was stopped while it was starting');
    this.#stopping = false;
    const child = spawn(
      binaries.postgres,
      [
        '-D', dataDir,
        '-p', String(port),
        '-c', 'listen_addresses=127.0.0.1',
        // no Unix socket: its default folder may not exist, and everything connects over TCP
        '-c', 'unix_socket_directories=',
        // PgBouncer keeps a project's backends server_idle_timeout (60 s) after its last request,
        // and has no cap over all pools: with 1,000 projects, 200 ran out while projects were
        // created (each new data API's first backends) — a slot costs PostgreSQL a few kB
        '-c', 'max_connections=500',
        // after a crash, one syncfs() of the file system instead of an fsync of every file in the
        // folder, which took seconds of a restart (Linux only; elsewhere the default)
        ...(process.platform === 'linux' ? ['-c', 'recovery_init_sync_method=syncfs'] : []),
        // the autovacuum launcher starts a worker in every database once per naptime, whether or
        // not anything changed there (two transactions and a process each): with 1,000 project
        // databases the default 1 min is a process every 60 ms on an idle platform; 5 min leaves
        // one every 0.3 s. A busy table then waits up to 5 min for its vacuum rather than 1.
        '-c', 'autovacuum_naptime=300',
      ],
      { ...(runAs ?? {}), stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, LC_MESSAGES: 'C' } },
    );
    this.#process = child;
    const recent: string[] = [];
    let ready = false;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new StartupError(`PostgreSQL did not become ready within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      const onOutput = (chunk: Buffer): void => {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          recent.push(line);
          if (recent.length > 20) recent.shift();
          this.#options.onLog?.(line);
          if (line.includes('database system is ready to accept connections')) {
            clearTimeout(timer);
            ready = true;
            resolve();
          }
        }
      };
      child.stdout?.on('data', onOutput);
      child.stderr?.on('data', onOutput);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new StartupError(`PostgreSQL could not be started: ${error.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.#process === child) this.#process = undefined;
        if (ready && !this.#stopping) this.#options.onUnexpectedExit?.(code, signal);
        reject(new StartupError(`PostgreSQL stopped during start-up: ${describeFailure(recent, port)}`));
      });
    });
  }

  /** Fast shutdown: open transactions are rolled back, then the server exits. */
  async stop(): Promise<void> {
    this.#stops += 1;
    this.#stopping = true;
    const child = this.#process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    // PostgreSQL writes its shutdown checkpoint quietly: a long one is said, so a slow stop is not a hang
    const slow = setTimeout(
      () => this.#options.onLog?.(`launchdb: WARNING: PostgreSQL is still writing its shutdown checkpoint after ${SLOW_STOP_MS / 1000} s; waiting up to ${STOP_TIMEOUT_MS / 1000} s`),
      SLOW_STOP_MS,
    );
    const timer = setTimeout(() => {
      this.#options.onLog?.(
        `launchdb: WARNING: PostgreSQL's shutdown checkpoint did not finish within ${STOP_TIMEOUT_MS / 1000} s: stopped with SIGQUIT; its next start replays the WAL (crash recovery)`,
      );
      child.kill('SIGQUIT');
    }, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(slow);
    clearTimeout(timer);
    this.#process = undefined;
  }

  /** Synchronous, for `process.on('exit')`: nothing we started may outlive us. */
  killNow(): void {
    this.#stops += 1;
    this.#stopping = true;
    const child = this.#process;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
  }

  #assertReachable(): void {
    const { dataDir, runAs } = this.#options;
    if (!runAs) return;
    const blocked = unreachableAncestor(dataDir, runAs);
    if (blocked) {
      throw new StartupError(
        `PostgreSQL runs as the postgres OS user, which cannot enter ${blocked}; put the data folder elsewhere (e.g. LAUNCHDB_DATA_DIR=/var/lib/launchdb) or allow it with chmod o+x ${blocked}`,
      );
    }
  }

  /**
   * A lock file whose pid is gone is PostgreSQL's to remove (it checks the old shared memory
   * first). One whose pid is alive but is not a server of this folder (the pid was reused
   * since the crash) would make it refuse to start: that one we remove.
   */
  async #refuseIfInUse(): Promise<void> {
    const pidFile = join(this.#options.dataDir, 'postmaster.pid');
    let text: string;
    try {
      text = await readFile(pidFile, 'utf8');
    } catch {
      return;
    }
    const pid = Number(text.split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !processExists(pid)) return;
    const serverOf = await this.#serverProcesses();
    if (serverOf === undefined || serverOf.includes(pid)) {
      throw new StartupError(`the data folder ${this.#options.dataDir} is in use by a running PostgreSQL (pid ${pid}); is another launchdb running?`);
    }
    await rm(pidFile, { force: true });
  }

  /**
   * Backends of a postmaster that was killed outright keep running until they notice (most at
   * once, one in a long query only at its end), and while they hold the old shared memory a new
   * postmaster refuses to start. We end them as the postmaster would have: SIGQUIT, then SIGKILL.
   * Their transactions were not acknowledged, and WAL recovery undoes them.
   */
  async #endLeftoverBackends(): Promise<void> {
    if (this.#process) return;
    let leftovers = await this.#serverProcesses();
    if (!leftovers?.length) return;
    for (const pid of leftovers) signal(pid, 'SIGQUIT');
    const deadline = Date.now() + LEFTOVER_QUIT_MS;
    while (leftovers.length && Date.now() < deadline) {
      await sleep(20);
      leftovers = leftovers.filter(processExists);
    }
    for (const pid of leftovers) signal(pid, 'SIGKILL');
    while (leftovers.length) {
      await sleep(20);
      leftovers = leftovers.filter(processExists);
    }
  }

  /**
   * PostgreSQL processes working in this data folder (every one of them has it as its working
   * directory); undefined where /proc cannot tell (macOS).
   */
  async #serverProcesses(): Promise<number[] | undefined> {
    let entries: string[];
    let folder: string;
    try {
      entries = await readdir('/proc');
      folder = await realpath(this.#options.dataDir);
    } catch {
      return undefined;
    }
    const pids: number[] = [];
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if ((await readlink(`/proc/${entry}/cwd`)) !== folder) continue;
        if ((await readFile(`/proc/${entry}/comm`, 'utf8')).trim() !== 'postgres') continue;
        pids.push(Number(entry));
      } catch {
        // gone meanwhile, or not ours to look at
      }
    }
    return pids;
  }

  #run(command: string, args: string[]): Promise<void> {
    const { runAs } = this.#options;
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { ...(runAs ?? {}), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.once('error', (error) => reject(new StartupError(`${command} could not be run: ${error.message}`)));
      child.once('exit', (code) => {
        if (code === 0) resolve();
        else reject(new StartupError(`initdb failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' ')}`));
      });
    });
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function describeFailure(lines: string[], port: number): string {
  const text = lines.join('\n');
  if (/could not bind|Address already in use/i.test(text)) return `port ${port} is already in use`;
  if (/Permission denied/i.test(text)) return lines.find((line) => /Permission denied/i.test(line)) ?? 'permission denied';
  const fatal = lines.filter((line) => /FATAL|PANIC|ERROR/.test(line)).pop();
  return fatal ?? lines.slice(-1)[0] ?? 'no output';
}
