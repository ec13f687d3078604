import type { ChildProcess } from 'node:child_process';
import { probeAdminServer } from '../admin-probe.ts';
import type { DataApiInstance } from '../driver.ts';
import { settlesWithin } from '../../timers.ts';
import type { LogFileTail } from './log-tail.ts';
import { isRunning, processStartTime } from './proc.ts';
import type { ProcessRecord, StateFolder } from './state-folder.ts';

export interface ProcessDataApiOptions {
  record: ProcessRecord;
  /** Our child and its exit; undefined for a process adopted from an earlier manager, which is watched by polling. */
  child: { child: ChildProcess; exit: Promise<string> } | undefined;
  tail: LogFileTail;
  folder: StateFolder;
  stopTimeoutMs: number;
  /** Called once when it has ended or been released, so the driver stops counting it. */
  onDone: () => void;
}

const ADOPTED_POLL_MS = 200;
const KILL_WAIT_MS = 3_000;

/** A data API running as a process on this machine, started by us or adopted. */
export class ProcessDataApi implements DataApiInstance {
  readonly record: ProcessRecord;
  readonly exited: Promise<string>;
  readonly containerId = undefined;
  readonly #child: ChildProcess | undefined;
  readonly #tail: LogFileTail;
  readonly #folder: StateFolder;
  readonly #stopTimeoutMs: number;
  readonly #onDone: () => void;
  #resolveExit!: (description: string) => void;
  #poll: NodeJS.Timeout | undefined;
  #ended = false;
  #released = false;
  #stopping: Promise<void> | undefined;

  constructor(options: ProcessDataApiOptions) {
    this.record = options.record;
    this.#child = options.child?.child;
    this.#tail = options.tail;
    this.#folder = options.folder;
    this.#stopTimeoutMs = options.stopTimeoutMs;
    this.#onDone = options.onDone;
    this.exited = new Promise((resolve) => {
      this.#resolveExit = resolve;
    });
    if (options.child) {
      void options.child.exit.then((description) => this.#end(description));
    } else {
      // not our child: no exit event reaches us
      this.#poll = setInterval(() => {
        if (!isSameProcess(this.record)) this.#end(`process ${this.record.pid} is gone`);
      }, ADOPTED_POLL_MS);
      this.#poll.unref();
    }
  }

  get projectId(): string {
    return this.record.projectId;
  }

  get url(): string {
    return this.record.url;
  }

  get pid(): number {
    return this.record.pid;
  }

  get settingsHash(): string {
    return this.record.settingsHash;
  }

  get startedAt(): Date {
    return new Date(this.record.startedAt);
  }

  get hasEnded(): boolean {
    return this.#ended;
  }

  probe(check: 'live' | 'ready', timeoutMs: number): Promise<boolean> {
    return probeAdminServer(this.record.adminUrl, check, timeoutMs);
  }

  /** SIGTERM lets the data API finish the requests in flight; SIGKILL when it takes longer than the stop timeout. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#released) return;
      if (!this.#ended) {
        this.#signal('SIGTERM');
        if (!(await settlesWithin(this.exited, this.#stopTimeoutMs))) {
          this.#signal('SIGKILL');
          if (!(await settlesWithin(this.exited, KILL_WAIT_MS))) this.#end('did not stop');
        }
      }
      await this.exited;
    })();
    return this.#stopping;
  }

  release(): void {
    if (this.#ended || this.#released) return;
    this.#released = true;
    clearInterval(this.#poll);
    this.#tail.detach();
    this.#child?.unref();
    this.#onDone();
  }

  /** Synchronous, for process exit: no drain, no waiting. */
  killNow(): void {
    if (this.#ended || this.#released) return;
    this.#signal('SIGKILL');
    this.#folder.removeNow(this.record);
  }

  async recentLogs(): Promise<string[]> {
    if (!this.#ended && !this.#released) await this.#tail.poll().catch(() => undefined);
    return this.#tail.lines();
  }

  #signal(signal: NodeJS.Signals): void {
    // an adopted pid is checked first: after it ended, the number may belong to another process
    if (!this.#child && !isSameProcess(this.record)) return;
    try {
      process.kill(this.record.pid, signal);
    } catch {
      // already gone
    }
  }

  #end(description: string): void {
    if (this.#ended || this.#released) return;
    this.#ended = true;
    clearInterval(this.#poll);
    void (async () => {
      await this.#tail.stop().catch(() => undefined);
      await this.#folder.remove(this.record).catch(() => undefined);
      this.#onDone();
      this.#resolveExit(description);
    })();
  }
}

/** The recorded process is still alive and is the one that was recorded (not a reused pid). */
export function isSameProcess(record: ProcessRecord): boolean {
  if (!isRunning(record.pid)) return false;
  return record.processStartTime === null || processStartTime(record.pid) === record.processStartTime;
}
