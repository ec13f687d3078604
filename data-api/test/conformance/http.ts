import { expect } from 'vitest';
import { withClient } from '@launchdb/common';
import type { ConformanceServer } from './harness.ts';

/** PostgREST's error body: exactly these four keys. */
export interface ErrorBody {
  code: string;
  message: string;
  details: unknown;
  hint: unknown;
}

/**
 * The error a response carries, checked to have PostgREST's shape: the status, a JSON
 * Content-Type and a body of exactly `{code, details, hint, message}`.
 */
export async function errorOf(response: Response, status: number): Promise<ErrorBody> {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status });
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const body = JSON.parse(text) as ErrorBody;
  expect(Object.keys(body).sort()).toEqual(['code', 'details', 'hint', 'message']);
  return body;
}

/** JSON request options for `server.fetch`. */
export function jsonRequest(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** Bearer header for a token. */
export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** Runs SQL as the superuser on the server's database, bypassing the API (and RLS). */
export async function query<T extends Record<string, unknown>>(server: ConformanceServer, text: string, values: unknown[] = []): Promise<T[]> {
  return withClient(server.database.url, async (client) => (await client.query<T>(text, values)).rows);
}

/** Rows of a table (superuser count). */
export async function rowCount(server: ConformanceServer, table: string, where = 'true', values: unknown[] = []): Promise<number> {
  const [row] = await query<{ count: string }>(server, `select count(*) from ${table} where ${where}`, values);
  return Number(row?.count ?? 0);
}
