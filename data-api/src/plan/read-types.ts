/**
 * The read plan: a tree of nodes, one per relation in the request (the root and each
 * embed), with every name resolved against the schema cache. Plain data: the SQL is
 * rendered from it by `sql/read-query.ts`.
 */
import type { AggregateFunction, FieldPath, Filter } from '../request/types.ts';
import type { QualifiedName, Relation, Relationship } from '../schema-cache/types.ts';

/** One output column of a node's SELECT list (or all of them, for `star`). */
export type PlannedField =
  /** `"alias".*` */
  | { kind: 'star' }
  /** `CAST(AGG(CAST(format("alias"."col"->'k') AS cast)) AS aggregateCast) AS "outputName"` */
  | {
      kind: 'column';
      field: FieldPath;
      cast: string | undefined;
      aggregate: AggregateFunction | undefined;
      aggregateCast: string | undefined;
      outputName: string;
      /** The `domain → json` function of the column's data representation, applied first. */
      format?: QualifiedName | undefined;
    }
  /** `count()`: `CAST(count(*) AS cast) AS "outputName"` */
  | { kind: 'count'; cast: string | undefined; outputName: string }
  /** The whole row, for a `count()` inside a spread embed, counted by the parent. */
  | { kind: 'row'; outputName: string };

/** A column a spread embed gives its parent, with the aggregate hoisted to the parent. */
export type SpreadColumn =
  | { kind: 'star' }
  | {
      kind: 'column';
      /** The column's name in the spread embed's own SELECT list. */
      name: string;
      aggregate: AggregateFunction | undefined;
      aggregateCast: string | undefined;
      outputName: string;
      /** The column is a JSON embed of the spread relation (cast to jsonb when grouped). */
      isEmbed: boolean;
    };

/** Filters and logic trees of one node, with `embed=is.null` filters turned into their own kind. */
export type ConditionTree =
  | { kind: 'filter'; filter: Filter }
  /** `clients=is.null` / `clients=not.is.null` on an embedded resource */
  | { kind: 'embed-null'; aggAlias: string; isNull: boolean }
  | { kind: 'and' | 'or'; negated: boolean; children: ConditionTree[] };

export interface PlannedOrder {
  /** For `order=clients(name)`: the lateral alias of the to-one embed. */
  relationAlias: string | undefined;
  field: FieldPath;
  direction: 'asc' | 'desc' | undefined;
  nulls: 'first' | 'last' | undefined;
}

export interface PlannedRange {
  offset: number;
  limit: number | undefined;
}

/** `"childAlias"."childColumn" = "parentAlias"."parentColumn"` */
export interface JoinCondition {
  left: { alias: string; column: string };
  right: { alias: string; column: string };
}

export interface ReadNode {
  relation: Relation;
  /** Alias of the relation in its FROM clause. */
  alias: string;
  /** Own columns, before the embeds' columns. */
  fields: PlannedField[];
  where: ConditionTree[];
  order: PlannedOrder[];
  range: PlannedRange;
  embeds: EmbedNode[];
  /** Aggregates are selected here (own or hoisted from spread embeds): GROUP BY the rest. */
  grouped: boolean;
  /** Depth in the tree: 0 for the root. */
  depth: number;
}

export interface EmbedNode extends ReadNode {
  /** The name used in the request (`clients`, or a FK / column name). */
  name: string;
  /** Key in the parent's JSON (`alias` or `name`). */
  outputName: string;
  /** Alias of the LATERAL subquery in the parent. */
  aggAlias: string;
  relationship: Relationship;
  toOne: boolean;
  joinType: 'inner' | 'left';
  spread: boolean;
  /** `clients()`: joined (for filtering) but not selected. */
  empty: boolean;
  joinConditions: JoinCondition[];
  /** Many-to-many: the junction, joined inside the embed's subquery. */
  junction: { name: QualifiedName; alias: string } | undefined;
  /**
   * A computed relationship: the embed reads `FROM function("argumentAlias"::argumentType)`,
   * the parent's row cast to its relation's type (a CTE's rows are plain records, and the
   * function may be overloaded for several tables).
   */
  fromFunction?: { function: QualifiedName; argumentAlias: string; argumentType: QualifiedName } | undefined;
  /** For spread embeds: the columns the parent selects from the lateral subquery. */
  spreadColumns: SpreadColumn[];
}

export type ReadTree = ReadNode;

/** What the read is for: PostgREST applies root filters, order and ranges differently. */
export type ReadPurpose = 'read' | 'mutation' | 'call';

export function isEmbedNode(node: ReadNode): node is EmbedNode {
  return 'relationship' in node;
}
