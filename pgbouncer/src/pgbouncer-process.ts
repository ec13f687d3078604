import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chown, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { StartupError } from '@launchdb/common/errors';
import type { RunAs } from '@launchdb/common/service-user';
import { databaseCommand, runAdminCommand, runAdminCommands, type AdminCommand, type AdminConsoleLogin } from './admin-console.ts';
import { renderPgBouncerIni, renderUserlist } from './config-generator.ts';
import type { PgBouncerSettings, UserSecret } from './settings.ts';

/** The settings a caller chooses; the file paths live in the config folder. */
export type PgBouncerProcessSettings = Omit<PgBouncerSettings, 'authFile' | 'logFile' | 'pidFile'>;

export interface PgBouncerProcessOptions {
  binary: string;
  /** Holds pgbouncer.ini, userlist.txt, the log and the pid file; created if missing and handed to `runAs`. */
  configDir: string;
  settings: PgBouncerProcessSettings;
  users: UserSecret[];
  /** PgBouncer refuses to run as root: when we are root, pass `serviceUser()`. */
  runAs: RunAs | undefined;
  /** Admin console login used by `reload()`; the user must be in `settings.adminUsers` and in `users`. */
  admin?: { user: string; password: string };
  onLog?: (line: string) => void;
  /** Called when a started PgBouncer exits without stop() or killNow() having asked it to. */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 50;
const RECENT_LINES = 20;

/** One PgBouncer, run in the foreground as a child process we own. */
export class PgBouncerProcess {
  readonly #binary: string;
  readonly #configDir: string;
  readonly #runAs: RunAs | undefined;
  readonly #admin: { user: string; password: string } | undefined;
  readonly #onLog: ((line: string) => void) | undefined;
  readonly #onUnexpectedExit: PgBouncerProcessOptions['onUnexpectedExit'];
  #stopping = false;
  /** Between refuseClients() and admitClients(): kept across a restart and a reload of PgBouncer. */
  #refusing = false;
  /**
   * Console commands run one after another: a RELOAD's re-refusal racing an admitClients() on
   * another connection could otherwise land last and leave an alias refused after the outage.
   */
  #console: Promise<unknown> = Promise.resolve();
  #settings: PgBouncerProcessSettings;
  #users: UserSecret[];
  #process: ChildProcess | undefined;

  constructor(options: PgBouncerProcessOptions) {
    this.#binary = options.binary;
    this.#configDir = resolve(options.configDir);
    this.#runAs = options.runAs;
    this.#admin = options.admin;
    this.#onLog = options.onLog;
    this.#onUnexpectedExit = options.onUnexpectedExit;
    this.#settings = options.settings;
    this.#users = options.users;
  }

