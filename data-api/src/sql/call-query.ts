/**
 * The SQL of an RPC call (PostgREST's `callPlanToQuery` and `prepareCall`): the function is
 * called in the `pgrst_source` CTE, its named arguments read from ONE JSON parameter by
 * `json_to_record` with the declared parameter types, and the response rows are read from
 * `pgrst_source` like rows of a table (so set-returning functions can be filtered, ordered,
 * paged and embedded by the read query built over it).
 */
import { empty, ident, join, param, raw, sql, type SqlFragment } from './fragment.ts';
import { fromJsonBody, type JsonBody } from './mutate-query.ts';
import type { QualifiedName } from '../schema-cache/types.ts';

export interface CallParameter {
  name: string;
  /** Declared type (`integer`, `text[]`; a variadic parameter's array type). */
  type: string;
  variadic: boolean;
}

export type CallArguments =
  /** `f()`: no argument given; parameters with defaults take them. */
  | { kind: 'none' }
  /**
   * `f($1::type)`: the whole body as the single unnamed (or `params=single-object`) parameter.
   * A Buffer is passed as binary (bytea); text is cast to the parameter's type.
   */
  | { kind: 'single'; value: string | Buffer; type: string }
  /** `f(a := pgrst_body.a, …)` with the arguments read from one JSON object (or array: first element). */
  | { kind: 'named'; body: JsonBody; parameters: CallParameter[] };

export interface CallQuery {
  routine: QualifiedName;
  args: CallArguments;
  /**
   * scalar: `SELECT f() pgrst_scalar` (scalars, sets of scalars and void) — one column
   * `pgrst_scalar`; rows: `SELECT … FROM f() pgrst_call` (composite or table rows).
   */
  result: 'scalar' | 'rows';
  /** For rows: the columns to keep (all of the function's when undefined). */
  columns: string[] | undefined;
  /**
   * For rows: computed columns (functions of the rows' table type) the read names, called here
   * on the function's own rows. Once in `pgrst_source` the rows are plain records, on which
   * PostgreSQL cannot choose between overloads for several tables.
   */
  computed?: string[] | undefined;
}

/** The call itself: what `pgrst_source` holds. */
export function callQuery(query: CallQuery): SqlFragment {
  const routine = ident(query.routine.schema, query.routine.name);
  const callIt = (argumentList: SqlFragment): SqlFragment =>
    query.result === 'scalar'
      ? sql`(SELECT ${routine}(${argumentList}) pgrst_scalar) pgrst_call`
      : sql`${routine}(${argumentList}) pgrst_call`;

  let from: SqlFragment;
  switch (query.args.kind) {
    case 'none':
      from = sql`FROM ${callIt(empty)}`;
      break;
    case 'single': {
      from = sql`FROM ${callIt(sql`${param(query.args.value)}::${raw(query.args.type)}`)}`;
      break;
    }
    case 'named': {
      const { body, parameters } = query.args;
      const fields = parameters.map((parameter) => ({ name: parameter.name, type: parameter.type, defaultExpr: null }));
      const argumentList = join(
        parameters.map(
          (parameter) => sql`${parameter.variadic ? raw('VARIADIC ') : empty}${ident(parameter.name)} := ${ident('pgrst_body', parameter.name)}`,
        ),
        ', ',
      );
      from = sql`${fromJsonBody(body, fields, { select: false, limitOne: true, applyDefaults: false })}, LATERAL ${callIt(argumentList)}`;
      break;
    }
  }

  const computed = query.result === 'rows' ? (query.computed ?? []).map((name) => sql`, ${ident('pgrst_call', name)} AS ${ident(name)}`) : [];
  const selected =
    query.result === 'scalar'
      ? raw('pgrst_call.pgrst_scalar')
      : query.columns === undefined
        ? raw('pgrst_call.*')
        : join(query.columns.map((column) => ident('pgrst_call', column)), ', ');
  return sql`SELECT ${selected}${join(computed, '')} ${from}`;
}
