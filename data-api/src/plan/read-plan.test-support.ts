/**
 * Test support for the read planner and its SQL: a small Haven-like schema (DDL and rows)
 * and the SchemaCache introspection would give for it, built by hand so the read tests
 * depend on nothing but the contracts. Also a builder of ApiRequests for reads.
 */
import type { AcceptedMediaType, ApiRequest, Filter, FilterOperator, FilterValue, LogicTree, NodeModifiers, OrderTerm, SelectItem } from '../request/types.ts';
import type { Column, QualifiedName, Relation, ForeignKeyRelationship, SchemaCache } from '../schema-cache/types.ts';

export const SCHEMA = 'haven';

export const DDL = `
create schema haven;
create table haven.people (
  id int primary key,
  name text not null,
  email text,
  manager_id int references haven.people(id)
);
create table haven.properties (
  id int primary key,
  name text not null,
  owner_id int not null references haven.people(id),
  caretaker_id int references haven.people(id),
  address jsonb,
  tags text[] not null default '{}'
);
create table haven.property_details (
  property_id int primary key references haven.properties(id),
  year_built int,
  heating text
);
create table haven.zones (
  id int primary key,
  property_id int not null references haven.properties(id),
  name text not null,
  area numeric
);
create table haven.assets (
  id int primary key,
  zone_id int references haven.zones(id),
  name text not null,
  price numeric,
  purchased date,
  description text,
  search tsvector generated always as (to_tsvector('english', name || ' ' || coalesce(description, ''))) stored
);
create table haven.supplies (
  id int primary key,
  name text not null,
  unit text
);
create table haven.asset_supplies (
  asset_id int references haven.assets(id),
  supply_id int references haven.supplies(id),
  quantity int not null default 1,
  primary key (asset_id, supply_id)
);
create view haven.cheap_assets as select id, zone_id, name, price from haven.assets where price < 100;

insert into haven.people values
  (1, 'Ada', 'ada@example.com', null),
  (2, 'Bo', null, 1),
  (3, 'Cy', 'cy@example.com', 1);
insert into haven.properties values
  (10, 'Lake House', 1, 2, '{"city": "Annecy", "zip": "74000", "rooms": [{"name": "hall"}, {"name": "den"}]}', '{lake,summer}'),
  (11, 'City Flat', 1, null, '{"city": "Lyon", "zip": "69001"}', '{city}'),
  (12, 'Barn', 3, 3, null, '{}');
insert into haven.property_details values (10, 1931, 'wood'), (11, 1990, 'gas');
insert into haven.zones values
  (100, 10, 'Kitchen', 20.5),
  (101, 10, 'Garden', 300),
  (102, 11, 'Kitchen', 12),
  (103, 12, 'Loft', null);
insert into haven.assets (id, zone_id, name, price, purchased, description) values
  (1000, 100, 'Fridge', 800, '2020-05-01', 'cold food storage'),
  (1001, 100, 'Kettle', 40, '2021-01-10', 'boils water fast'),
  (1002, 101, 'Mower', 350, '2019-04-02', 'cuts the lawn'),
  (1003, 102, 'Oven', 600, null, 'bakes bread'),
  (1004, null, 'Ladder', 90, '2018-07-07', null);
insert into haven.supplies values (1, 'Filter', 'piece'), (2, 'Descaler', 'bottle'), (3, 'Oil', 'litre');
insert into haven.asset_supplies values (1000, 1, 2), (1001, 2, 1), (1002, 3, 1), (1002, 1, 1);
`;

function column(name: string, type: string, udtName: string, position: number, nullable = true): Column {
  return {
    name,
    type,
    udtName,
    nullable,
    defaultExpr: null,
    generated: false,
    isArray: udtName.startsWith('_'),
    description: null,
    position,
    enumValues: null,
  };
}

function relation(name: string, columns: Array<[string, string, string]>, primaryKey: string[], kind: Relation['kind'] = 'table'): Relation {
  return {
    schema: SCHEMA,
    name,
    kind,
    columns: columns.map(([columnName, type, udtName], index) => column(columnName, type, udtName, index + 1)),
    primaryKey,
    insertable: true,
    updatable: true,
    deletable: true,
    description: null,
  };
}

const INT: [string, string] = ['integer', 'int4'];
const TEXT: [string, string] = ['text', 'text'];
const NUMERIC: [string, string] = ['numeric', 'numeric'];

