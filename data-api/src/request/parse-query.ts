import type { NodeModifiers, SelectItem } from './types.ts';
import { parseColumns, parseEmbedPathOfKey } from './parse-field.ts';
import { parseFilterParam } from './parse-filter.ts';
import { parseLogicParam } from './parse-logic.ts';
import { parseOrder } from './parse-order.ts';
import { parseSelect } from './parse-select.ts';
import { splitQueryString, type QueryPair } from './query-string.ts';

/**
 * The query string of one request (PostgREST's QueryParams.parse): `select`, `columns`,
 * `on_conflict`, and per embed path `order`, `limit`, `offset`, `and`/`or` (also
 * `not.and`/`not.or`); every other parameter is a filter — or, for a GET/HEAD call of a
 * routine, a raw argument left for the planner (which can parse it with `parseFilterParam`).
 */
export interface QueryParameters {
  select: SelectItem[];
  modifiers: Map<string, NodeModifiers>;
  columns: string[] | undefined;
  onConflict: string[] | undefined;
  rpcArguments: Map<string, string[]>;
}

/** Exact keys. */
const RESERVED = new Set(['select', 'columns', 'on_conflict']);
/** Keys whose last dot-separated word is one of these, at any embed path. */
const RESERVED_EMBEDDABLE = new Set(['order', 'limit', 'offset', 'and', 'or']);

export function emptyModifiers(): NodeModifiers {
  return { filters: [], logic: [], order: [], limit: undefined, offset: undefined };
}

function lastWord(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1);
}

export function isReservedKey(key: string): boolean {
  return RESERVED.has(key) || RESERVED_EMBEDDABLE.has(lastWord(key));
}

/** `readMaybe` of an Integer: optional spaces and minus sign, digits. Anything else is ignored, as in PostgREST. */
function readInteger(text: string): number | undefined {
  if (!/^\s*-?\d+\s*$/.test(text)) return undefined;
  const n = Number(text.trim());
  if (Number.isSafeInteger(n)) return n;
  return n > 0 ? Number.MAX_SAFE_INTEGER : undefined;
}

export function parseQueryParameters(rawQuery: string, options: { routineRead: boolean }): QueryParameters {
  const pairs = splitQueryString(rawQuery);
  const withValue = pairs.filter((p): p is QueryPair & { value: string } => p.value !== undefined);
  const lookup = (name: string): string | undefined => pairs.find((p) => p.key === name)?.value;

  const modifiers = new Map<string, NodeModifiers>([['', emptyModifiers()]]);
  const node = (path: string): NodeModifiers => {
    let m = modifiers.get(path);
    if (!m) {
      m = emptyModifiers();
      modifiers.set(path, m);
    }
    return m;
  };

  // Same order as PostgREST, so that the first error reported is the same one.
  const ordered = new Set<string>();
  for (const { key, value } of withValue) {
    if (RESERVED.has(key) || lastWord(key) !== 'order') continue;
    const path = parseEmbedPathOfKey(key);
    const terms = parseOrder(value);
    // the first `order` of a level wins
    if (!ordered.has(path)) {
      ordered.add(path);
      node(path).order = terms;
    }
  }

  for (const { key, value } of withValue) {
    const word = lastWord(key);
    if (RESERVED.has(key) || (word !== 'and' && word !== 'or')) continue;
    const { embedPath, tree } = parseLogicParam(key, value);
    node(embedPath).logic.push(tree);
  }

  const columnsText = lookup('columns');
  const columns = columnsText === undefined ? undefined : parseColumns(columnsText, 'columns');

  const selectText = lookup('select');
  const select: SelectItem[] = selectText === undefined ? [{ kind: 'star' }] : parseSelect(selectText);

  const rpcArguments = new Map<string, string[]>();
  for (const { key, value } of withValue) {
    if (isReservedKey(key)) continue;
    if (options.routineRead) {
      const values = rpcArguments.get(key);
      if (values) values.push(value);
      else rpcArguments.set(key, [value]);
    } else {
      const { embedPath, filter } = parseFilterParam(key, value);
      node(embedPath).filters.push(filter);
    }
  }

  const onConflictText = lookup('on_conflict');
  const onConflict = onConflictText === undefined ? undefined : parseColumns(onConflictText, 'on_conflict');

  // the last `limit`/`offset` of a level wins; values that are not integers are ignored, and a
  // negative offset is no offset (PostgREST 12 answers `offset=-4` as if it were absent)
  for (const { key, value } of withValue) {
    const word = lastWord(key);
    if (RESERVED.has(key) || (word !== 'limit' && word !== 'offset')) continue;
    const path = parseEmbedPathOfKey(key);
    const n = readInteger(value);
    if (n === undefined) continue;
    if (word === 'limit') node(path).limit = n;
    else node(path).offset = n < 0 ? undefined : n;
  }

  return { select, modifiers, columns, onConflict, rpcArguments };
}
