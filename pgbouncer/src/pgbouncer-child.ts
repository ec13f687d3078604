import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { basename, dirname, resolve } from 'node:path';
import { StartupError } from '@launchdb/common/errors';
import type { RunAs } from '@launchdb/common/service-user';

export interface PgBouncerChildOptions {
  binary: string;
  /** Its pgbouncer.ini, whoever writes it; PgBouncer runs in its folder. */
  iniPath: string;
  /** `listen_addr` and `listen_port` as the ini says: checked free before start, polled until it accepts connections. */
  listenAddress: string;
  listenPort: number;
  /** `pidfile` when the ini names one: PgBouncer refuses to start while a stale one names a live process. */
  pidFile?: string;
  /** PgBouncer refuses to run as root: when we are root, pass `serviceUser()`. */
  runAs: RunAs | undefined;
  onLog?: (line: string) => void;
  /** Called when a started PgBouncer exits without stop() or killNow() having asked it to. */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 50;
const RECENT_LINES = 20;

/**
 * One PgBouncer run in the foreground as a child process we own, on an ini file: the files of
 * PgBouncerProcess (`launchdb up`), or those platform-migrate and platform-api write into a
 * shared folder (`launchdb up --split`, as compose's pgbouncer container reads them).
 */
export class PgBouncerChild {
  readonly #options: PgBouncerChildOptions;
  #stopping = false;
  #process: ChildProcess | undefined;

  constructor(options: PgBouncerChildOptions) {
    this.#options = { ...options, iniPath: resolve(options.iniPath) };
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  get running(): boolean {
    return this.#process !== undefined;
  }

  get port(): number {
    return this.#options.listenPort;
  }

  /** The address a client on this machine connects to. */
  get host(): string {
    return clientHost(this.#options.listenAddress);
  }

  /**
   * Resolves once its port accepts connections. Rejects with a StartupError saying why when it
   * cannot listen or stops during start-up.
   */
  async start(): Promise<void> {
    if (this.#process) throw new Error('PgBouncer is already running');
    const { binary, iniPath, runAs } = this.#options;
    await this.#clearStalePidFile();
    await this.#refuseIfPortTaken();

    const child = spawn(binary, [iniPath], {
      ...(runAs ?? {}),
      cwd: dirname(iniPath),
      stdio: ['ignore', 'pipe', 'pipe'],
      // its own process group: a Ctrl-C in our terminal must not stop it behind our back
      detached: true,
    });
    this.#process = child;
    const recent: string[] = [];
    const onLine = (line: string): void => {
      recent.push(line);
      if (recent.length > RECENT_LINES) recent.shift();
      this.#options.onLog?.(line);
    };
    forEachLine(child.stdout, onLine);
    forEachLine(child.stderr, onLine);
    this.#stopping = false;
    let ready = false;
    child.once('exit', (code, signal) => {
      if (this.#process === child) this.#process = undefined;
      if (ready && !this.#stopping) this.#options.onUnexpectedExit?.(code, signal);
    });

    try {
      await this.#waitUntilListening(child, recent);
      ready = true;
    } catch (error) {
      await this.#killAndWait(child);
      throw error;
    }
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

  /**
   * PgBouncer refuses to start while its pid file names a live process, and after a SIGKILL the
   * file stays behind; its pid may since belong to something else entirely.
   */
  async #clearStalePidFile(): Promise<void> {
    const { pidFile } = this.#options;
    if (!pidFile) return;
    let text: string;
    try {
      text = await readFile(pidFile, 'utf8');
    } catch {
      return;
    }
    const pid = Number(text.trim());
    if (Number.isInteger(pid) && pid > 0 && isPgBouncer(pid)) {
      throw new StartupError(`the PgBouncer folder ${dirname(pidFile)} is in use by a running PgBouncer (pid ${pid}); is another launchdb running?`);
    }
    await rm(pidFile, { force: true });
  }

  /**
   * Checked before spawning: while PgBouncer is still starting, a probe of a port someone else
   * holds would be answered by that someone, and we would call it ready. Other bind errors
   * (an address this machine does not have) are left for PgBouncer to report.
   */
  async #refuseIfPortTaken(): Promise<void> {
    const { listenAddress, listenPort } = this.#options;
    for (const address of listenAddress.split(',').map((part) => part.trim())) {
      const host = address === '*' ? '0.0.0.0' : address;
      if ((await bindErrorCode(listenPort, host)) === 'EADDRINUSE') {
        throw new StartupError(`PgBouncer cannot listen on ${host}:${listenPort}: the port is already in use`);
      }
    }
  }

  #waitUntilListening(child: ChildProcess, recent: string[]): Promise<void> {
    const { listenPort, binary } = this.#options;
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
      const onError = (error: Error): void => finish(new StartupError(`PgBouncer could not be started (${binary}): ${error.message}`));
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

/** Wildcard listeners are reached through loopback. */
export function clientHost(listenAddress: string): string {
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
