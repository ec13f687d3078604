import { createHash, timingSafeEqual } from 'node:crypto';
import { readLiveApiKeys, type LiveApiKeys, type Pool, type SecretBox } from '@launchdb/common';

export type ProjectStatus = 'provisioning' | 'active' | 'failed' | 'deleting';

/** What the gateway needs to know of a project: its status, and its live keys once it is active. */
export interface ProjectKeyRecord {
  status: ProjectStatus;
  keys: LiveApiKeys;
}

/** The answer for one project id: `missing` when no such project exists. */
export type ProjectAccess =
  | { state: 'active'; accepts(apikey: string): boolean }
  | { state: Exclude<ProjectStatus, 'active'> | 'missing' };

export type ProjectKeyLoader = (projectId: string) => Promise<ProjectKeyRecord | undefined>;

export interface ProjectKeyDirectoryOptions {
  ttlMs: number;
  /** Bounds the memory that requests for many (unknown) project ids can take. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * A project that does not exist yet or is still being provisioned is about to change: that
 * answer is trusted for a second at most, so the first requests after it turns active succeed
 * even when nobody calls forget().
 */
const TRANSIENT_TTL_MS = 1_000;

interface Entry {
  access: Promise<ProjectAccess>;
  expiresAt: number;
}

/**
 * Every project's status and live API keys, read from the platform database at most once per
 * TTL per project, so that checking a request's `apikey` costs no query. Lookups of the same
 * project while it is being read share the one query. Callers that change a project's keys or
 * status (rotation, deletion) call forget() so the change holds at once.
 */
export class ProjectKeyDirectory {
  readonly #load: ProjectKeyLoader;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(load: ProjectKeyLoader, options: ProjectKeyDirectoryOptions) {
    this.#load = load;
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  static fromDatabase(db: Pool, secrets: SecretBox, options: ProjectKeyDirectoryOptions): ProjectKeyDirectory {
    return new ProjectKeyDirectory((projectId) => readProjectKeyRecord(db, secrets, projectId), options);
  }

  lookup(projectId: string): Promise<ProjectAccess> {
    const now = this.#now();
    const cached = this.#entries.get(projectId);
    if (cached !== undefined && cached.expiresAt > now) return cached.access;
    if (cached !== undefined) this.#entries.delete(projectId);
    if (this.#entries.size >= this.#maxEntries) this.#evictOldest();
    const access = this.#load(projectId).then(toAccess);
    const entry: Entry = { access, expiresAt: now + this.#ttlMs };
    this.#entries.set(projectId, entry);
    access.then(
      (found) => {
        if (found.state === 'missing' || found.state === 'provisioning') entry.expiresAt = Math.min(entry.expiresAt, now + TRANSIENT_TTL_MS);
      },
      // a failed read is not remembered: the next request tries again
      () => {
        if (this.#entries.get(projectId) === entry) this.#entries.delete(projectId);
      },
    );
    return access;
  }

  forget(projectId: string): void {
    this.#entries.delete(projectId);
  }

  #evictOldest(): void {
    // Map iterates in insertion order; expired entries are re-inserted when read again
    const oldest = this.#entries.keys().next();
    if (!oldest.done) this.#entries.delete(oldest.value);
  }
}

function toAccess(record: ProjectKeyRecord | undefined): ProjectAccess {
  if (record === undefined) return { state: 'missing' };
  if (record.status !== 'active') return { state: record.status };
  const digests = [record.keys.anon, record.keys.service_role].filter((key): key is string => key !== undefined).map(digest);
  return {
    state: 'active',
    accepts(apikey: string): boolean {
      // equal-length digests compared in constant time, against every key: neither which key
      // nor how much of it matched shows in the timing
      const presented = digest(apikey);
      let accepted = false;
      for (const known of digests) accepted = timingSafeEqual(presented, known) || accepted;
      return accepted;
    },
  };
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** The project's status and, when it is active, its live keys; undefined when it does not exist. */
export async function readProjectKeyRecord(db: Pool, secrets: SecretBox, projectId: string): Promise<ProjectKeyRecord | undefined> {
  const { rows } = await db.query<{ status: ProjectStatus }>('select status from platform.projects where id = $1', [projectId]);
  const status = rows[0]?.status;
  if (status === undefined) return undefined;
  const keys = status === 'active' ? await readLiveApiKeys(db, secrets, projectId) : { anon: undefined, service_role: undefined };
  return { status, keys };
}
