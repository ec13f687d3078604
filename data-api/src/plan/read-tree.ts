/**
 * ApiRequest → ReadTree: resolves the `select` tree against the schema cache (embeds and
 * their relationships), places filters, logic trees, order and ranges on their nodes,
 * turns `embed=is.null` filters into embed conditions, hoists aggregates out of spread
 * embeds and decides which nodes are grouped. Pure; failures are PgrstErrors.
 */
import { Errors, fromPostgresError, PgrstError } from '../errors.ts';
import type { ApiRequest, FieldPath, Filter, LogicTree, NodeModifiers, OrderTerm, SelectItem } from '../request/types.ts';
import { qualifiedKey, type QualifiedName, type Relation, type Relationship, type SchemaCache } from '../schema-cache/types.ts';
import { isSafeCastType } from '../sql/select-list.ts';
import type { PlanContext } from './context.ts';
import {
  isEmbedNode,
  type ConditionTree,
  type EmbedNode,
  type JoinCondition,
  type PlannedField,
  type PlannedOrder,
  type PlannedRange,
  type ReadNode,
  type ReadPurpose,
  type ReadTree,
  type SpreadColumn,
} from './read-types.ts';
import { findRelationship, isToOne } from './relationships.ts';

type EmbedItem = Extract<SelectItem, { kind: 'embed' }>;

interface BuildState {
  cache: SchemaCache;
  schema: string;
  context: PlanContext;
}

/** Which PostgREST rules apply: writes and RPC read their own rows through the same tree. */
export function purposeOf(request: ApiRequest): ReadPurpose {
  switch (request.action.kind) {
    case 'insert':
    case 'update':
    case 'delete':
    case 'put':
      return 'mutation';
    case 'call':
      return 'call';
    default:
      return 'read';
  }
}

export function buildReadTree(relation: Relation, request: ApiRequest, cache: SchemaCache, context: PlanContext, purpose: ReadPurpose): ReadTree {
  const state: BuildState = { cache, schema: request.schema, context };
  const root = buildNode(state, relation, relation.name, request.select, 0);
  applyModifiers(root, request, purpose);
  if (purpose !== 'mutation') {
    root.range = topLevelRange(request);
    if (context.maxRows !== undefined) restrictRanges(root, context.maxRows);
  }
  finishGrouping(root, { next: 0 });
  return root;
}

/** The root's range: `limit`/`offset` intersected with the `Range` header (PostgREST's rangeIntersection). */
export function topLevelRange(request: ApiRequest): PlannedRange {
  const modifiers = request.modifiers.get('');
  const fromQuery = { offset: modifiers?.offset ?? 0, limit: modifiers?.limit };
  const header = request.range;
  if (!header) return fromQuery;
  const lower = Math.max(fromQuery.offset, header.offset);
  const upperOf = (range: PlannedRange) => (range.limit === undefined ? Infinity : range.offset + range.limit - 1);
  const upper = Math.min(upperOf(fromQuery), upperOf(header));
  if (upper < lower) {
    if (fromQuery.limit === 0) return { offset: lower, limit: 0 };
    throw Errors.invalidRange();
  }
  return { offset: lower, limit: upper === Infinity ? undefined : upper - lower + 1 };
}

// --- select and embeds

function buildNode(state: BuildState, relation: Relation, alias: string, select: SelectItem[], depth: number): ReadNode {
  const node: ReadNode = {
    relation,
    alias,
    fields: [],
    where: [],
    order: [],
    range: { offset: 0, limit: undefined },
    embeds: [],
    grouped: false,
    depth,
  };
  for (const item of select) {
    if (item.kind === 'embed') node.embeds.push(buildEmbed(state, node, item, depth + 1));
    // `*` of a relation with a data representation names every column, so each can be formatted
    else if (item.kind === 'star' && relation.columns.some((column) => column.representations?.toJson)) node.fields.push(...expandStar(relation, { kind: 'star' }));
    else node.fields.push(resolveField(state, relation, item));
  }
  return node;
}

