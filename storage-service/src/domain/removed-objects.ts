import { withRequestRole, type Logger, type ProjectDirectory } from '@launchdb/common';
import type { ObjectLocation, StorageBackend } from '../backends/storage-backend.ts';
import { claimRemovedObjects } from '../sql/removed-objects.ts';

/** Entries taken off a project's queue per transaction. */
const BATCH = 200;
/**
 * Project databases drained per sweep at most. Each drain leaves PgBouncer a server connection
 * for its server_idle_timeout (60 s): the first sweep after a start knows no project's count and
 * visited every one, a thousand backends within the minute, past PostgreSQL's max_connections
 * (500). The rest wait for the next sweep, a minute later: the queue is only files to delete.
 */
const DRAINS_PER_SWEEP = 100;
const SERVICE_ROLE = { role: 'service_role', claims: { role: 'service_role' } } as const;

export interface RemovedObjectsSweeperOptions {
  projects: ProjectDirectory;
  backend: StorageBackend;
  logger: Logger;
  /** How often every active project's queue is drained; 0: never on its own (sweep() only). */
  intervalMs: number;
  /** Project databases drained per sweep at most (100); the others wait for the next sweep. */
  drainsPerSweep?: number;
}

/**
 * Deletes the bytes of objects whose rows went without the storage service — a cascade, an
 * app's trigger, an operator's SQL — as the base template queues them (storage.removed_objects).
 * A notification would need a session per project; instead a sweep every minute asks the
 * platform database once which project databases had rows inserted since their last drain
 * (pg_stat_database), and drains only those: a thousand idle projects cost one query, not a
 * thousand connections. Nothing is lost if the service was down: the queue waits in the
 * database, and the sweeps after a start drain every project, a hundred at a time.
 */
export class RemovedObjectsSweeper {
  readonly #options: RemovedObjectsSweeperOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #closed = false;
  /** Per project, its database's insert count when its queue was last drained empty. */
  readonly #drainedAt = new Map<string, string>();

  constructor(options: RemovedObjectsSweeperOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#options.intervalMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => void this.sweep(), this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Drains every active project's queue (one sweep at a time); resolves with the files deleted. */
  sweep(): Promise<number> {
    this.#running ??= this.#sweepAll().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** Drains one project's queue; resolves with the files deleted. */
  async drain(projectId: string): Promise<number> {
    const found = await this.#options.projects.lookup(projectId);
    if (found.state !== 'active') return 0;
    let deleted = 0;
    for (;;) {
      const batch = await withRequestRole(found.project.db, SERVICE_ROLE, async (client) => {
        const rows = await claimRemovedObjects(client, BATCH);
        const locations: ObjectLocation[] = rows.map((row) => ({ projectId, bucketId: row.bucket_id, key: row.name, version: row.version }));
        // committed only once the bytes are gone: a failure leaves the entries for the next sweep
        if (locations.length > 0) await this.#options.backend.delete(locations);
        return locations.length;
      });
      deleted += batch;
      if (batch < BATCH || this.#closed) return deleted;
    }
  }

  async #sweepAll(): Promise<number> {
    let deleted = 0;
    let projects: Array<{ id: string; inserts: string | null }>;
    try {
      projects = await this.#options.projects.activeProjectInserts();
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'listing projects for the removed-objects sweep failed');
      return 0;
    }
    const active = new Set(projects.map((project) => project.id));
    for (const id of this.#drainedAt.keys()) if (!active.has(id)) this.#drainedAt.delete(id);
    // no row inserted since the last drain: no entry either (an entry is a row inserted); those
    // drained before and written since come first, then those never drained (new, or after a start)
    const due = projects.filter(({ id, inserts }) => inserts === null || this.#drainedAt.get(id) !== inserts);
    const ordered = [...due.filter(({ id }) => this.#drainedAt.has(id)), ...due.filter(({ id }) => !this.#drainedAt.has(id))];
    for (const { id: projectId, inserts } of ordered.slice(0, this.#options.drainsPerSweep ?? DRAINS_PER_SWEEP)) {
      if (this.#closed) break;
      try {
        deleted += await this.drain(projectId);
        // the count read before draining: what was inserted meanwhile makes the next sweep look again
        if (inserts !== null) this.#drainedAt.set(projectId, inserts);
      } catch (error) {
        this.#drainedAt.delete(projectId);
        // 42P01: a project whose database has not had the base template's queue yet
        if ((error as { code?: string }).code !== '42P01') this.#options.logger.warn({ err: error, projectId }, 'deleting the files of removed objects failed');
      }
    }
    if (deleted > 0) this.#options.logger.info({ deleted }, 'deleted the files of objects removed outside the storage API');
    return deleted;
  }
}
