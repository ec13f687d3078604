import type { DataApiConfig } from '../config/config.ts';
import type { ExecutionPlan } from '../plan/types.ts';
import type { RawRequest } from '../request/api-request.ts';
import type { ApiRequest } from '../request/types.ts';
import type { SchemaCache } from '../schema-cache/types.ts';

/** A read as parsed and planned, minus its headers and cookies (they change with every request). */
export interface PlannedRead {
  request: Omit<ApiRequest, 'headers' | 'cookies'>;
  plan: ExecutionPlan;
}

/**
 * The plans of reads (GET/HEAD on a table, view or function), by everything that decides them:
 * method, path, query string and the headers the parser reads. Parsing and planning are pure
 * functions of those, of the schema cache and of the settings, so a read asked again (a list
 * page, a dashboard's queries) skips both. A new schema cache or new settings start afresh.
 * Only successes are kept, at most `capacity`, the least recently used going first; a request
 * with a key longer than `maxKeyLength` is not kept.
 *
 * A plan is kept only when its key comes a second time while still among the last `capacity`
 * keys seen: a read that never repeats (a lookup by id walks many ids) would otherwise push out
 * the plans that do, and churn the heap with plans kept just long enough to be promoted.
 */
export class ReadPlans {
  readonly #entries = new Map<string, PlannedRead>();
  /** Keys seen once, most recent last. */
  readonly #seen = new Set<string>();
  #cache: SchemaCache | undefined;
  #config: DataApiConfig | undefined;

  constructor(
    private readonly capacity = 200,
    private readonly maxKeyLength = 4096,
  ) {}

  /** The key of a request that may be a read, or undefined for one that cannot be kept. */
  keyOf(raw: RawRequest): string | undefined {
    if (raw.method !== 'GET' && raw.method !== 'HEAD') return undefined;
    const { headers } = raw;
    const key = `${raw.method}\0${raw.path}\0${raw.query}\0${headers['accept'] ?? '\u0001'}\0${headers['prefer'] ?? '\u0001'}\0${headers['range'] ?? '\u0001'}\0${headers['accept-profile'] ?? '\u0001'}\0${headers['content-type'] ?? '\u0001'}`;
    return key.length <= this.maxKeyLength ? key : undefined;
  }

  get(key: string, cache: SchemaCache, config: DataApiConfig): PlannedRead | undefined {
    if (cache !== this.#cache || config !== this.#config) {
      this.#entries.clear();
      this.#seen.clear();
      this.#cache = cache;
      this.#config = config;
      return undefined;
    }
    const entry = this.#entries.get(key);
    if (entry) {
      // most recently used last: Map keeps insertion order
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Whether a plan for `key` would be kept: its key was seen recently. Records it as seen otherwise. */
  admits(key: string): boolean {
    if (this.#seen.delete(key)) return true;
    this.#seen.add(key);
    if (this.#seen.size > this.capacity) this.#seen.delete(this.#seen.keys().next().value!);
    return false;
  }

  set(key: string, cache: SchemaCache, config: DataApiConfig, entry: PlannedRead): void {
    if (cache !== this.#cache || config !== this.#config) return;
    this.#entries.set(key, entry);
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** Whether a parsed request is a read whose plan may be kept. */
export function isKeptRead(request: ApiRequest): boolean {
  if (request.target.kind === 'root') return false;
  return request.action.kind === 'read' || (request.action.kind === 'call' && request.action.method !== 'POST');
}