  get iniPath(): string {
    return join(this.#configDir, 'pgbouncer.ini');
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  get port(): number {
    return this.#settings.listenPort;
  }

  /** The address a client on this machine connects to. */
  get host(): string {
    return clientHost(this.#settings.listenAddress);
  }

  /** Its admin console, as /metrics reads it (SHOW POOLS); undefined without an admin login. */
  get adminLogin(): AdminConsoleLogin | undefined {
    return this.#admin ? { host: this.host, port: this.port, ...this.#admin } : undefined;
  }

  /** Writes pgbouncer.ini and userlist.txt; a reader never sees a half-written file. */
  async writeConfig(): Promise<void> {
    const files = this.#render(this.#settings, this.#users);
    await mkdir(this.#configDir, { recursive: true, mode: 0o700 });
    // PgBouncer creates its log and pid file here, so the folder must be its own.
    if (this.#runAs) await chown(this.#configDir, this.#runAs.uid, this.#runAs.gid);
    await this.#writeAtomically(this.iniPath, files.ini);
    await this.#writeAtomically(this.#path('userlist.txt'), files.userlist);
  }

  /**
   * Writes the config, then starts PgBouncer and resolves once its port accepts connections.
   * Rejects with a StartupError saying why when it cannot listen or stops during start-up.
   */
  async start(): Promise<void> {
    if (this.#process) throw new Error('PgBouncer is already running');
    await this.writeConfig();
    await this.#clearStalePidFile();
    await this.#refuseIfPortTaken();

    const child = spawn(this.#binary, [this.iniPath], {
      ...(this.#runAs ?? {}),
      cwd: this.#configDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      // its own process group: a Ctrl-C in our terminal must not stop it behind our back
      detached: true,
    });
    this.#process = child;
    const recent: string[] = [];
    const onLine = (line: string): void => {
      recent.push(line);
      if (recent.length > RECENT_LINES) recent.shift();
      this.#onLog?.(line);
    };
    forEachLine(child.stdout, onLine);
    forEachLine(child.stderr, onLine);
    this.#stopping = false;
    let ready = false;
    child.once('exit', (code, signal) => {
      if (this.#process === child) this.#process = undefined;
      if (ready && !this.#stopping) this.#onUnexpectedExit?.(code, signal);
    });

    try {
      await this.#waitUntilListening(child, recent);
      ready = true;
    } catch (error) {
      await this.#killAndWait(child);
      throw error;
    }
    // it serves either way: a failure here only means its clients wait for the server instead
    await this.#inTurn(async () => {
      if (this.#refusing) await this.#runOnEveryDatabase(['DISABLE']);
    }).catch((error: Error) => this.#onLog?.(`WARNING refusing clients while the server is down failed: ${error.message}`));
  }

  /**
   * SIGTERM is an immediate shutdown in PgBouncer 1.18; from 1.23 it waits for clients to leave,
   * hence the SIGKILL after a while.
   */
  async stop(): Promise<void> {
    const child = this.#process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.#stopping = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Synchronous, for `process.on('exit')`: nothing we started may outlive us. PgBouncer keeps
   * no state on disk but its pid file, which the next start() clears.
   */
  killNow(): void {
    const child = this.#process;
    this.#stopping = true;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /**
   * Replaces the settings and users and rewrites the files; `reload()` makes a running PgBouncer
   * use them. Listening settings are read only at start, so changing them needs a restart.
   */
  async updateConfig(settings: PgBouncerProcessSettings, users: UserSecret[]): Promise<void> {
    if (this.#process) {
      const before = this.#settings;
      if (settings.listenAddress !== before.listenAddress || settings.listenPort !== before.listenPort || settings.unixSocketDir !== before.unixSocketDir) {
        throw new Error('listenAddress, listenPort and unixSocketDir take effect only when PgBouncer starts: stop() and start() it instead');
      }
    }
    this.#render(settings, users);
    this.#settings = settings;
    this.#users = users;
    await this.writeConfig();
  }

  /** Makes the running PgBouncer re-read its files; resolves once the new config is in force. */
  async reload(): Promise<void> {
    if (!this.#process) throw new Error('PgBouncer is not running');
    if (!this.#admin) throw new Error('reload() needs the admin login: pass `admin` to PgBouncerProcess');
    const admin = this.#admin;
    await this.#inTurn(async () => {
      await runAdminCommand({ host: this.host, port: this.port, ...admin }, 'RELOAD');
      // an alias the reload added is refused like the others
      if (this.#refusing) await this.#runOnEveryDatabase(['DISABLE']);
    });
  }

  /** RELOAD when it runs; a PgBouncer being restarted after a crash reads the new files when it starts. */
  async reloadIfRunning(): Promise<void> {
    if (this.#process) await this.reload();
  }

  /**
   * The server behind is down: PgBouncer would queue every client until it returns (minutes,
   * by query_wait_timeout). Instead each alias refuses new clients at once and drops the ones
   * it has, so callers get an error now (SQLSTATE 08P01) and can answer 503.
   */
  async refuseClients(): Promise<void> {
    this.#refusing = true;
    await this.#inTurn(async () => {
      if (this.#process && this.#refusing) await this.#runOnEveryDatabase(['DISABLE', 'KILL', 'RESUME']);
    });
  }

  /** The server is back: clients are admitted again. */
  async admitClients(): Promise<void> {
    if (!this.#refusing) return;
    this.#refusing = false;
    await this.#inTurn(async () => {
      if (this.#process && !this.#refusing) await this.#runOnEveryDatabase(['ENABLE']);
    });
  }

  #inTurn(work: () => Promise<void>): Promise<void> {
    const turn = this.#console.then(work);
    this.#console = turn.catch(() => undefined);
    return turn;
  }

  async #runOnEveryDatabase(verbs: Array<'DISABLE' | 'ENABLE' | 'KILL' | 'RESUME'>): Promise<void> {
    if (!this.#admin) throw new Error('refusing clients needs the admin login: pass `admin` to PgBouncerProcess');
    const commands: AdminCommand[] = [];
    for (const { alias } of this.#settings.databases) for (const verb of verbs) commands.push(databaseCommand(verb, alias));
    await runAdminCommands({ host: this.host, port: this.port, ...this.#admin }, commands);
  }

  async #killAndWait(child: ChildProcess): Promise<void> {
    // no pid: spawning itself failed, so there is nothing to wait for
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
      if (this.#process === child) this.#process = undefined;
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  #path(name: string): string {
    return join(this.#configDir, name);
  }

  #render(settings: PgBouncerProcessSettings, users: UserSecret[]): { ini: string; userlist: string } {
    return {
      ini: renderPgBouncerIni({
        ...settings,
        authFile: this.#path('userlist.txt'),
        logFile: this.#path('pgbouncer.log'),
        pidFile: this.#path('pgbouncer.pid'),
      }),
      userlist: renderUserlist(users),
    };
  }

  async #writeAtomically(path: string, text: string): Promise<void> {
    await writeAtomically(path, text, this.#runAs);
  }

  /**
   * PgBouncer refuses to start while its pid file names a live process, and after a SIGKILL the
   * file stays behind; its pid may since belong to something else entirely.
   */
  async #clearStalePidFile(): Promise<void> {
    const pidFile = this.#path('pgbouncer.pid');
    let text: string;
    try {
      text = await readFile(pidFile, 'utf8');
    } catch {
      return;
    }
    const pid = Number(text.trim());
    if (Number.isInteger(pid) && pid > 0 && isPgBouncer(pid)) {
      throw new StartupError(`the PgBouncer folder ${this.#configDir} is in use by a running PgBouncer (pid ${pid}); is another launchdb running?`);
    }
    await rm(pidFile, { force: true });
  }

  /**
   * Checked before spawning: while PgBouncer is still starting, a probe of a port someone else
   * holds would be answered by that someone, and we would call it ready. Other bind errors
   * (an address this machine does not have) are left for PgBouncer to report.
   */
  async #refuseIfPortTaken(): Promise<void> {
    const { listenAddress, listenPort } = this.#settings;
    for (const address of listenAddress.split(',').map((part) => part.trim())) {
      const host = address === '*' ? '0.0.0.0' : address;
      if ((await bindErrorCode(listenPort, host)) === 'EADDRINUSE') {
        throw new StartupError(`PgBouncer cannot listen on ${host}:${listenPort}: the port is already in use`);
      }
    }
  }

  #waitUntilListening(child: ChildProcess, recent: string[]): Promise<void> {
    const { listenPort } = this.#settings;
    const host = this.host;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let pollTimer: NodeJS.Timeout | undefined;
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearTimeout(pollTimer);
        child.off('exit', onExit);
        child.off('error', onError);
        if (error) reject(error);
        else resolve();
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        // the last lines may still be in the pipe when 'exit' fires
        setImmediate(() => {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          finish(new StartupError(`PgBouncer stopped during start-up (${how}): ${describeFailure(recent, listenPort)}`));
        });
      };
      const onError = (error: Error): void => finish(new StartupError(`PgBouncer could not be started (${this.#binary}): ${error.message}`));
      const deadline = setTimeout(
        () => finish(new StartupError(`PgBouncer did not accept connections on ${host}:${listenPort} within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
      child.once('exit', onExit);
      child.once('error', onError);
      const poll = (): void => {
        if (settled) return;
        const socket = connect({ host, port: listenPort });
        socket.once('connect', () => {
          socket.destroy();
          finish();
        });
        socket.once('error', () => {
          socket.destroy();
          if (!settled) pollTimer = setTimeout(poll, READY_POLL_MS);
        });
      };
      poll();
    });
  }
}

/** Mode 0600, owned by `owner` when given; a reader never sees a half-written file. */
export async function writeAtomically(path: string, text: string, owner?: RunAs): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode: 0o600 });
    if (owner) await chown(temporary, owner.uid, owner.gid);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Wildcard listeners are reached through loopback. */
function clientHost(listenAddress: string): string {
  const first = listenAddress.split(',')[0]?.trim() ?? '';
  if (first === '*' || first === '0.0.0.0' || first === '') return '127.0.0.1';
  if (first === '::') return '::1';
  return first;
}

function forEachLine(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') onLine(line);
  });
  stream.on('end', () => {
    if (pending.trim() !== '') onLine(pending);
    pending = '';
  });
}

function bindErrorCode(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'UNKNOWN'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** A live pid is taken to be PgBouncer where /proc cannot tell (macOS). */
function isPgBouncer(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const program = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return basename(program) === 'pgbouncer';
  } catch {
    return true;
  }
}

function describeFailure(lines: string[], port: number): string {
  const text = lines.join('\n');
  if (/Address already in use/i.test(text)) return `port ${port} is already in use`;
  // a bind failure is a WARNING per address, followed by an unhelpful "FATAL nowhere to listen on"
  const bindFailure = lines.filter((line) => line.includes('cannot listen on')).pop();
  if (bindFailure) return stripLogPrefix(bindFailure);
  const fatal = lines.filter((line) => /\b(FATAL|ERROR)\b/.test(line)).pop();
  const line = fatal ?? lines.filter((candidate) => /\bWARNING\b/.test(candidate)).pop() ?? lines.at(-1);
  return line ? stripLogPrefix(line) : 'no output';
}

/** `2024-01-01 00:00:00.000 UTC [123] FATAL …` → `FATAL …` */
function stripLogPrefix(line: string): string {
  return line.replace(/^\S+ \S+ \S+ \[\d+\] /, '');
}
