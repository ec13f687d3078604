import type { RoutineRow } from './queries.ts';
import type { Routine, RoutineParameter, RoutineReturn, Volatility } from './types.ts';

/**
 * Routines as PostgREST sees them: input parameters (IN, INOUT, VARIADIC) with their
 * defaults, and what they return. A function whose input parameters are not all named is
 * only callable when it has a single unnamed bytea/json/jsonb/text/xml parameter (the body is
 * passed as is); others are left out, as PostgREST leaves them out.
 */

const SINGLE_UNNAMED_TYPES = new Set(['bytea', 'json', 'jsonb', 'text', 'xml']);
const RELATION_KINDS = new Set(['r', 'v', 'm', 'f', 'p']);
const VOLATILITY: Record<RoutineRow['volatility'], Volatility> = { i: 'immutable', s: 'stable', v: 'volatile' };
const ISOLATION_LEVELS = new Set(['read committed', 'repeatable read', 'serializable']);

export function routineFromRow(row: RoutineRow, exposedSchemas: ReadonlySet<string>): Routine | undefined {
  const inputs = row.arguments.filter((argument) => argument.mode === 'i' || argument.mode === 'b' || argument.mode === 'v');
  const outputs = row.arguments.filter((argument) => argument.mode === 'o' || argument.mode === 'b' || argument.mode === 't');

  const unnamed = inputs.filter((argument) => argument.name === '');
  if (unnamed.length > 1) return undefined;
  if (unnamed.length === 1 && !(inputs.length === 1 && SINGLE_UNNAMED_TYPES.has(unnamed[0]!.udtName))) return undefined;

  const firstDefault = row.input_count - row.default_count;
  const parameters: RoutineParameter[] = inputs.map((argument, index) => ({
    name: argument.name,
    type: argument.type,
    udtName: argument.udtName,
    hasDefault: index >= firstDefault,
    isVariadic: argument.mode === 'v',
  }));

  const isolation = row.isolation_level?.trim().replace(/^'|'$/g, '') ?? null;
  return {
    schema: row.schema,
    name: row.name,
    parameters,
    returns: routineReturn(row, outputs, exposedSchemas),
    volatility: VOLATILITY[row.volatility],
    description: row.description,
    isolationLevel: isolation && ISOLATION_LEVELS.has(isolation) ? (isolation as Routine['isolationLevel']) : null,
    oid: row.oid,
  };
}

function routineReturn(row: RoutineRow, outputs: RoutineRow['arguments'], exposedSchemas: ReadonlySet<string>): RoutineReturn {
  const isSetOf = row.returns_set;
  // OUT, INOUT or TABLE parameters: the result has those columns (PostgREST treats it as composite)
  if (outputs.length > 0) {
    return { kind: 'composite', columns: outputs.map((output) => ({ name: output.name, type: output.type })), isSetOf };
  }
  if (row.return_typtype === 'c') {
    if (
      row.return_relkind !== null &&
      RELATION_KINDS.has(row.return_relkind) &&
      row.return_relation_schema !== null &&
      row.return_relation_name !== null &&
      exposedSchemas.has(row.return_relation_schema)
    ) {
      return { kind: 'relation', relation: { schema: row.return_relation_schema, name: row.return_relation_name }, isSetOf };
    }
    return { kind: 'composite', columns: row.return_columns, isSetOf };
  }
  if (row.return_type === 'void') return { kind: 'void' };
  return { kind: 'scalar', type: row.return_type, isSetOf };
}