function resolveField(state: BuildState, relation: Relation, item: Exclude<SelectItem, { kind: 'embed' }>): PlannedField {
  switch (item.kind) {
    case 'star':
      return { kind: 'star' };
    case 'count':
      if (!state.context.aggregatesEnabled) throw Errors.aggregatesDisabled();
      checkCast(item.cast);
      return { kind: 'count', cast: item.cast, outputName: item.alias ?? 'count' };
    case 'field':
      if (item.aggregate && !state.context.aggregatesEnabled) throw Errors.aggregatesDisabled();
      checkCast(item.cast);
      checkCast(item.aggregateCast);
      return {
        kind: 'column',
        field: item.field,
        cast: item.cast,
        aggregate: item.aggregate,
        aggregateCast: item.aggregateCast,
        outputName: item.alias ?? item.aggregate ?? defaultFieldName(item.field),
        // a JSON path reads into the stored value, which the formatter would not accept
        format: item.field.jsonPath.length === 0 ? outputFormat(relation, item.field.column) : undefined,
      };
  }
}

/** The `domain → json` function of a column's data representation, if it has one. */
function outputFormat(relation: Relation, column: string): QualifiedName | undefined {
  return relation.columns.find((candidate) => candidate.name === column)?.representations?.toJson;
}

/** `data->a->>b` is named `b`; `data->1` is named `data`; `data->a->0` is named `a`. */
export function defaultFieldName(field: FieldPath): string {
  for (let index = field.jsonPath.length - 1; index >= 0; index -= 1) {
    const key = field.jsonPath[index]?.key;
    if (typeof key === 'string') return key;
  }
  return field.column;
}

function checkCast(cast: string | undefined): void {
  if (cast !== undefined && !isSafeCastType(cast)) {
    throw Errors.parse(`"failed to parse select parameter (::${cast})"`, `unexpected cast type "${cast}"`);
  }
}

function buildEmbed(state: BuildState, parent: ReadNode, item: EmbedItem, depth: number): EmbedNode {
  const relationship = findRelationship(state.cache, state.schema, parent.relation, item.relation, item.hint);
  const target = state.cache.relations.get(qualifiedKey(relationship.target));
  if (!target) throw Errors.noRelation(relationship.target.schema, relationship.target.name);
  const toOne = isToOne(relationship);

  const outputName = item.alias ?? item.relation;
  const alias = `${target.name}_${depth}`;
  const aggAlias = `${parent.relation.name}_${outputName}_${depth}`;
  // PostgREST joins both under this alias and PostgreSQL refuses the statement; its error is
  // the answer, rather than a body with the same key twice
  if (parent.embeds.some((embed) => embed.aggAlias === aggAlias)) {
    throw fromPostgresError({ code: '42712', message: `table name "${aggAlias}" specified more than once` }, false);
  }
  const junction = relationship.kind === 'many-to-many' ? { name: relationship.junction, alias: `${relationship.junction.name}_${depth}` } : undefined;

  const inner = buildNode(state, target, alias, item.select, depth);
  return {
    ...inner,
    name: item.relation,
    outputName,
    aggAlias,
    relationship,
    toOne,
    joinType: item.joinType ?? 'left',
    spread: item.spread,
    empty: inner.fields.length === 0 && inner.embeds.every((embed) => embed.empty),
    joinConditions: joinConditions(relationship, parent.alias, alias, junction?.alias),
    junction,
    fromFunction:
      relationship.kind === 'computed' ? { function: relationship.function, argumentAlias: parent.alias, argumentType: relationship.source } : undefined,
    spreadColumns: [],
  };
}


