import type { DataApiConfig } from '../config/config.ts';
import type { ExecutionPlan } from '../plan/types.ts';
import type { RawRequest } from '../request/api-request.ts';
import { isReservedKey } from '../request/parse-query.ts';
import { decodeComponent } from '../request/query-string.ts';
import type { ApiRequest } from '../request/types.ts';
import type { SchemaCache } from '../schema-cache/types.ts';
import { fromParts, type Part } from '../sql/fragment.ts';

/** A read as parsed and planned, minus its headers and cookies (they change with every request). */
export interface PlannedRead {
  request: Omit<ApiRequest, 'headers' | 'cookies'>;
  plan: ExecutionPlan;
}

/**
 * What decides a read's plan, with the values of its plain filters (`col=eq.v`, neq, gt, gte,
 * lt, lte) taken out: `values` are those values, decoded, in the order of the query string.
 */
export interface ReadKey {
  key: string;
  values: string[];
}

interface KeptRead extends PlannedRead {
  /** The statement's parts, and for each taken value the index of the part that binds it. */
  parts: readonly Part[];
  slots: number[];
}

/** Stands for a taken value in a key: a request target cannot hold a control character. */
const TAKEN = '\u0001';
const PLAIN_FILTER = /^(eq|neq|gt|gte|lt|lte)\.([\s\S]*)$/;

/**
 * The plans of reads (GET/HEAD on a table, view or function), by everything that decides them:
 * method, path, query string and the headers the parser reads. Parsing and planning are pure
 * functions of those, of the schema cache and of the settings, so a read asked again (a list
 * page, a dashboard's queries, a lookup by another id) skips both. A plain filter's value is
 * bound as one parameter, so reads that differ only by such values share a plan: the new values
 * are put in the places of the old. A new schema cache or new settings start afresh.
 *
 * A plan is kept only when its key comes a second time while still among the last `capacity`
 * keys seen, and only if each taken value is found exactly once among the statement's bound
 * values; at most `capacity` are kept, the least recently used going first. A key longer than
 * `maxKeyLength` is not kept.
 */
export class ReadPlans {
  readonly #entries = new Map<string, KeptRead>();
  /** Keys seen once, most recent last. */
  readonly #seen = new Set<string>();
  #cache: SchemaCache | undefined;
  #config: DataApiConfig | undefined;

  constructor(
    private readonly capacity = 200,
    private readonly maxKeyLength = 4096,
  ) {}

  /** The key of a request that may be a read, or undefined for one that cannot be kept. */
  keyOf(raw: RawRequest): ReadKey | undefined {
    if (raw.method !== 'GET' && raw.method !== 'HEAD') return undefined;
    const { headers } = raw;
    // a function's query parameters are its arguments, not filters (set() checks the parsed target too)
    const { query, values } = raw.path.startsWith('/rpc/') ? { query: raw.query, values: [] } : takeFilterValues(raw.query);
    const key = `${raw.method}\0${raw.path}\0${query}\0${headers['accept'] ?? TAKEN}\0${headers['prefer'] ?? TAKEN}\0${headers['range'] ?? TAKEN}\0${headers['accept-profile'] ?? TAKEN}\0${headers['content-type'] ?? TAKEN}`;
    return key.length <= this.maxKeyLength ? { key, values } : undefined;
  }

  /** The kept read for this key, its statement binding this request's values. */
  get(read: ReadKey, cache: SchemaCache, config: DataApiConfig): PlannedRead | undefined {
    if (cache !== this.#cache || config !== this.#config) {
      this.#entries.clear();
      this.#seen.clear();
      this.#cache = cache;
      this.#config = config;
      return undefined;
    }
    const entry = this.#entries.get(read.key);
    if (!entry) return undefined;
    // most recently used last: Map keeps insertion order
    this.#entries.delete(read.key);
    this.#entries.set(read.key, entry);
    if (entry.slots.length === 0) return entry;
    const parts = entry.parts.slice();
    entry.slots.forEach((slot, index) => (parts[slot] = { value: read.values[index] }));
    return { request: entry.request, plan: { ...entry.plan, statement: fromParts(parts) } };
  }

  /** Whether a plan for this key would be kept: its key was seen recently. Records it as seen otherwise. */
  admits(read: ReadKey): boolean {
    if (this.#seen.delete(read.key)) return true;
    this.#seen.add(read.key);
    if (this.#seen.size > this.capacity) this.#seen.delete(this.#seen.keys().next().value!);
    return false;
  }

  set(read: ReadKey, cache: SchemaCache, config: DataApiConfig, entry: PlannedRead): void {
    if (cache !== this.#cache || config !== this.#config) return;
    // a function's parameters are arguments, not filters (keyOf only knows the path as written)
    if (read.values.length > 0 && entry.request.target.kind === 'routine') return;
    const parts = entry.plan.statement.parts;
    const slots: number[] = [];
    for (const value of read.values) {
      const places = parts.flatMap((part, index) => ('value' in part && part.value === value ? [index] : []));
      // a value bound twice, or equal to another bound value, cannot be told apart: not kept
      if (places.length !== 1 || slots.includes(places[0]!)) return;
      slots.push(places[0]!);
    }
    // a planned count's statement binds the values too; it is not rewritten
    if (slots.length > 0 && (entry.plan as { countPlanStatement?: unknown }).countPlanStatement !== undefined) return;
    this.#entries.set(read.key, { ...entry, parts, slots });
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** The query string with the values of its plain filters replaced by TAKEN, and those values. */
function takeFilterValues(query: string): { query: string; values: string[] } {
  const text = query.startsWith('?') ? query.slice(1) : query;
  if (!text.includes('=')) return { query: text, values: [] };
  const values: string[] = [];
  const pieces = text.split(/([&;])/);
  for (let index = 0; index < pieces.length; index += 2) {
    const piece = pieces[index]!;
    const eq = piece.indexOf('=');
    if (eq < 0 || isReservedKey(decodeComponent(piece.slice(0, eq)))) continue;
    const filter = PLAIN_FILTER.exec(decodeComponent(piece.slice(eq + 1)));
    if (!filter) continue;
    values.push(filter[2]!);
    pieces[index] = `${piece.slice(0, eq)}=${filter[1]}.${TAKEN}`;
  }
  return { query: pieces.join(''), values };
}

/** Whether a parsed request is a read whose plan may be kept. */
export function isKeptRead(request: ApiRequest): boolean {
  if (request.target.kind === 'root') return false;
  return request.action.kind === 'read' || (request.action.kind === 'call' && request.action.method !== 'POST');
}
