import type { PgrstError } from '../errors.ts';
import type { PlanContext } from '../plan/context.ts';
import type { ExecutionPlan } from '../plan/types.ts';
import type { RawRequest, RequestConfig } from '../request/api-request.ts';
import type { ApiRequest } from '../request/types.ts';
import type { SchemaCache } from '../schema-cache/types.ts';

export type { RawRequest, RequestConfig, PlanContext };

/**
 * The stages the server runs but does not own, injected so that tests can use hand-written
 * ones. Each fails with a PgrstError, thrown or returned.
 */

/** request/api-request.ts `parseApiRequest`. */
export type ParseApiRequest = (raw: RawRequest, config: RequestConfig) => ApiRequest | PgrstError | Promise<ApiRequest | PgrstError>;

/** plan/index.ts `buildPlan`: every action but OPTIONS and the root's OpenAPI description (the server answers those). */
export type BuildPlan = (request: ApiRequest, cache: SchemaCache, context: PlanContext) => ExecutionPlan | PgrstError | Promise<ExecutionPlan | PgrstError>;

/**
 * What the server needs of the schema cache holder: the cache to plan against (undefined
 * until the first load succeeded: PGRST002), and a reload that rejects when it fails (the
 * server retries with backoff).
 */
export interface SchemaCacheSource {
  current(): SchemaCache | undefined;
  reload(): Promise<void>;
}

/** The settings as they are now: `reload config` replaces them while the server runs. */
export interface ConfigSource<T> {
  current(): T;
}