function joinConditions(relationship: Relationship, parentAlias: string, childAlias: string, junctionAlias: string | undefined): JoinCondition[] {
  // the function's own query joins: it is called with the parent's row
  if (relationship.kind === 'computed') return [];
  if (relationship.kind === 'many-to-many') {
    const junction = junctionAlias ?? relationship.junction.name;
    return [
      ...relationship.targetColumns.map(([junctionColumn, targetColumn]) => ({
        left: { alias: childAlias, column: targetColumn },
        right: { alias: junction, column: junctionColumn },
      })),
      ...relationship.sourceColumns.map(([junctionColumn, sourceColumn]) => ({
        left: { alias: junction, column: junctionColumn },
        right: { alias: parentAlias, column: sourceColumn },
      })),
    ];
  }
  return relationship.columns.map(([sourceColumn, targetColumn]) => ({
    left: { alias: childAlias, column: targetColumn },
    right: { alias: parentAlias, column: sourceColumn },
  }));
}

// --- modifiers: filters, logic trees, order, limit/offset

function applyModifiers(root: ReadNode, request: ApiRequest, purpose: ReadPurpose): void {
  for (const [path, modifiers] of request.modifiers) {
    const node = findNode(root, path);
    const isRoot = path === '';
    // writes filter their own rows; the read of the written rows only filters embeds
    if (!(isRoot && purpose === 'mutation')) node.where = conditionsOf(node, modifiers);
    // the written rows come back in the order asked for, at every level; the root's
    // limit/offset chose which rows were written, so only embeds are paged here
    node.order = modifiers.order.map((term) => resolveOrder(node, term));
    if (!isRoot) node.range = { offset: modifiers.offset ?? 0, limit: modifiers.limit };
  }
}

function findNode(root: ReadNode, path: string): ReadNode {
  let node = root;
  if (path === '') return node;
  for (const segment of path.split('.')) {
    const next: EmbedNode | undefined = node.embeds.find((embed) => embed.name === segment || embed.outputName === segment);
    if (!next) throw Errors.embeddedFilterOnMissing(segment);
    node = next;
  }
  return node;
}

function conditionsOf(node: ReadNode, modifiers: NodeModifiers): ConditionTree[] {
  return [
    ...modifiers.filters.map((filter) => filterCondition(node, filter)),
    ...modifiers.logic.map((tree) => logicCondition(node, tree)),
  ];
}

function logicCondition(node: ReadNode, tree: LogicTree): ConditionTree {
  if (tree.kind === 'filter') return filterCondition(node, tree.filter);
  return { kind: tree.kind, negated: tree.negated, children: tree.children.map((child) => logicCondition(node, child)) };
}

/**
 * `clients=not.is.null` filters on the embed `clients`; any other operator filters the column
 * of that name (`tournaments?select=*,status(*)&status=eq.3`), as PostgREST does.
 */
function filterCondition(node: ReadNode, filter: Filter): ConditionTree {
  if (filter.field.jsonPath.length > 0) return { kind: 'filter', filter };
  const embed = node.embeds.find((candidate) => candidate.outputName === filter.field.column);
  if (!embed) return { kind: 'filter', filter };
  if (filter.operator === 'is' && filter.value.kind === 'is') {
    if (filter.value.value === 'null') return { kind: 'embed-null', aggAlias: embed.aggAlias, isNull: !filter.negated };
    if (filter.value.value === 'not_null') return { kind: 'embed-null', aggAlias: embed.aggAlias, isNull: filter.negated };
  }
  return { kind: 'filter', filter };
}

function resolveOrder(node: ReadNode, term: OrderTerm): PlannedOrder {
  if (term.relation === undefined) return { relationAlias: undefined, field: term.field, direction: term.direction, nulls: term.nulls };
  const embed = node.embeds.find((candidate) => candidate.name === term.relation || candidate.outputName === term.relation);
  if (!embed) throw Errors.embeddedFilterOnMissing(term.relation);
  if (!embed.toOne) throw Errors.orderNotToOne(node.relation.name, embed.outputName);
  return { relationAlias: embed.aggAlias, field: term.field, direction: term.direction, nulls: term.nulls };
}

/** db-max-rows caps every level, as PostgREST's treeRestrictRange does. */
function restrictRanges(node: ReadNode, maxRows: number): void {
  node.range = { offset: node.range.offset, limit: Math.min(node.range.limit ?? maxRows, maxRows) };
  for (const embed of node.embeds) restrictRanges(embed, maxRows);
}

