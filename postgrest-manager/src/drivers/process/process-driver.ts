import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { access, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { findFreePort, StartupError, type Logger } from '@launchdb/common';
// the flags alone: the whole data API need not load into the manager's process
import { DATA_API_NODE_FLAGS } from '@launchdb/data-api/node-flags';
import { settingsHash, type DataApiSettings } from '../../domain/data-api-settings.ts';
import { delay, pollUntil } from '../../timers.ts';
import { probeAdminServer } from '../admin-probe.ts';
import { forwardDataApiLogLine, secretRedactor } from '../data-api-log.ts';
import type { DataApiDriver, DiscoveredDataApi } from '../driver.ts';
import { pgrstEnvironment } from '../pgrst-environment.ts';
import { LogFileTail } from './log-tail.ts';
import { commandLine, processStartTime } from './proc.ts';
import { isSameProcess, ProcessDataApi } from './process-data-api.ts';
import { StateFolder, type ProcessRecord } from './state-folder.ts';

export interface ProcessDriverOptions {
  /** The bundled data API (data-api/dist/main.js), run as `node <DATA_API_NODE_FLAGS> <entry>`. */
  entry: string;
  /** Where each process's record and log file are kept; a manager started on the same folder adopts them. */
  stateDir: string;
  logger: Logger;
  /** `process.execPath` by default. */
  nodeBinary?: string;
  nodeFlags?: readonly string[];
  /** How long a data API may take to finish its requests after SIGTERM before SIGKILL; 5 s by default. */
  stopTimeoutMs?: number;
  /** How long a new process may take to listen; 15 s by default. */
  listenTimeoutMs?: number;
  /** Log lines kept per data API for its status; 50 by default. */
  logLines?: number;
  /** `findFreePort` by default. */
  findPort?: () => Promise<number>;
}

const START_ATTEMPTS = 3;
const LISTEN_POLL_MS = 20;

/**
 * Runs each data API as a child process of ours: `node <flags> <entry>` with the project's
 * PGRST_* variables and PATH as its whole environment (ours holds LAUNCHDB_MASTER_KEY), on
 * 127.0.0.1 and two free ports, in its own process group so that a Ctrl-C in a terminal reaches
 * the manager alone, which then stops them in order. Output goes to a file per process.
 */
export class ProcessDriver implements DataApiDriver {
  readonly kind = 'process' as const;
  readonly #entry: string;
  readonly #folder: StateFolder;
  readonly #logger: Logger;
  readonly #nodeBinary: string;
  readonly #nodeFlags: readonly string[];
  readonly #stopTimeoutMs: number;
  readonly #listenTimeoutMs: number;
  readonly #logLines: number;
  readonly #findPort: () => Promise<number>;
  readonly #live = new Set<ProcessDataApi>();
  #prepared: Promise<void> | undefined;

  constructor(options: ProcessDriverOptions) {
    this.#entry = resolve(options.entry);
    this.#folder = new StateFolder(resolve(options.stateDir));
    this.#logger = options.logger;
    this.#nodeBinary = options.nodeBinary ?? process.execPath;
    this.#nodeFlags = options.nodeFlags ?? DATA_API_NODE_FLAGS;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
    this.#listenTimeoutMs = options.listenTimeoutMs ?? 15_000;
    this.#logLines = options.logLines ?? 50;
    this.#findPort = options.findPort ?? (() => findFreePort());
  }

  /** Where the state folder is, for the report of `launchdb up`. */
  get stateDir(): string {
    return this.#folder.path;
  }

  async start(settings: DataApiSettings): Promise<ProcessDataApi> {
    await this.#prepare();
    let failure = 'no attempt was made';
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
      const outcome = await this.#startOnce(settings);
      if (outcome.instance) return outcome.instance;
      failure = outcome.failure;
      // another process took one of the free ports between our check and the bind: pick others
      if (!outcome.portClash) break;
      this.#logger.warn({ project: settings.projectId, attempt }, 'a data API port was taken before it could bind; retrying on other ports');
    }
    throw new Error(failure);
  }

  async discover(): Promise<DiscoveredDataApi[]> {
    await this.#prepare();
    const found: DiscoveredDataApi[] = [];
    for (const record of await this.#folder.list()) {
      if (this.#isAdoptable(record)) {
        found.push(new DiscoveredProcess(record));
      } else {
        // it ended, or its pid now belongs to another process: nothing to stop, only the record to forget
        await this.#folder.remove(record);
      }
    }
    return found;
  }

  async adopt(found: DiscoveredDataApi, settings: DataApiSettings): Promise<ProcessDataApi | undefined> {
    if (!(found instanceof DiscoveredProcess)) return undefined;
    const record = found.record;
    if (!this.#isAdoptable(record) || !(await probeAdminServer(record.adminUrl, 'live', 1_000))) return undefined;
    const tail = this.#tail(record, settings);
    await tail.start(true);
    const instance = this.#track(record, undefined, tail);
    this.#logger.info({ project: record.projectId, pid: record.pid, url: record.url }, 'data API adopted');
    return instance;
  }

  async discard(found: DiscoveredDataApi): Promise<void> {
    if (!(found instanceof DiscoveredProcess)) return;
    const record = found.record;
    if (this.#isAdoptable(record)) {
      const signal = (name: NodeJS.Signals): void => {
        try {
          if (isSameProcess(record)) process.kill(record.pid, name);
        } catch {
          // already gone
        }
      };
      signal('SIGTERM');
      if (!(await pollUntil(() => !isSameProcess(record), this.#stopTimeoutMs))) {
        signal('SIGKILL');
        await pollUntil(() => !isSameProcess(record), 3_000);
      }
    }
    await this.#folder.remove(record);
  }

  killAllNow(): void {
    for (const instance of this.#live) instance.killNow();
  }

  #prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      try {
        await access(this.#entry);
      } catch {
        throw new StartupError(`the data API bundle ${this.#entry} does not exist (DATA_API_ENTRY); build it with: npm run build -w data-api`);
      }
      await this.#folder.prepare();
    })();
    this.#prepared.catch(() => {
      this.#prepared = undefined;
    });
    return this.#prepared;
  }

  async #startOnce(settings: DataApiSettings): Promise<{ instance: ProcessDataApi; failure?: never; portClash?: never } | { instance?: never; failure: string; portClash: boolean }> {
    const port = await this.#findPort();
    let adminPort = await this.#findPort();
    while (adminPort === port) adminPort = await this.#findPort();
    const instanceId = randomBytes(6).toString('hex');
    const logFile = this.#folder.logFile(settings.projectId, instanceId);

    const output = openSync(logFile, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(this.#nodeBinary, [...this.#nodeFlags, this.#entry], {
        cwd: dirname(this.#entry),
        env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', ...pgrstEnvironment(settings, { host: '127.0.0.1', port, adminPort }) },
        stdio: ['ignore', output, output],
        detached: true,
      });
    } finally {
      closeSync(output);
    }
    // listened to at once: a process failing at start-up can exit before the instance exists
    const childExit = new Promise<string>((resolveExit) => {
      child.once('exit', (code, signal) => resolveExit(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    });
    const spawned = await new Promise<Error | undefined>((resolveSpawn) => {
      child.once('spawn', () => resolveSpawn(undefined));
      child.once('error', (error) => resolveSpawn(error));
    });
    if (spawned || child.pid === undefined) {
      await rm(logFile, { force: true });
      return { failure: `cannot run ${this.#nodeBinary}: ${spawned?.message ?? 'no pid'}`, portClash: false };
    }

    const record: ProcessRecord = {
      version: 1,
      instanceId,
      projectId: settings.projectId,
      pid: child.pid,
      processStartTime: processStartTime(child.pid) ?? null,
      entry: this.#entry,
      url: `http://127.0.0.1:${port}`,
      adminUrl: `http://127.0.0.1:${adminPort}`,
      settingsHash: settingsHash(settings),
      startedAt: new Date().toISOString(),
      logFile,
    };
    const tail = this.#tail(record, settings);
    await tail.start(false);
    const instance = this.#track(record, { child, exit: childExit }, tail);
    let listening: boolean;
    try {
      // recorded before it is ready: should we die now, the next manager still finds it
      await this.#folder.write(record);
      listening = await this.#waitListening(instance);
    } catch (error) {
      await instance.stop();
      throw error;
    }
    if (listening) return { instance };
    if (instance.hasEnded) {
      const exit = await instance.exited;
      const lines = await instance.recentLogs();
      const portClash = lines.some((line) => line.includes('already in use'));
      const last = lines.at(-1);
      return { failure: `the data API ${exit} during start-up${last ? `: ${last}` : ''}`, portClash };
    }
    await instance.stop();
    return { failure: `the data API did not listen within ${this.#listenTimeoutMs} ms`, portClash: false };
  }

  async #waitListening(instance: ProcessDataApi): Promise<boolean> {
    const deadline = Date.now() + this.#listenTimeoutMs;
    while (Date.now() < deadline) {
      if (instance.hasEnded) return false;
      // the admin server listens after the API server: once it answers, both ports are bound
      if (await instance.probe('live', 500)) return true;
      await Promise.race([delay(LISTEN_POLL_MS), instance.exited]);
    }
    return false;
  }

  #tail(record: ProcessRecord, settings: DataApiSettings): LogFileTail {
    const logger = this.#logger.child({ project: record.projectId, pid: record.pid });
    return new LogFileTail(record.logFile, {
      keep: this.#logLines,
      redact: secretRedactor(settings),
      onLine: (line) => forwardDataApiLogLine(logger, line),
    });
  }

  #track(record: ProcessRecord, child: { child: ChildProcess; exit: Promise<string> } | undefined, tail: LogFileTail): ProcessDataApi {
    const instance: ProcessDataApi = new ProcessDataApi({
      record,
      child,
      tail,
      folder: this.#folder,
      stopTimeoutMs: this.#stopTimeoutMs,
      onDone: () => this.#live.delete(instance),
    });
    this.#live.add(instance);
    return instance;
  }

  /** Alive, the very process that was recorded, and running this data API bundle. */
  #isAdoptable(record: ProcessRecord): boolean {
    if (record.processStartTime === null || !isSameProcess(record)) return false;
    return commandLine(record.pid)?.includes(record.entry) ?? false;
  }
}

class DiscoveredProcess implements DiscoveredDataApi {
  readonly record: ProcessRecord;

  constructor(record: ProcessRecord) {
    this.record = record;
  }

  get projectId(): string {
    return this.record.projectId;
  }

  get settingsHash(): string {
    return this.record.settingsHash;
  }

  get startedAt(): Date {
    return new Date(this.record.startedAt);
  }

  get description(): string {
    return `pid ${this.record.pid}`;
  }
}
