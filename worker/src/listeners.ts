import type pg from 'pg';
import type { Logger } from '@launchdb/common/logger';
import type { DatabaseAddress } from '@launchdb/common/projects';
import { projectClient, type WorkerProjects } from './projects.ts';

/** The channel Haven's capture triggers notify (postgres/templates/haven/0010_haven_worker.sql). */
export const CAPTURE_CHANNEL = 'capture_jobs';

interface Listener {
  client: pg.Client;
  usedAt: number;
}

/**
 * LISTEN sessions, straight to PostgreSQL (PgBouncer's transaction pooling cannot hold one), for
 * the most recently active projects only: at most `max`, the least recently active given up to
 * make room. A session that breaks is dropped; the project's next activity opens it again, and
 * the sweeps cover the gap.
 */
export class CaptureListeners {
  readonly #address: DatabaseAddress;
  readonly #projects: WorkerProjects;
  readonly #max: number;
  readonly #onNotify: (projectId: string) => void;
  readonly #logger: Logger;
  readonly #applicationName: string;
  readonly #held = new Map<string, Listener>();
  readonly #opening = new Map<string, Promise<boolean>>();

  constructor(options: { address: DatabaseAddress; projects: WorkerProjects; max: number; onNotify: (projectId: string) => void; logger: Logger; applicationName: string }) {
    this.#address = options.address;
    this.#projects = options.projects;
    this.#max = options.max;
    this.#onNotify = options.onNotify;
    this.#logger = options.logger;
    this.#applicationName = options.applicationName;
  }

  get held(): number {
    return this.#held.size;
  }

  has(projectId: string): boolean {
    return this.#held.has(projectId);
  }

  /** Listens for the project (true once the session listens; false when it could not). */
  listen(projectId: string): Promise<boolean> {
    const held = this.#held.get(projectId);
    if (held) {
      held.usedAt = Date.now();
      return Promise.resolve(true);
    }
    let opening = this.#opening.get(projectId);
    if (!opening) {
      opening = this.#open(projectId).finally(() => this.#opening.delete(projectId));
      this.#opening.set(projectId, opening);
    }
    return opening;
  }

  /** Gives up the sessions of projects not active since `since`. */
  expire(since: number): void {
    for (const [projectId, listener] of this.#held) if (listener.usedAt < since) this.#drop(projectId);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#opening.values()].map((opening) => opening.catch(() => undefined)));
    await Promise.all([...this.#held.keys()].map((projectId) => this.#drop(projectId)));
  }

  async #open(projectId: string): Promise<boolean> {
    if (this.#max === 0) return false;
    // this one is not in #opening yet: room is held + opening < max
    while (this.#held.size + this.#opening.size >= this.#max) {
      const oldest = [...this.#held.entries()].sort((a, b) => a[1].usedAt - b[1].usedAt)[0];
      if (!oldest) return false;
      await this.#drop(oldest[0]);
    }
    // held as long as the project is active: TCP keepalives notice a peer gone silent
    const client = projectClient(await this.#projects.login(projectId), { address: this.#address, applicationName: this.#applicationName, keepAlive: true });
    try {
      await client.connect();
      await client.query(`listen ${CAPTURE_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.#logger.warn({ project: projectId, err: error }, 'cannot listen for captures');
      return false;
    }
    client.on('notification', (message) => {
      if (message.channel === CAPTURE_CHANNEL) this.#onNotify(projectId);
    });
    const lost = (): void => {
      if (this.#held.get(projectId)?.client === client) this.#held.delete(projectId);
    };
    client.on('error', lost);
    client.on('end', lost);
    this.#held.set(projectId, { client, usedAt: Date.now() });
    return true;
  }

  async #drop(projectId: string): Promise<void> {
    const listener = this.#held.get(projectId);
    if (!listener) return;
    this.#held.delete(projectId);
    await listener.client.end().catch(() => undefined);
  }
}