// --- spread embeds and grouping

/**
 * Bottom-up: a spread embed's columns are selected by its parent as if they were the
 * parent's own, so aggregates written inside a spread are applied by the nearest parent
 * that is not itself spread; every node with an aggregate is grouped by its other columns.
 */
function finishGrouping(node: ReadNode, inputNames: { next: number }): void {
  for (const embed of node.embeds) finishGrouping(embed, inputNames);
  if (isSpread(node)) {
    hoistSpread(node, inputNames);
    return;
  }
  const hoisted = node.embeds.some(
    (embed) => embed.spread && !embed.empty && embed.spreadColumns.some((column) => column.kind === 'column' && column.aggregate !== undefined),
  );
  node.grouped = hoisted || node.fields.some(isAggregated);
  if (node.grouped) node.fields = node.fields.flatMap((field) => expandStar(node.relation, field));
}

function isSpread(node: ReadNode): node is EmbedNode {
  return isEmbedNode(node) && node.spread;
}

function isAggregated(field: PlannedField): boolean {
  return field.kind === 'count' || (field.kind === 'column' && field.aggregate !== undefined);
}

function expandStar(relation: Relation, field: PlannedField): PlannedField[] {
  if (field.kind !== 'star' || relation.columns.length === 0) return [field];
  return [...relation.columns]
    .sort((a, b) => a.position - b.position)
    .map((column) => ({
      kind: 'column',
      field: { column: column.name, jsonPath: [] },
      cast: undefined,
      aggregate: undefined,
      aggregateCast: undefined,
      outputName: column.name,
      format: column.representations?.toJson,
    }));
}

/**
 * A spread node selects its columns raw; the parent selects them from the lateral subquery,
 * applying the aggregates. Inputs of hoisted aggregates get names unique in the tree
 * (`pgrst_agg_<n>`), so `a.max(),a.min()` do not collide in the subquery or further up.
 */
function hoistSpread(node: EmbedNode, inputNames: { next: number }): void {
  const fields: PlannedField[] = [];
  const columns: SpreadColumn[] = [];
  node.fields.forEach((field) => {
    const inputName = () => `pgrst_agg_${inputNames.next++}`;
    switch (field.kind) {
      case 'star':
        for (const expanded of expandStar(node.relation, field)) {
          fields.push(expanded);
          columns.push(expanded.kind === 'column' ? plainSpreadColumn(expanded.outputName, false) : { kind: 'star' });
        }
        return;
      case 'count':
      case 'row': {
        const name = inputName();
        fields.push({ kind: 'row', outputName: name });
        columns.push({
          kind: 'column',
          name,
          aggregate: 'count',
          aggregateCast: field.kind === 'count' ? field.cast : undefined,
          outputName: field.outputName,
          isEmbed: false,
        });
        return;
      }
      case 'column': {
        if (field.aggregate === undefined) {
          fields.push(field);
          columns.push(plainSpreadColumn(field.outputName, false));
          return;
        }
        const name = inputName();
        fields.push({ ...field, aggregate: undefined, aggregateCast: undefined, outputName: name });
        columns.push({ kind: 'column', name, aggregate: field.aggregate, aggregateCast: field.aggregateCast, outputName: field.outputName, isEmbed: false });
        return;
      }
    }
  });
  for (const embed of node.embeds) {
    if (embed.empty) continue;
    if (embed.spread) columns.push(...embed.spreadColumns);
    else columns.push(plainSpreadColumn(embed.outputName, true));
  }
  node.fields = fields;
  // a to-many spread gives each column as an array of its values (PostgREST 13): JSON, like an embed
  node.spreadColumns = node.toOne ? columns : columns.map((column) => (column.kind === 'column' ? { ...column, isEmbed: true } : column));
}

function plainSpreadColumn(name: string, isEmbed: boolean): SpreadColumn {
  return { kind: 'column', name, aggregate: undefined, aggregateCast: undefined, outputName: name, isEmbed };
}
