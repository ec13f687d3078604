import pg from 'pg';

/**
 * One change at a time per project: a queue per project id within this process, and a session
 * advisory lock across processes (two platform-api instances, or a CLI beside one). The lock's
 * connection is handed to the work, for cluster-level DDL. Advisory locks belong to one database:
 * every holder connects to the same admin URL, so they meet. A crash ends the session and frees it.
 */
export class ProjectLocks {
  readonly #adminUrl: string;
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(adminUrl: string) {
    this.#adminUrl = adminUrl;
  }

  run<T>(projectId: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
    const previous = this.#queues.get(projectId) ?? Promise.resolve();
    const current = previous.then(() => this.#withAdvisoryLock(projectId, work));
    const settled = current.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(projectId, settled);
    void settled.then(() => {
      if (this.#queues.get(projectId) === settled) this.#queues.delete(projectId);
    });
    return current;
  }

  async #withAdvisoryLock<T>(projectId: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
    const admin = new pg.Client({ connectionString: this.#adminUrl, connectionTimeoutMillis: 5_000, application_name: 'launchdb-provisioner' });
    admin.on('error', () => undefined);
    await admin.connect();
    try {
      await admin.query(`select pg_advisory_lock(hashtext('launchdb:project'), hashtext($1))`, [projectId]);
      return await work(admin);
    } finally {
      // closing the session frees the lock even when the unlock cannot be sent
      await admin.query(`select pg_advisory_unlock(hashtext('launchdb:project'), hashtext($1))`, [projectId]).catch(() => undefined);
      await admin.end().catch(() => undefined);
    }
  }
}