export const RELATIONS: Relation[] = [
  relation('people', [['id', ...INT], ['name', ...TEXT], ['email', ...TEXT], ['manager_id', ...INT]], ['id']),
  relation(
    'properties',
    [['id', ...INT], ['name', ...TEXT], ['owner_id', ...INT], ['caretaker_id', ...INT], ['address', 'jsonb', 'jsonb'], ['tags', 'text[]', '_text']],
    ['id'],
  ),
  relation('property_details', [['property_id', ...INT], ['year_built', ...INT], ['heating', ...TEXT]], ['property_id']),
  relation('zones', [['id', ...INT], ['property_id', ...INT], ['name', ...TEXT], ['area', ...NUMERIC]], ['id']),
  relation(
    'assets',
    [['id', ...INT], ['zone_id', ...INT], ['name', ...TEXT], ['price', ...NUMERIC], ['purchased', 'date', 'date'], ['description', ...TEXT], ['search', 'tsvector', 'tsvector']],
    ['id'],
  ),
  relation('supplies', [['id', ...INT], ['name', ...TEXT], ['unit', ...TEXT]], ['id']),
  relation('asset_supplies', [['asset_id', ...INT], ['supply_id', ...INT], ['quantity', ...INT]], ['asset_id', 'supply_id']),
  relation('cheap_assets', [['id', ...INT], ['zone_id', ...INT], ['name', ...TEXT], ['price', ...NUMERIC]], [], 'view'),
];

const q = (name: string): QualifiedName => ({ schema: SCHEMA, name });

/** A foreign key seen from both sides: M2O/O2M, or O2O both ways when the FK columns are unique. */
function foreignKey(constraintName: string, from: string, fromColumns: string[], to: string, toColumns: string[], unique = false): ForeignKeyRelationship[] {
  const pairs = fromColumns.map((fromColumn, index): [string, string] => [fromColumn, toColumns[index] ?? '']);
  const isSelf = from === to;
  return [
    { kind: unique ? 'one-to-one' : 'many-to-one', source: q(from), target: q(to), constraintName, columns: pairs, isSelf },
    { kind: unique ? 'one-to-one' : 'one-to-many', source: q(to), target: q(from), constraintName, columns: pairs.map(([a, b]): [string, string] => [b, a]), isSelf },
  ];
}

function manyToMany(junction: string, a: string, aConstraint: string, aColumns: Array<[string, string]>, b: string, bConstraint: string, bColumns: Array<[string, string]>): ForeignKeyRelationship[] {
  return [
    { kind: 'many-to-many', source: q(a), target: q(b), junction: q(junction), sourceConstraint: aConstraint, targetConstraint: bConstraint, sourceColumns: aColumns, targetColumns: bColumns },
    { kind: 'many-to-many', source: q(b), target: q(a), junction: q(junction), sourceConstraint: bConstraint, targetConstraint: aConstraint, sourceColumns: bColumns, targetColumns: aColumns },
  ];
}

export const RELATIONSHIPS: ForeignKeyRelationship[] = [
  ...foreignKey('people_manager_id_fkey', 'people', ['manager_id'], 'people', ['id']),
  ...foreignKey('properties_owner_id_fkey', 'properties', ['owner_id'], 'people', ['id']),
  ...foreignKey('properties_caretaker_id_fkey', 'properties', ['caretaker_id'], 'people', ['id']),
  ...foreignKey('property_details_property_id_fkey', 'property_details', ['property_id'], 'properties', ['id'], true),
  ...foreignKey('zones_property_id_fkey', 'zones', ['property_id'], 'properties', ['id']),
  ...foreignKey('assets_zone_id_fkey', 'assets', ['zone_id'], 'zones', ['id']),
  ...foreignKey('asset_supplies_asset_id_fkey', 'asset_supplies', ['asset_id'], 'assets', ['id']),
  ...foreignKey('asset_supplies_supply_id_fkey', 'asset_supplies', ['supply_id'], 'supplies', ['id']),
  // the view keeps assets.zone_id → zones.id
  ...foreignKey('assets_zone_id_fkey', 'cheap_assets', ['zone_id'], 'zones', ['id']),
  ...manyToMany('asset_supplies', 'assets', 'asset_supplies_asset_id_fkey', [['asset_id', 'id']], 'supplies', 'asset_supplies_supply_id_fkey', [['supply_id', 'id']]),
];

