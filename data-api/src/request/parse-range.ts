import { Errors } from '../errors.ts';
import type { NodeModifiers } from './types.ts';

/**
 * Row ranges (PostgREST's RangeQuery and ApiRequest.getRanges). The `Range` header is read
 * only on GET (RFC 9110; HEAD and writes ignore it) and only in the form `first-[last]`:
 * anything else, `items=0-9` included, is ignored, and `Range-Unit` is not looked at.
 */
export interface RowRange {
  offset: number;
  limit: number | undefined;
}

const LOWER_GT_UPPER = 'The lower boundary must be lower than or equal to the upper boundary in the Range header.';
const NEGATIVE_LIMIT = 'Limit should be greater than or equal to zero.';

/** `0-9` → offset 0, limit 10; `5-` → offset 5; `10-5` → 416 PGRST103. */
export function parseRangeHeader(value: string | undefined): RowRange | undefined {
  if (value === undefined) return undefined;
  const m = /^([0-9]+)-([0-9]*)$/.exec(value);
  if (!m) return undefined;
  const first = toSafe(m[1] as string);
  const last = m[2] ? toSafe(m[2]) : undefined;
  if (last !== undefined && last < first) throw Errors.invalidRange(undefined, LOWER_GT_UPPER);
  return { offset: first, limit: last === undefined ? undefined : last - first + 1 };
}

function toSafe(digits: string): number {
  return Math.min(Number(digits), Number.MAX_SAFE_INTEGER);
}

/**
 * The checks PostgREST makes once the query string is parsed: no negative limit (416), no
 * `Range` that cannot meet the root's limit/offset (416; `limit=0` is always allowed), and no
 * limit/offset on PUT (PGRST114). A negative offset never gets here: the parser drops it.
 */
export function checkRanges(method: string, header: RowRange | undefined, modifiers: Map<string, NodeModifiers>): void {
  for (const m of modifiers.values()) {
    if (m.limit !== undefined && m.limit < 0) throw Errors.invalidRange(undefined, NEGATIVE_LIMIT);
  }
  const root = modifiers.get('');
  const limit = root?.limit;
  const offset = root?.offset ?? 0;
  if (header && limit !== 0 && (limit !== undefined || offset !== 0)) {
    const headerLast = header.limit === undefined ? Infinity : header.offset + header.limit - 1;
    const paramsLast = limit === undefined ? Infinity : offset + limit - 1;
    if (Math.max(header.offset, offset) > Math.min(headerLast, paramsLast)) throw Errors.invalidRange(undefined, NEGATIVE_LIMIT);
  }
  if (method === 'PUT' && (limit !== undefined || offset !== 0)) throw Errors.putLimit();
}
