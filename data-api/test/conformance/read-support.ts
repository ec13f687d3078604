import { expect } from 'vitest';
import { signToken, type ConformanceServer } from './harness.ts';

/**
 * Raw HTTP for the read conformance tests: what postgrest-js hides (status lines, headers,
 * CSV and plan bodies, the exact error JSON) is checked on the wire.
 */

/** A bearer token for the service role, which bypasses row-level security. */
export const SERVICE_TOKEN = signToken({ role: 'service_role' });

export interface RawResponse {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON (throws when it is not). */
  json: () => unknown;
}

/** `GET path` (or another method) as the service role unless `headers.Authorization` says otherwise. */
export async function request(
  server: ConformanceServer,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<RawResponse> {
  return rawResponse(await server.fetch(path, { method, headers: { Authorization: `Bearer ${SERVICE_TOKEN}`, ...headers } }));
}

/** `GET path` with no token at all: the anonymous role. */
export async function anonymousRequest(server: ConformanceServer, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawResponse(await server.fetch(path, { headers }));
}

async function rawResponse(response: Response): Promise<RawResponse> {
  const text = await response.text();
  return {
    status: response.status,
    headers: Object.fromEntries([...response.headers.entries()].map(([name, value]) => [name.toLowerCase(), value])),
    text,
    json: () => JSON.parse(text) as unknown,
  };
}

export interface PgrstErrorBody {
  code: string;
  details: unknown;
  hint: string | null;
  message: string;
}

/**
 * PostgREST's error response: the status, a JSON content type, and a body of exactly the four
 * keys `code`, `details`, `hint`, `message` with the given values.
 */
export function expectError(response: RawResponse, status: number, body: PgrstErrorBody): void {
  expect({ status: response.status, contentType: response.headers['content-type'] }).toEqual({
    status,
    contentType: 'application/json; charset=utf-8',
  });
  const parsed = response.json() as Record<string, unknown>;
  expect(Object.keys(parsed).sort()).toEqual(['code', 'details', 'hint', 'message']);
  expect(parsed).toEqual(body);
}

/** The JSON array of a successful read, after checking status and content type. */
export function rowsOf(response: RawResponse, status = 200): unknown[] {
  expect({ status: response.status, contentType: response.headers['content-type'], body: response.text.slice(0, 300) }).toMatchObject({
    status,
    contentType: 'application/json; charset=utf-8',
  });
  const rows = response.json();
  expect(Array.isArray(rows)).toBe(true);
  return rows as unknown[];
}
