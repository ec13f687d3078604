import type { Pool } from 'pg';
import { Errors } from '../errors.ts';
import { introspectSchemaCache } from './introspect.ts';
import type { SchemaCache } from './types.ts';

export { findRelationships, describeRelationship } from './embedding.ts';
export { introspectSchemaCache } from './introspect.ts';

export type ReloadResult =
  | { ok: true; cache: SchemaCache; durationMs: number }
  /** The previous cache (if any) is still the current one. */
  | { ok: false; error: unknown; durationMs: number };

export interface SchemaCacheHolderOptions {
  /** Called with every failed load (the previous cache stays current). */
  onError?: (error: unknown) => void;
  /** Called with every successful load. */
  onLoad?: (cache: SchemaCache, durationMs: number) => void;
}

/**
 * Holds the current schema cache and replaces it as a whole. A request takes `current` once
 * and plans against that object to its end, so a reload never changes the cache under a
 * request in flight. A failed reload keeps the previous cache and reports the error.
 * Reloads do not overlap: one asked for while another runs starts when it ends (so a NOTIFY
 * after a migration is never lost), and further asks meanwhile share that one.
 */
export class SchemaCacheHolder {
  readonly #load: () => Promise<SchemaCache>;
  readonly #options: SchemaCacheHolderOptions;
  #current: SchemaCache | undefined;
  #lastError: unknown;
  #running: Promise<ReloadResult> | undefined;
  #queued: Promise<ReloadResult> | undefined;

  constructor(load: () => Promise<SchemaCache>, options: SchemaCacheHolderOptions = {}) {
    this.#load = load;
    this.#options = options;
  }

  /** A holder that introspects `schemas` over a connection of `pool` (released after each load). */
  static forPool(pool: Pool, schemas: string[], options: SchemaCacheHolderOptions = {}): SchemaCacheHolder {
    // pg_timezone_names reads every zone file (50-100 ms) and no DDL changes it: read once per
    // process, after the first cache is current, so a start (a project waking up) never waits
    // for it; until then any zone is let through to Postgres
    let timezones: ReadonlySet<string> | undefined;
    let readingTimezones = false;
    const readTimezones = (): void => {
      if (readingTimezones) return;
      readingTimezones = true;
      void pool.query<{ name: string }>('select name from pg_catalog.pg_timezone_names').then(
        (result) => {
          timezones = new Set(result.rows.map((row) => row.name));
          const current = holder.peek();
          if (current) current.timezones = timezones;
        },
        () => {
          readingTimezones = false;
        },
      );
    };
    const holder = new SchemaCacheHolder(async () => {
      const client = await pool.connect();
      try {
        const cache = await introspectSchemaCache(client, schemas);
        client.release();
        if (timezones) cache.timezones = timezones;
        else setImmediate(readTimezones);
        return cache;
      } catch (error) {
        // a connection that failed mid-introspection is not reused
        client.release(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
    }, options);
    return holder;
  }

  /** The current cache; PGRST002 (503) until the first load succeeds. */
  get current(): SchemaCache {
    if (!this.#current) throw Errors.schemaCacheNotReady();
    return this.#current;
  }

  /** The current cache, or undefined before the first successful load. */
  peek(): SchemaCache | undefined {
    return this.#current;
  }

  get isReady(): boolean {
    return this.#current !== undefined;
  }

  /** The error of the last load when it failed, else undefined. */
  get lastError(): unknown {
    return this.#lastError;
  }

  /** Loads a new cache and makes it current when the load succeeds. Never rejects. */
  reload(): Promise<ReloadResult> {
    if (!this.#running) {
      this.#running = this.#run();
      return this.#running;
    }
    this.#queued ??= this.#running.then(() => {
      this.#queued = undefined;
      this.#running = this.#run();
      return this.#running;
    });
    return this.#queued;
  }

  async #run(): Promise<ReloadResult> {
    const started = performance.now();
    let result: ReloadResult;
    try {
      const cache = await this.#load();
      this.#current = cache;
      this.#lastError = undefined;
      result = { ok: true, cache, durationMs: performance.now() - started };
    } catch (error) {
      this.#lastError = error;
      result = { ok: false, error, durationMs: performance.now() - started };
    } finally {
      this.#settle();
    }
    try {
      if (result.ok) this.#options.onLoad?.(result.cache, result.durationMs);
      else this.#options.onError?.(result.error);
    } catch {
      // a failing report must not turn a reload into a rejection
    }
    return result;
  }

  #settle(): void {
    // the queued reload (if any) replaces #running itself when it starts
    if (!this.#queued) this.#running = undefined;
  }
}
