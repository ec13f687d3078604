import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@launchdb/common';

/**
 * `running`: serving; `restarting`: it died and is being started again; `failed`: the supervisor
 * gave up on it; `stopped`: we stopped it.
 */
export type SupervisedState = 'running' | 'restarting' | 'failed' | 'stopped';

export interface SupervisionStatus {
  state: SupervisedState;
  /** When it entered this state. */
  since: Date;
  /** Restarts begun since `launchdb up` started it, the one under way included. */
  restarts: number;
}

export interface RestartPolicy {
  /** The delay before the first restart, doubled for each restart that follows within `windowMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** It gives up when this many restarts were needed within `windowMs`, successful or not. */
  maxRestarts: number;
  windowMs: number;
}

/** 0.5 s, 1 s, 2 s, 4 s, 8 s: five restarts within a minute, then it gives up. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 500, maxDelayMs: 10_000, maxRestarts: 5, windowMs: 60_000 };

const HOOK_ATTEMPTS = 10;
const HOOK_RETRY_MS = 1_000;

export interface ProcessSupervisorOptions {
  /** How the logs name it: `PostgreSQL`, `PgBouncer`. */
  name: string;
  logger: Logger;
  /** Starts the process again; resolves once it serves, rejects saying why it did not. */
  restart: () => Promise<void>;
  policy?: RestartPolicy;
  /** It has just died: make whatever depends on it fail fast instead of waiting for it. */
  onDown?: () => Promise<void>;
  /** It serves again. */
  onUp?: () => Promise<void>;
}

/**
 * Restarts a child process that died under us, with a growing delay, and gives up (logging why)
 * when restarts pile up within a window rather than looping hot. The process reports its own
 * unexpected exits through `exited()`; what "start" means (crash recovery, stale lock files)
 * is the process's own business.
 */
export class ProcessSupervisor {
  readonly #options: ProcessSupervisorOptions;
  readonly #policy: RestartPolicy;
  #state: SupervisedState = 'running';
  #since = new Date();
  #restarts = 0;
  /** When each restart within the window was begun. */
  #recent: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #attempt: Promise<void> | undefined;
  #lastFailure = '';

  constructor(options: ProcessSupervisorOptions) {
    this.#options = options;
    this.#policy = options.policy ?? DEFAULT_RESTART_POLICY;
  }

  get status(): SupervisionStatus {
    return { state: this.#state, since: this.#since, restarts: this.#restarts };
  }

  /** The process exited without being asked to. */
  exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#state !== 'running') return;
    this.#lastFailure = signal ? `killed by ${signal}` : `exit code ${code}`;
    this.#enter('restarting');
    this.#options.logger.error({ code, signal }, `${this.#options.name} exited unexpectedly (${this.#lastFailure})`);
    void this.#notify('onDown').then(() => this.#scheduleRestart());
  }

  /**
   * No restart after this; resolves once a restart under way has settled, so that the caller's
   * stop of the process afterwards cannot race with its start.
   */
  async stop(): Promise<void> {
    this.#enter('stopped');
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#attempt?.catch(() => undefined);
  }

  #scheduleRestart(): void {
    if (this.#state !== 'restarting') return;
    const { name, logger } = this.#options;
    const now = Date.now();
    this.#recent = this.#recent.filter((at) => now - at < this.#policy.windowMs);
    if (this.#recent.length >= this.#policy.maxRestarts) {
      this.#enter('failed');
      logger.fatal(
        { restarts: this.#recent.length, windowSeconds: this.#policy.windowMs / 1000 },
        `${name} gave up: ${this.#recent.length} restarts within ${this.#policy.windowMs / 1000} s did not keep it running (last: ${this.#lastFailure}); ` +
          `requests that need it answer 503 until the cause is fixed and launchdb is restarted`,
      );
      return;
    }
    const delayMs = Math.min(this.#policy.initialDelayMs * 2 ** this.#recent.length, this.#policy.maxDelayMs);
    logger.warn({ delayMs, attempt: this.#recent.length + 1 }, `restarting ${name} in ${delayMs} ms`);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#state !== 'restarting') return;
      this.#recent.push(Date.now());
      this.#restarts += 1;
      const attempt = this.#options.restart();
      this.#attempt = attempt;
      attempt.then(
        () => {
          this.#attempt = undefined;
          // stopped meanwhile: the caller stops the process it just got back
          if (this.#state !== 'restarting') return;
          logger.warn({ downMs: Date.now() - this.#since.getTime() }, `${name} restarted`);
          this.#enter('running');
          void this.#notify('onUp');
        },
        (error: Error) => {
          this.#attempt = undefined;
          if (this.#state !== 'restarting') return;
          this.#lastFailure = error.message;
          logger.error({ err: error }, `${name} did not restart: ${error.message}`);
          this.#scheduleRestart();
        },
      );
    }, delayMs);
    this.#timer.unref();
  }

  #enter(state: SupervisedState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#since = new Date();
  }

  /**
   * Runs a hook, again after a pause when it fails, for as long as the state it was run for
   * lasts: clients left refused after a recovery would see an outage that is over.
   */
  async #notify(hook: 'onDown' | 'onUp'): Promise<void> {
    const state = this.#state;
    for (let attempt = 1; this.#state === state; attempt += 1) {
      try {
        await this.#options[hook]?.();
        return;
      } catch (error) {
        this.#options.logger.warn({ err: error, attempt }, `${this.#options.name} is ${hook === 'onDown' ? 'down' : 'back'}, but telling its dependants failed; trying again`);
        if (attempt === HOOK_ATTEMPTS) return;
        await sleep(HOOK_RETRY_MS);
      }
    }
  }
}
