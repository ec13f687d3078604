import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { withClient } from '@launchdb/common';
import { PgrstError } from '../errors.ts';
import { createFixtureDatabase, type FixtureDatabase } from '../../test/fixtures/load-fixture.ts';
import { introspectSchemaCache } from './introspect.ts';
import { findRelationships } from './schema-cache.ts';
import type { QualifiedName, ForeignKeyRelationship, SchemaCache } from './types.ts';
import { FuzzySet } from './fuzzy.ts';

let db: FixtureDatabase;
let cache: SchemaCache;

beforeAll(async () => {
  db = await createFixtureDatabase('embedding');
  cache = await withClient(db.url, (client) => introspectSchemaCache(client, ['api', 'v2']));
});

afterAll(async () => {
  await db?.drop();
});

const api = (name: string): QualifiedName => ({ schema: 'api', name });

function found(source: string, target: string, hint?: string, schema = 'api'): ForeignKeyRelationship {
  const result = findRelationships(cache, { schema, name: source }, target, hint);
  if (result instanceof PgrstError) throw new Error(`${source} -> ${target}${hint ? `!${hint}` : ''}: ${result.code} ${result.message}`);
  return result;
}

function failed(source: string, target: string, hint?: string): PgrstError {
  const result = findRelationships(cache, api(source), target, hint);
  if (!(result instanceof PgrstError)) throw new Error(`${source} -> ${target} resolved to ${JSON.stringify(result)}`);
  return result;
}

/** PgrstError.details is text today; PostgREST sends PGRST201's details as a JSON array. */
function detailsOf(error: PgrstError): unknown {
  return typeof error.details === 'string' && error.details.startsWith('[') ? JSON.parse(error.details) : error.details;
}

const constraintOf = (rel: ForeignKeyRelationship) => (rel.kind === 'many-to-many' ? rel.junction.name : rel.constraintName);

