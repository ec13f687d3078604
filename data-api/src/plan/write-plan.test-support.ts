/**
 * Test support for the write and call plans: a throwaway database with a schema of the
 * test's own, its real schema cache, and `send`, which parses a request as the server would,
 * plans it and runs the plan's statement in a transaction (read only when the plan says so).
 */
import pg from 'pg';
import { createTestDatabase } from '@launchdb/testkit/databases';
import { parseApiRequest } from '../request/api-request.ts';
import type { ApiRequest } from '../request/types.ts';
import { introspectSchemaCache } from '../schema-cache/introspect.ts';
import type { SchemaCache } from '../schema-cache/types.ts';
import { render } from '../sql/fragment.ts';
import type { PlanContext } from './context.ts';
import { buildPlan } from './index.ts';
import type { ExecutionPlan } from './types.ts';

export interface StatementRow {
  body: string | null;
  page_total: string;
  total_result_set: string | null;
  response_headers: string | null;
  response_status: string | null;
  location: string | null;
  inserted?: number | null;
}

export interface SendOptions {
  headers?: Record<string, string>;
  /** JSON-encoded unless a string or Buffer. */
  body?: unknown;
}

export const planContext: PlanContext = { maxRows: undefined, aggregatesEnabled: true, planEnabled: false };

export interface PlanTestDatabase {
  client: pg.Client;
  cache: SchemaCache;
  request(method: string, url: string, options?: SendOptions): ApiRequest;
  plan(method: string, url: string, options?: SendOptions): ExecutionPlan;
  /** Plans and runs; the body is parsed when it is JSON. */
  send(method: string, url: string, options?: SendOptions): Promise<{ plan: ExecutionPlan; row: StatementRow; json: unknown }>;
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string): Promise<T[]>;
  close(): Promise<void>;
}

export async function planTestDatabase(prefix: string, setup: string, schemas = ['api']): Promise<PlanTestDatabase> {
  const database = await createTestDatabase(prefix);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(setup);
  const cache = await introspectSchemaCache(client, schemas);

  const request = (method: string, url: string, options: SendOptions = {}): ApiRequest => {
    const [path = '', query = ''] = url.split('?');
    const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    const headers = { ...(body !== undefined && !options.headers?.['content-type'] ? { 'content-type': 'application/json' } : {}), ...options.headers };
    return parseApiRequest({ method, path, query, headers, body }, { schemas });
  };
  const plan = (method: string, url: string, options?: SendOptions) => buildPlan(request(method, url, options), cache, planContext);

  return {
    client,
    cache,
    request,
    plan,
    async send(method, url, options) {
      const built = plan(method, url, options);
      const { text, values } = render(built.statement);
      await client.query(built.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
      try {
        const result = await client.query<StatementRow>(text, values);
        await client.query('COMMIT');
        const row = result.rows[0];
        if (result.rows.length !== 1 || !row) throw new Error(`expected one row, got ${result.rows.length}`);
        let json: unknown;
        try {
          json = row.body === null ? undefined : JSON.parse(row.body);
        } catch {
          json = undefined;
        }
        return { plan: built, row, json };
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    async query(text) {
      return (await client.query(text)).rows;
    },
    async close() {
      await client.end();
      await database.drop();
    },
  };
}