export function testCache(): SchemaCache {
  const relationships = new Map<string, ForeignKeyRelationship[]>();
  for (const rel of RELATIONSHIPS) {
    const key = `${rel.source.schema}.${rel.source.name}`;
    relationships.set(key, [...(relationships.get(key) ?? []), rel]);
  }
  return {
    schemas: [SCHEMA],
    relations: new Map(RELATIONS.map((rel) => [`${rel.schema}.${rel.name}`, rel])),
    relationships,
    routines: new Map(),
    loadedAt: new Date(0),
  };
}

// --- requests

export function modifiers(partial: Partial<NodeModifiers> = {}): NodeModifiers {
  return { filters: [], logic: [], order: [], limit: undefined, offset: undefined, ...partial };
}

export function filter(column: string, operator: FilterOperator, value: FilterValue | string, negated = false): Filter {
  const [name, ...path] = column.split(/(?=->)/);
  return {
    field: { column: name ?? column, jsonPath: path.map(jsonStep) },
    operator,
    negated,
    value: typeof value === 'string' ? { kind: 'scalar', value } : value,
  };
}

function jsonStep(step: string): { arrow: '->' | '->>'; key: string | number } {
  const arrow = step.startsWith('->>') ? '->>' : '->';
  const key = step.slice(arrow.length);
  return { arrow, key: /^-?\d+$/.test(key) ? Number(key) : key };
}

export function field(spec: string, options: { alias?: string; cast?: string; aggregate?: 'count' | 'sum' | 'avg' | 'max' | 'min'; aggregateCast?: string } = {}): SelectItem {
  const [name, ...path] = spec.split(/(?=->)/);
  return {
    kind: 'field',
    field: { column: name ?? spec, jsonPath: path.map(jsonStep) },
    alias: options.alias,
    cast: options.cast,
    aggregate: options.aggregate,
    aggregateCast: options.aggregateCast,
  };
}

export const star: SelectItem = { kind: 'star' };

export function embed(
  relationName: string,
  select: SelectItem[],
  options: { alias?: string; hint?: string; joinType?: 'inner' | 'left'; spread?: boolean } = {},
): SelectItem {
  return { kind: 'embed', relation: relationName, alias: options.alias, hint: options.hint, joinType: options.joinType, spread: options.spread ?? false, select };
}

export function order(spec: string, direction?: 'asc' | 'desc', nulls?: 'first' | 'last', relationName?: string): OrderTerm {
  const [name, ...path] = spec.split(/(?=->)/);
  return { relation: relationName, field: { column: name ?? spec, jsonPath: path.map(jsonStep) }, direction, nulls };
}

export function or(children: LogicTree[], negated = false): LogicTree {
  return { kind: 'or', negated, children };
}

export function leaf(f: Filter): LogicTree {
  return { kind: 'filter', filter: f };
}

export function readRequest(
  target: string,
  options: {
    select?: SelectItem[];
    modifiers?: Record<string, Partial<NodeModifiers>>;
    accept?: AcceptedMediaType[];
    count?: 'exact' | 'planned' | 'estimated';
    range?: { offset: number; limit: number | undefined };
    headersOnly?: boolean;
    action?: ApiRequest['action'];
  } = {},
): ApiRequest {
  return {
    method: options.headersOnly ? 'HEAD' : 'GET',
    path: `/${target}`,
    action: options.action ?? { kind: 'read', headersOnly: options.headersOnly ?? false },
    target: { kind: 'relation', name: target },
    schema: SCHEMA,
    select: options.select ?? [star],
    modifiers: new Map(Object.entries(options.modifiers ?? {}).map(([path, partial]) => [path, modifiers(partial)])),
    columns: undefined,
    onConflict: undefined,
    rpcArguments: new Map(),
    preferences: {
      return: undefined,
      count: options.count,
      resolution: undefined,
      missing: undefined,
      handling: undefined,
      tx: undefined,
      params: undefined,
      maxAffected: undefined,
      timezone: undefined,
      understood: options.count ? [`count=${options.count}`] : [],
      invalid: [],
    },
    accept: options.accept ?? [{ type: '*/*', parameters: {}, quality: 1 }],
    contentType: undefined,
    range: options.range,
    payload: undefined,
    headers: {},
    cookies: {},
  };
}

export function accept(type: string, parameters: Record<string, string> = {}, quality = 1): AcceptedMediaType {
  return { type, parameters, quality };
}
