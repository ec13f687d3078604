import type { Logger } from '@launchdb/common/logger';
import { cancellableSleep, DEFAULT_BACKOFF, nextDelay, type Backoff } from './backoff.ts';
import type { SchemaCacheSource } from './dependencies.ts';

/**
 * Reloads the schema cache when asked (start-up, NOTIFY, SIGUSR1, the database coming back)
 * and keeps retrying with backoff until a load succeeds, as PostgREST does. An ask during a
 * reload runs one more reload after it, so a change made meanwhile is never missed.
 */
export class SchemaCacheReloader {
  readonly #source: SchemaCacheSource;
  readonly #logger: Logger;
  readonly #backoff: Backoff;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #sleep: { cancel(): void } | undefined;

  constructor(source: SchemaCacheSource, logger: Logger, backoff: Backoff = DEFAULT_BACKOFF) {
    this.#source = source;
    this.#logger = logger;
    this.#backoff = backoff;
  }

  /** Resolves once a reload asked for at this moment or later has succeeded (or on stop()). */
  reload(reason: string): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop(reason).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** True while a reload (or its retries) is under way. */
  get busy(): boolean {
    return this.#running !== undefined;
  }

  stop(): void {
    this.#stopped = true;
    this.#sleep?.cancel();
  }

  async #loop(reason: string): Promise<void> {
    do {
      this.#again = false;
      let delay = this.#backoff.initialMs;
      for (;;) {
        if (this.#stopped) return;
        try {
          await this.#source.reload();
          this.#logger.info({ reason }, 'schema cache loaded');
          break;
        } catch (error) {
          this.#logger.warn({ reason, err: error, retryInMs: delay }, 'schema cache load failed; retrying');
          const sleep = cancellableSleep(delay);
          this.#sleep = sleep;
          await sleep.done;
          this.#sleep = undefined;
          delay = nextDelay(delay, this.#backoff);
        }
      }
    } while (this.#again && !this.#stopped);
  }
}
