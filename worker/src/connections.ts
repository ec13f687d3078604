import type pg from 'pg';
import type { DatabaseAddress } from '@launchdb/common/projects';
import { projectClient, type WorkerProjects } from './projects.ts';

interface IdleClient {
  projectId: string;
  client: pg.Client;
  idleSince: number;
}

/** An idle connection is closed after this long: a thousand projects swept leave nothing open. */
const IDLE_MS = 10_000;

/**
 * The worker's connections for claims and results, through PgBouncer (or PostgreSQL where there
 * is none): at most `max` open at any moment across every project, reused for the same project,
 * the longest idle closed to make room for another. Each unit of work is one transaction that
 * switches to service_role with `set_config(…, true)`: no session state, no named statements.
 */
export class ProjectConnections {
  readonly #address: DatabaseAddress;
  readonly #projects: WorkerProjects;
  readonly #max: number;
  readonly #applicationName: string;
  readonly #idle: IdleClient[] = [];
  readonly #waiting: Array<() => void> = [];
  #busy = 0;
  #open = 0;
  #timer: NodeJS.Timeout;
  #closed = false;

  constructor(options: { address: DatabaseAddress; projects: WorkerProjects; max: number; applicationName: string }) {
    this.#address = options.address;
    this.#projects = options.projects;
    this.#max = options.max;
    this.#applicationName = options.applicationName;
    this.#timer = setInterval(() => this.#closeIdle(Date.now() - IDLE_MS), IDLE_MS / 2);
    this.#timer.unref();
  }

  /** Connections open now (busy and idle). */
  get open(): number {
    return this.#open;
  }

  /** `work` in one transaction as the project's service_role (BYPASSRLS); committed unless it throws. */
  async asService<T>(projectId: string, work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    await this.#slot();
    let client: pg.Client | undefined;
    let broken = false;
    try {
      client = await this.#checkout(projectId);
      await client.query('begin');
      await client.query(`select set_config('role', 'service_role', true)`);
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      if (client) await client.query('rollback').catch(() => (broken = true));
      if (isLoginFailure(error)) this.#projects.forget(projectId);
      throw error;
    } finally {
      if (client) this.#checkin(projectId, client, broken);
      this.#release();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#closeIdle(Number.POSITIVE_INFINITY);
  }

  async #slot(): Promise<void> {
    if (this.#closed) throw new Error('the worker is stopping');
    if (this.#busy < this.#max) {
      this.#busy += 1;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy -= 1;
  }

  async #checkout(projectId: string): Promise<pg.Client> {
    for (let index = this.#idle.length - 1; index >= 0; index -= 1) {
      if (this.#idle[index]!.projectId === projectId) return this.#idle.splice(index, 1)[0]!.client;
    }
    // room for a new one: the longest idle connection (another project's) goes
    // (waited for: the budget counts server sessions, and a closing one is still one)
    if (this.#open >= this.#max) {
      const oldest = this.#idle.shift();
      if (oldest) await this.#end(oldest.client);
    }
    const client = projectClient(await this.#projects.login(projectId), { address: this.#address, applicationName: this.#applicationName });
    client.on('error', () => undefined);
    this.#open += 1;
    try {
      await client.connect();
    } catch (error) {
      this.#open -= 1;
      throw error;
    }
    return client;
  }

  #checkin(projectId: string, client: pg.Client, broken: boolean): void {
    if (broken || this.#closed) void this.#end(client);
    else this.#idle.push({ projectId, client, idleSince: Date.now() });
  }

  #closeIdle(before: number): void {
    for (let i = this.#idle.length - 1; i >= 0; i -= 1) {
      const entry = this.#idle[i]!;
      if (entry.idleSince <= before) {
        this.#idle.splice(i, 1);
        void this.#end(entry.client);
      }
    }
  }

  async #end(client: pg.Client): Promise<void> {
    await client.end().catch(() => undefined);
    this.#open -= 1;
  }
}

function isLoginFailure(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '28P01' || code === '28000';
}
