import { StorageErrors } from '../errors.ts';
import type { ListV2SortColumn } from '../sql/list-objects-v2.ts';

/** Where the next page of a list-v2 starts, and the order it was asked in (the cursor keeps it). */
export interface ListCursor {
  startAfter: string;
  sortOrder?: 'asc' | 'desc' | undefined;
  sortColumn?: ListV2SortColumn | undefined;
  /** The sort column's value of the last entry, when the column is not the name. */
  sortColumnAfter?: string | undefined;
}

const PARTS = { l: 'startAfter', o: 'sortOrder', c: 'sortColumn', a: 'sortColumnAfter' } as const;
const SORT_COLUMNS = new Set(['name', 'created_at', 'updated_at']);

/** Supabase's continuation token: `k:value` lines in base64, so a cursor from either server reads the same. */
export function encodeListCursor(cursor: ListCursor): string {
  const lines: string[] = [];
  for (const [key, field] of Object.entries(PARTS)) {
    const value = cursor[field];
    if (value) lines.push(`${key}:${value}`);
  }
  return Buffer.from(lines.join('\n')).toString('base64');
}

export function decodeListCursor(token: string): ListCursor {
  const invalid = () => StorageErrors.invalidParameter('Invalid Parameter continuation token');
  const cursor: ListCursor = { startAfter: '' };
  for (const line of Buffer.from(token, 'base64').toString().split('\n')) {
    const match = /^(\S):(.*)$/s.exec(line);
    const field = match === null ? undefined : PARTS[match[1] as keyof typeof PARTS];
    if (match === null || field === undefined) throw invalid();
    const value = match[2]!;
    if (field === 'sortOrder' && value !== 'asc' && value !== 'desc') throw invalid();
    if (field === 'sortColumn' && !SORT_COLUMNS.has(value)) throw invalid();
    if (field === 'sortColumnAfter' && Number.isNaN(Date.parse(value))) throw invalid();
    (cursor as unknown as Record<string, string>)[field] = value;
  }
  return cursor;
}