describe('findRelationships', () => {
  test('a single relationship by table name', () => {
    expect(found('zones', 'properties')).toMatchObject({ kind: 'many-to-one', target: api('properties'), constraintName: 'zones_property_id_fkey' });
    expect(found('properties', 'zones')).toMatchObject({ kind: 'one-to-many', target: api('zones'), columns: [['id', 'property_id']] });
    expect(found('properties', 'property_settings')).toMatchObject({ kind: 'one-to-one', foreignKeySide: 'target' });
    expect(found('property_settings', 'properties')).toMatchObject({ kind: 'one-to-one', foreignKeySide: 'source' });
    expect(found('tasks', 'contractors')).toMatchObject({ kind: 'many-to-one', target: api('contractors') });
    expect(found('open_tasks', 'contractors')).toMatchObject({ kind: 'many-to-one' });
  });

  test('many-to-many through the junction, and by the junction as hint', () => {
    const rel = found('assets', 'supplies');
    expect(rel).toMatchObject({ kind: 'many-to-many', junction: api('asset_supplies'), sourceColumns: [['asset_id', 'id']], targetColumns: [['supply_id', 'id']] });
    expect(found('assets', 'supplies', 'asset_supplies')).toEqual(rel);
    expect(found('supplies', 'assets')).toMatchObject({ kind: 'many-to-many', junction: api('asset_supplies') });
  });

  test('two foreign keys to the same table: PGRST201 with PostgREST details and hint', () => {
    const error = failed('tasks', 'people');
    expect(error.status).toBe(300);
    expect(error.code).toBe('PGRST201');
    expect(error.message).toBe("Could not embed because more than one relationship was found for 'tasks' and 'people'");
    expect(detailsOf(error)).toEqual([
      { cardinality: 'many-to-one', embedding: 'tasks with people', relationship: 'tasks_assigned_to_fkey using tasks(assigned_to) and people(id)' },
      { cardinality: 'many-to-one', embedding: 'tasks with people', relationship: 'tasks_created_by_fkey using tasks(created_by) and people(id)' },
    ]);
    expect(error.hint).toBe(
      "Try changing 'people' to one of the following: 'people!tasks_assigned_to_fkey', 'people!tasks_created_by_fkey'. Find the desired relationship in the 'details' key.",
    );

    const reverse = failed('people', 'tasks');
    expect(detailsOf(reverse)).toEqual([
      { cardinality: 'one-to-many', embedding: 'people with tasks', relationship: 'tasks_assigned_to_fkey using people(id) and tasks(assigned_to)' },
      { cardinality: 'one-to-many', embedding: 'people with tasks', relationship: 'tasks_created_by_fkey using people(id) and tasks(created_by)' },
    ]);
    // also through the view over tasks
    expect(failed('open_tasks', 'people').code).toBe('PGRST201');
  });

  test('hints resolve the ambiguity: constraint name, column of either side', () => {
    expect(constraintOf(found('tasks', 'people', 'tasks_created_by_fkey'))).toBe('tasks_created_by_fkey');
    expect(constraintOf(found('tasks', 'people', 'created_by'))).toBe('tasks_created_by_fkey');
    expect(constraintOf(found('tasks', 'people', 'assigned_to'))).toBe('tasks_assigned_to_fkey');
    expect(found('people', 'tasks', 'created_by')).toMatchObject({ kind: 'one-to-many', columns: [['id', 'created_by']] });
    expect(found('people', 'tasks', 'tasks_assigned_to_fkey')).toMatchObject({ kind: 'one-to-many', columns: [['id', 'assigned_to']] });
    // the hint `id` (referenced column) matches both: still ambiguous
    expect(failed('tasks', 'people', 'id').code).toBe('PGRST201');
  });

  test('the target may be a foreign key constraint or column of the source (tables only)', () => {
    expect(found('tasks', 'created_by')).toMatchObject({ kind: 'many-to-one', target: api('people'), constraintName: 'tasks_created_by_fkey' });
    expect(found('tasks', 'tasks_assigned_to_fkey')).toMatchObject({ kind: 'many-to-one', target: api('people'), constraintName: 'tasks_assigned_to_fkey' });
    // tasks.contractor_id points at a view (api.contractors): not usable as a target name
    expect(failed('tasks', 'contractor_id').code).toBe('PGRST200');
    expect(failed('tasks', 'tasks_contractor_id_fkey').code).toBe('PGRST200');
  });

  test('self-reference: table name gives the children, column name the parent, a hint picks the children by column', () => {
    expect(found('zones', 'zones')).toMatchObject({ kind: 'one-to-many', isSelf: true, columns: [['id', 'parent_zone_id']] });
    expect(found('zones', 'parent_zone_id')).toMatchObject({ kind: 'many-to-one', isSelf: true, columns: [['parent_zone_id', 'id']] });
    expect(found('zones', 'zones', 'parent_zone_id')).toMatchObject({ kind: 'one-to-many', isSelf: true });
    expect(failed('zones', 'zones', 'zones_parent_zone_id_fkey').code).toBe('PGRST200');
  });

  test('no relationship: PGRST200 with PostgREST texts', () => {
    const error = failed('tasks', 'supplies');
    expect(error.status).toBe(400);
    expect(error.toJSON()).toEqual({
      code: 'PGRST200',
      message: "Could not find a relationship between 'tasks' and 'supplies' in the schema cache",
      details: "Searched for a foreign key relationship between 'tasks' and 'supplies' in the schema 'api', but no matches were found.",
      // fuzzy search over the targets of tasks, as PostgREST does it (any score >= 0.33)
      hint: "Perhaps you meant 'properties' instead of 'supplies'.",
    });
  });

  test('no relationship with a hint names the hint', () => {
    const error = failed('tasks', 'people', 'tasks_bogus_fkey');
    expect(error.code).toBe('PGRST200');
    expect(error.details).toBe("Searched for a foreign key relationship between 'tasks' and 'people' using the hint 'tasks_bogus_fkey' in the schema 'api', but no matches were found.");
    // 'people' is a target of tasks: no "perhaps you meant"
    expect(error.hint).toBeNull();
  });

  test('"Perhaps you meant" for a misspelt target or source', () => {
    expect(failed('tasks', 'peple').hint).toBe("Perhaps you meant 'people' instead of 'peple'.");
    expect(failed('taks', 'people').hint).toBe("Perhaps you meant 'tasks' instead of 'taks'.");
    expect(failed('tasks', 'zzzzzz').hint).toBeNull();
  });

  test('targets are looked up in the source schema only', () => {
    expect(found('rooms', 'properties', undefined, 'v2')).toMatchObject({ target: { schema: 'v2', name: 'properties' } });
    expect(findRelationships(cache, { schema: 'v2', name: 'rooms' }, 'tasks', undefined)).toBeInstanceOf(PgrstError);
  });
});

describe('FuzzySet', () => {
  test('exact matches win, close ones score, far ones do not', () => {
    const set = new FuzzySet(['tasks', 'people', 'properties', 'maintenance_logs']);
    expect(set.get('People')).toEqual([[1, 'people']]);
    expect(set.getOne('task')).toBe('tasks');
    expect(set.getOne('maintenance_log')).toBe('maintenance_logs');
    expect(set.getOne('xyz')).toBeUndefined();
  });
});
