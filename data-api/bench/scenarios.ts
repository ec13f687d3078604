import { createHmac } from 'node:crypto';
import type { DataApiConfig } from '../src/config/config.ts';
import { requestSettings } from '../src/execute/execute-plan.ts';
import { buildPlan } from '../src/plan/index.ts';
import { parseApiRequest } from '../src/request/api-request.ts';
import type { SchemaCache } from '../src/schema-cache/types.ts';
import { planContext, withTxEnd } from '../src/server/pipeline.ts';
import { authenticate } from '../src/auth/authenticate.ts';
import { render } from '../src/sql/fragment.ts';
import { BENCH_ASSETS, benchAssetId, INSERTED_CATEGORY } from './bench-database.ts';

export const JWT_SECRET = 'launchdb-bench-jwt-secret-of-at-least-32-chars';
/** The fixture's homeowner (test/fixtures/schema.sql). */
const HOMEOWNER_SUB = '11111111-1111-4111-8111-111111111111';

/** A signed-in homeowner's token, as supabase-js sends it on every request. */
export const TOKEN = signToken({ role: 'authenticated', sub: HOMEOWNER_SUB, aud: 'authenticated', exp: Math.floor(Date.now() / 1000) + 24 * 3600 });

function signToken(claims: Record<string, unknown>): string {
  const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', JWT_SECRET).update(input).digest('base64url')}`;
}

export type ScenarioName = 'lookup' | 'embed' | 'insert';

export interface Scenario {
  name: ScenarioName;
  title: string;
  method: 'GET' | 'POST';
  /** Path and query string of the i-th request (i counts from 0, per connection). */
  path(i: number): string;
  headers: Record<string, string>;
  body: string | undefined;
  /** Whether the response is what the scenario expects (checked once before the runs). */
  expectedStatus: number;
}

/** 100 new assets. */
const INSERT_ROWS = Array.from({ length: 100 }, (_, n) => ({
    zone_id: 101 + (n % 50),
    name: `Inserted asset ${n}`,
    category: INSERTED_CATEGORY,
    brand: n % 2 === 0 ? 'Bosch' : null,
    purchased_on: '2024-06-01',
    purchase_price: 100 + n,
    notes: `Added by the bench, row ${n}`,
    specs: { serial: `INS-${n}`, kw: n % 7 },
}));

/** The rows as one JSON array. */
export const INSERT_BODY = JSON.stringify(INSERT_ROWS);

/**
 * The query string postgrest-js puts on `.from('assets').insert(rows)` for an array: the quoted
 * union of the rows' keys, URL-encoded by URLSearchParams.
 */
const INSERT_QUERY = new URLSearchParams({ columns: [...new Set(INSERT_ROWS.flatMap((row) => Object.keys(row)))].map((key) => `"${key}"`).join(',') }).toString();

const COMMON_HEADERS = { authorization: `Bearer ${TOKEN}`, accept: 'application/json' };

export const SCENARIOS: Scenario[] = [
  {
    name: 'lookup',
    title: 'GET /assets?id=eq.<uuid> (primary key)',
    method: 'GET',
    // a stride coprime with the row count visits every asset before repeating
    path: (i) => `/assets?id=eq.${benchAssetId(1 + ((i * 7919) % BENCH_ASSETS))}`,
    headers: COMMON_HEADERS,
    body: undefined,
    expectedStatus: 200,
  },
  {
    name: 'embed',
    title: 'GET /assets?select=*,zones(*)&limit=50 (50 rows, one embed)',
    method: 'GET',
    path: () => '/assets?select=*,zones(*)&limit=50',
    headers: COMMON_HEADERS,
    body: undefined,
    expectedStatus: 200,
  },
  {
    name: 'insert',
    title: 'POST /assets?columns=…, 100 rows, return=minimal (postgrest-js insert)',
    method: 'POST',
    path: () => `/assets?${INSERT_QUERY}`,
    headers: { ...COMMON_HEADERS, 'content-type': 'application/json', prefer: 'return=minimal' },
    body: INSERT_BODY,
    expectedStatus: 201,
  },
];

/** One parameterised statement, and which of its values the floor replaces per request. */
export interface StatementTemplate {
  text: string;
  values: unknown[];
}

/**
 * What the data API runs for a scenario, taken from its own stages (parse → plan → render and
 * the executor's request settings): the floor replays exactly this, in the same transaction.
 */
export interface FloorTemplate {
  begin: string;
  settings: StatementTemplate;
  /** Index in settings.values of `request.headers` (the request's own headers, as JSON). */
  headersSlot: number;
  statement: StatementTemplate;
  /** Index in statement.values of the varying value: the looked-up id, or the request body. */
  variableSlot: number | undefined;
}

/** The SQL the data API generates for a scenario's first request, with the slots the floor fills per request. */
export async function floorTemplate(scenario: Scenario, cache: SchemaCache, config: DataApiConfig): Promise<FloorTemplate> {
  const path = scenario.path(0);
  const question = path.indexOf('?');
  const headers = { ...scenario.headers, host: 'bench' };
  const raw = {
    method: scenario.method,
    path: question < 0 ? path : path.slice(0, question),
    query: question < 0 ? '' : path.slice(question + 1),
    headers,
    body: scenario.body === undefined ? undefined : Buffer.from(scenario.body),
  };
  const request = parseApiRequest(raw, { schemas: config.dbSchemas });
  const plan = withTxEnd(buildPlan(request, cache, planContext(config)), config);
  const auth = await authenticate(headers, config);
  const marker = '\u0000headers';
  const settings = render(
    requestSettings(
      { auth, method: raw.method, path: raw.path, headers: { marker }, cookies: request.cookies, schema: request.schema, settings: config },
      false,
    ),
  );
  const headersSlot = settings.values.indexOf(JSON.stringify({ marker }));
  if (headersSlot < 0) throw new Error('request.headers not found among the request settings');
  const statement = render(plan.statement);
  const variable = scenario.name === 'lookup' ? benchAssetId(1) : scenario.name === 'insert' ? scenario.body : undefined;
  const variableSlot = variable === undefined ? undefined : statement.values.indexOf(variable);
  if (variableSlot === -1) throw new Error(`the ${scenario.name} statement does not bind ${variable!.slice(0, 40)}`);
  return {
    begin: `begin isolation level read committed ${plan.readOnly ? 'read only' : 'read write'}`,
    settings,
    headersSlot,
    statement,
    variableSlot,
  };
}
