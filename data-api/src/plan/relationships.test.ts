import { describe, expect, test } from 'vitest';
import { PgrstError } from '../errors.ts';
import type { Relationship } from '../schema-cache/types.ts';
import { findRelationship } from './relationships.ts';
import { SCHEMA, testCache } from './read-plan.test-support.ts';

const cache = testCache();
const source = (name: string) => ({ schema: SCHEMA, name });
const find = (from: string, target: string, hint?: string) => findRelationship(cache, SCHEMA, source(from), target, hint);
const summary = (rel: Relationship) => (rel.kind === 'computed' ? `computed ${rel.function.name}` : rel.kind === 'many-to-many' ? `${rel.kind} ${rel.target.name} via ${rel.junction.name}` : `${rel.kind} ${rel.target.name} ${rel.constraintName}`);

function failure(run: () => unknown): PgrstError {
  try {
    run();
  } catch (error) {
    if (error instanceof PgrstError) return error;
    throw error;
  }
  throw new Error('expected a PgrstError');
}

describe('findRelationship', () => {
  test('by table name, each cardinality', () => {
    expect(summary(find('assets', 'zones'))).toBe('many-to-one zones assets_zone_id_fkey');
    expect(summary(find('zones', 'assets'))).toBe('one-to-many assets assets_zone_id_fkey');
    expect(summary(find('properties', 'property_details'))).toBe('one-to-one property_details property_details_property_id_fkey');
    expect(summary(find('property_details', 'properties'))).toBe('one-to-one properties property_details_property_id_fkey');
    expect(summary(find('assets', 'supplies'))).toBe('many-to-many supplies via asset_supplies');
  });

  test('by FK constraint or FK column in place of the table name (tables only, not views)', () => {
    expect(summary(find('assets', 'assets_zone_id_fkey'))).toBe('many-to-one zones assets_zone_id_fkey');
    expect(summary(find('assets', 'zone_id'))).toBe('many-to-one zones assets_zone_id_fkey');
    expect(summary(find('properties', 'owner_id'))).toBe('many-to-one people properties_owner_id_fkey');
    // zones has two one-to-many relationships named assets_zone_id_fkey: to the table and to the view
    expect(summary(find('zones', 'assets_zone_id_fkey'))).toBe('one-to-many assets assets_zone_id_fkey');
  });

  test('hints: constraint, column on either side, junction', () => {
    expect(summary(find('properties', 'people', 'properties_caretaker_id_fkey'))).toBe('many-to-one people properties_caretaker_id_fkey');
    expect(summary(find('properties', 'people', 'owner_id'))).toBe('many-to-one people properties_owner_id_fkey');
    expect(summary(find('people', 'properties', 'caretaker_id'))).toBe('one-to-many properties properties_caretaker_id_fkey');
    expect(summary(find('assets', 'supplies', 'asset_supplies'))).toBe('many-to-many supplies via asset_supplies');
  });

  test('self-references: O2M by the table name, M2O by the FK column, O2M hinted by the FK column', () => {
    expect(summary(find('people', 'people'))).toBe('one-to-many people people_manager_id_fkey');
    expect(summary(find('people', 'manager_id'))).toBe('many-to-one people people_manager_id_fkey');
    expect(summary(find('people', 'people', 'manager_id'))).toBe('one-to-many people people_manager_id_fkey');
  });

  test('ambiguous: PGRST201 (300) with the candidates and hints', () => {
    const error = failure(() => find('people', 'properties'));
    expect(error.status).toBe(300);
    expect(error.code).toBe('PGRST201');
    expect(error.message).toBe("Could not embed because more than one relationship was found for 'people' and 'properties'");
    expect(error.hint).toBe(
      "Try changing 'properties' to one of the following: 'properties!properties_owner_id_fkey', 'properties!properties_caretaker_id_fkey'. Find the desired relationship in the 'details' key.",
    );
    expect(error.details).toEqual([
      { cardinality: 'one-to-many', embedding: 'people with properties', relationship: 'properties_owner_id_fkey using people(id) and properties(owner_id)' },
      { cardinality: 'one-to-many', embedding: 'people with properties', relationship: 'properties_caretaker_id_fkey using people(id) and properties(caretaker_id)' },
    ]);
  });

  test('none: PGRST200 with the searched hint and a suggestion', () => {
    const misspelt = failure(() => find('properties', 'zone'));
    expect(misspelt).toMatchObject({
      status: 400,
      code: 'PGRST200',
      message: "Could not find a relationship between 'properties' and 'zone' in the schema cache",
      details: "Searched for a foreign key relationship between 'properties' and 'zone' in the schema 'haven', but no matches were found.",
      hint: "Perhaps you meant 'zones' instead of 'zone'.",
    });
    const badHint = failure(() => find('properties', 'zones', 'nope'));
    expect(badHint.details).toBe("Searched for a foreign key relationship between 'properties' and 'zones' using the hint 'nope' in the schema 'haven', but no matches were found.");
    expect(badHint.hint).toBeNull();
    expect(failure(() => find('people', 'supplies')).code).toBe('PGRST200');
  });
});
