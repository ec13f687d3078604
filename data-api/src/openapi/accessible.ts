import { readFileSync } from 'node:fs';
import type { Queryable } from '../schema-cache/queries.ts';

/**
 * The relations and functions of one schema that the current role can use: the input of
 * `buildOpenApi` in `follow-privileges` mode. Run it with the request's client after the
 * role switch (`set local role …`), so the privilege functions answer for that role.
 */
export interface AccessibleObjects {
  /** `schema.name` of every relation the role has any privilege on (or owns). */
  relations: ReadonlySet<string>;
  /** oids of the functions the role may execute (overloads are told apart). */
  routines: ReadonlySet<number>;
}

const accessibleSql = readFileSync(new URL('./accessible.sql', import.meta.url), 'utf8');

interface AccessibleRow {
  kind: 'relation' | 'routine';
  schema: string;
  name: string;
  oid: number;
}

export async function queryAccessibleObjects(client: Queryable, schema: string): Promise<AccessibleObjects> {
  const { rows } = await client.query<AccessibleRow>(accessibleSql, [schema]);
  const relations = new Set<string>();
  const routines = new Set<number>();
  for (const row of rows) {
    if (row.kind === 'relation') relations.add(`${row.schema}.${row.name}`);
    else routines.add(row.oid);
  }
  return { relations, routines };
}
