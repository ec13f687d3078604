import { readFileSync } from 'node:fs';
import type { Queryable } from './queries.ts';
import { qualifiedKey, type MediaHandler, type MediaHandlers, type QualifiedName } from './types.ts';

/**
 * Media type handlers (PostgREST ≥ 12, "Media Type Handlers"): domains named after a media
 * type make handlers of the aggregates and functions that return them. Read with the rest of
 * the schema cache (see sql/media-handlers.sql).
 */

const MEDIA_HANDLERS_SQL = readFileSync(new URL('./sql/media-handlers.sql', import.meta.url), 'utf8');

/** The key of handlers over `anyelement`: they serve every relation and function result. */
export const ANY_ELEMENT = '*';

export interface MediaHandlerRow {
  kind: 'aggregate' | 'function';
  schema: string;
  name: string;
  /** null for an aggregate over anyelement */
  target_schema: string | null;
  target_name: string | null;
  media_type: string;
  base_type: string;
}

export async function queryMediaHandlers(client: Queryable, schemas: string[]): Promise<MediaHandlerRow[]> {
  return (await client.query<MediaHandlerRow>(MEDIA_HANDLERS_SQL, [schemas])).rows;
}

export function mediaHandlersFromRows(rows: MediaHandlerRow[]): MediaHandlers {
  const handlers: MediaHandlers = new Map();
  for (const row of rows) {
    const target = row.target_schema === null || row.target_name === null ? ANY_ELEMENT : qualifiedKey({ schema: row.target_schema, name: row.target_name });
    const handler: MediaHandler = {
      kind: row.kind,
      handler: { schema: row.schema, name: row.name },
      target: row.kind === 'aggregate' && row.target_schema !== null && row.target_name !== null ? { schema: row.target_schema, name: row.target_name } : undefined,
      mediaType: row.media_type,
      // PostgREST answers `*/*` with a generic type, which the handler may replace through response.headers
      contentType: row.media_type === '*/*' ? 'application/octet-stream' : row.media_type,
      binary: row.base_type === 'bytea',
    };
    let byType = handlers.get(target);
    if (!byType) handlers.set(target, (byType = new Map()));
    byType.set(row.media_type, handler);
  }
  return handlers;
}

/**
 * The handler of `target` (a relation or function) for a media type, as PostgREST looks it up:
 * the target's `*\/*` handler, then its handler of that type — both only when the request
 * selects the default columns, since an aggregate takes the relation's whole row — then an
 * anyelement handler of that type.
 */
export function lookupMediaHandler(
  handlers: MediaHandlers | undefined,
  target: QualifiedName,
  mediaType: string,
  defaultSelect: boolean,
): MediaHandler | undefined {
  if (!handlers || handlers.size === 0) return undefined;
  if (defaultSelect) {
    const own = handlers.get(qualifiedKey(target));
    const found = own?.get('*/*') ?? own?.get(mediaType);
    if (found) return found;
  }
  return handlers.get(ANY_ELEMENT)?.get(mediaType);
}
