import { isUtf8 } from 'node:buffer';
import { Errors } from '../errors.ts';
import type { Payload } from './types.ts';
import { csvToJson } from './parse-csv.ts';
import { splitQueryString } from './query-string.ts';

/**
 * The body of an insert, update, put or routine call (PostgREST's Payload.getPayload), by
 * `Content-Type` (JSON when absent):
 * - `application/json`: an object, or an array of objects that all have the same keys
 *   ("All object keys must match"); any other JSON value counts as an empty array; invalid
 *   JSON is "Empty or invalid json". With `columns=`, the text is not decoded here at all:
 *   Postgres reads it. An empty body calling a routine is `{}`. The text is kept as sent.
 * - `text/csv`: converted to a JSON array of objects (see csvToJson).
 * - `application/x-www-form-urlencoded`: a JSON object of strings (for a routine, a
 *   repeated name gives an array of its values, for variadic arguments).
 * - `text/plain`, `text/xml`, `application/octet-stream`: only for a routine, passed whole.
 * Anything else is PostgREST's 400 PGRST102 `Content-Type not acceptable: <type>`.
 */
export interface PayloadContext {
  /** The target is a routine (POST /rpc/fn). */
  routine: boolean;
  /** `columns=` of an insert, update or routine call. */
  columns: string[] | undefined;
}

/** `application/json; charset=utf-8` → `application/json` (as written, for messages). */
export function mediaTypeEssence(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim();
}

/**
 * The body as text, refusing bytes that are not UTF-8. Not TextDecoder: it goes through ICU and
 * gives a two-byte string even for ASCII, twice the memory, and slower to read and to send on.
 */
function decodeUtf8(bytes: Buffer, onError: () => never): string {
  return isUtf8(bytes) ? bytes.toString('utf8') : onError();
}

export function parsePayload(body: Buffer | undefined, contentType: string | undefined, context: PayloadContext): Payload {
  const bytes = body ?? Buffer.alloc(0);
  const written = contentType === undefined ? 'application/json' : mediaTypeEssence(contentType);
  const type = written.toLowerCase();
  switch (type) {
    case 'application/json':
      return jsonPayload(bytes, context);
    case 'text/csv': {
      const { keys, json } = csvToJson(decodeUtf8(bytes, () => { throw Errors.invalidBody('Invalid csv: the body is not UTF-8'); }));
      return { kind: 'csv', raw: json, keys };
    }
    case 'application/x-www-form-urlencoded':
      return urlencodedPayload(bytes, context.routine);
    case 'text/plain':
    case 'text/xml':
    case 'application/octet-stream':
      if (context.routine) return { kind: 'raw', raw: bytes, contentType: type };
      break;
  }
  throw Errors.invalidBody(`Content-Type not acceptable: ${written}`);
}

const INVALID_JSON = 'Empty or invalid json';
const KEYS_MISMATCH = 'All object keys must match';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonPayload(bytes: Buffer, { routine, columns }: PayloadContext): Payload {
  if (bytes.length === 0 && routine) return { kind: 'json', raw: '{}', keys: [], isArray: false };
  const raw = decodeUtf8(bytes, () => { throw Errors.invalidBody(INVALID_JSON); });
  // `columns=` names the keys: PostgREST then sends the text to Postgres without decoding it
  // (its RawJSON), which reads it and refuses what is not JSON; rows may differ in their keys.
  if (columns !== undefined) return { kind: 'json', raw, keys: columns, isArray: /^[ \t\n\r]*\[/.test(raw) };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw Errors.invalidBody(INVALID_JSON);
  }
  if (isObject(value)) return { kind: 'json', raw, keys: Object.keys(value), isArray: false };
  if (!Array.isArray(value)) return { kind: 'json', raw: '[]', keys: [], isArray: true };
  if (value.length === 0) return { kind: 'json', raw: '[]', keys: [], isArray: true };

  const first: unknown = value[0];
  if (!isObject(first)) throw Errors.invalidBody(KEYS_MISMATCH);
  const keys = Object.keys(first);
  const keySet = new Set(keys);
  for (const row of value) {
    if (!isObject(row)) throw Errors.invalidBody(KEYS_MISMATCH);
    const rowKeys = Object.keys(row);
    if (rowKeys.length !== keySet.size || !rowKeys.every((k) => keySet.has(k))) throw Errors.invalidBody(KEYS_MISMATCH);
  }
  return { kind: 'json', raw, keys, isArray: true };
}

function urlencodedPayload(bytes: Buffer, routine: boolean): Payload {
  const fields = new Map<string, string | string[]>();
  for (const { key, value = '' } of splitQueryString(bytes.toString('utf8'))) {
    if (key === '' && value === '') continue;
    const previous = fields.get(key);
    if (routine && previous !== undefined) fields.set(key, Array.isArray(previous) ? [...previous, value] : [previous, value]);
    else fields.set(key, value);
  }
  return { kind: 'urlencoded', raw: JSON.stringify(Object.fromEntries(fields)), keys: [...fields.keys()] };
}
