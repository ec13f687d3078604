import pg from 'pg';
import type { Logger } from '@launchdb/common/logger';
import { quoteIdentifier } from '../sql/fragment.ts';
import { cancellableSleep, DEFAULT_BACKOFF, nextDelay, type Backoff } from './backoff.ts';

export interface NotificationListenerOptions {
  /** A direct connection: LISTEN does not work through PgBouncer's transaction pooling. */
  connectionString: string;
  channel: string;
  logger: Logger;
  onNotification: (payload: string) => void;
  /** After the connection was lost and is back: notifications sent meanwhile were missed. */
  onReconnect?: () => void;
  backoff?: Backoff;
  applicationName?: string;
}

/**
 * `LISTEN <channel>` on a dedicated connection, reconnecting with backoff whenever it is lost
 * (database restart, pg_terminate_backend, network), for PostgREST's `NOTIFY pgrst, 'reload schema'`.
 */
export class NotificationListener {
  readonly #options: NotificationListenerOptions;
  readonly #backoff: Backoff;
  #client: pg.Client | undefined;
  #stopped = false;
  #started = false;
  #listening = false;
  #everListened = false;
  #delay: number;
  #sleep: { cancel(): void } | undefined;
  #waiters: Array<() => void> = [];

  constructor(options: NotificationListenerOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#delay = this.#backoff.initialMs;
  }

  get listening(): boolean {
    return this.#listening;
  }

  /** Starts connecting in the background; failures are retried, never thrown. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#connect();
  }

  /** Resolves once LISTEN is in place (immediately when it is). */
  whenListening(): Promise<void> {
    if (this.#listening) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sleep?.cancel();
    this.#listening = false;
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.end().catch(() => undefined);
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    const { connectionString, channel, logger } = this.#options;
    const client = new pg.Client({
      connectionString,
      application_name: this.#options.applicationName ?? 'launchdb-data-api-listener',
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    this.#client = client;
    let lost = false;
    const onLost = (error: unknown): void => {
      if (lost) return;
      lost = true;
      this.#listening = false;
      if (this.#client === client) this.#client = undefined;
      client.end().catch(() => undefined);
      if (this.#stopped) return;
      logger.warn({ err: error, channel, retryInMs: this.#delay }, 'the LISTEN connection was lost; reconnecting');
      void this.#retryLater();
    };
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('the connection ended')));
    client.on('notification', (message) => {
      if (message.channel === channel) this.#options.onNotification(message.payload ?? '');
    });

    try {
      await client.connect();
      await client.query(`listen ${quoteIdentifier(channel)}`);
    } catch (error) {
      onLost(error);
      return;
    }
    if (lost) return;
    if (this.#stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#listening = true;
    this.#delay = this.#backoff.initialMs;
    const reconnected = this.#everListened;
    this.#everListened = true;
    logger.info({ channel }, 'listening for notifications');
    for (const resolve of this.#waiters.splice(0)) resolve();
    if (reconnected) this.#options.onReconnect?.();
  }

  async #retryLater(): Promise<void> {
    const sleep = cancellableSleep(this.#delay);
    this.#sleep = sleep;
    this.#delay = nextDelay(this.#delay, this.#backoff);
    const completed = await sleep.done;
    this.#sleep = undefined;
    if (completed && !this.#stopped) await this.#connect();
  }
}
