/**
 * The floor: a minimal Fastify server that runs, for each bench request, exactly the SQL the data
 * API generates for it (taken from the data API's own parser, planner and renderer at start-up),
 * in the same transaction shape — begin, one set_config statement, the statement, commit — on a
 * pool built by the data API's own createDataApiPool from the same PGRST_* settings, and returns
 * the body text. No JWT, no parsing, no planning: what is left is Fastify, pg and Postgres.
 *
 * Run as a child process by data-api.bench.ts: `node --import tsx data-api/bench/floor-server.ts`
 * with the data API's PGRST_* variables; prints `listening <url>` once ready.
 */
import Fastify from 'fastify';
import pg from 'pg';
import { createLogger } from '@launchdb/common/logger';
import { loadDataApiConfig } from '../src/config/config.ts';
import { introspectSchemaCache } from '../src/schema-cache/schema-cache.ts';
import { createDataApiPool } from '../src/server/start.ts';
import { schemalessController } from '../src/server/schemaless.ts';
import { floorTemplate, SCENARIOS, type FloorTemplate } from './scenarios.ts';

/** As the executor asks: every column as the text Postgres sent. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

const config = loadDataApiConfig({ env: process.env });
const pool = createDataApiPool(config, createLogger({ level: 'error', name: 'floor' }));

const templates = new Map<string, FloorTemplate>();
const client = await pool.connect();
try {
  const cache = await introspectSchemaCache(client, config.dbSchemas);
  for (const scenario of SCENARIOS) templates.set(scenario.name, await floorTemplate(scenario, cache, config));
} finally {
  client.release();
}
const lookup = templates.get('lookup')!;
const embed = templates.get('embed')!;
const insert = templates.get('insert')!;

/** One request: begin, settings, the statement, commit; the body column as Postgres wrote it. */
async function run(template: FloorTemplate, headersJson: string, variable: string | undefined): Promise<string | null> {
  const settingsValues = template.settings.values.slice();
  settingsValues[template.headersSlot] = headersJson;
  const values = template.statement.values.slice();
  if (template.variableSlot !== undefined) values[template.variableSlot] = variable;
  const connection = await pool.connect();
  try {
    await connection.query(template.begin);
    await connection.query({ text: template.settings.text, values: settingsValues });
    const { rows } = await connection.query<{ body: string | null }>({ text: template.statement.text, values, types: RAW_TEXT });
    await connection.query('commit');
    connection.release();
    return rows[0]?.body ?? null;
  } catch (error) {
    await connection.query('rollback').catch(() => undefined);
    connection.release();
    throw error;
  }
}

// the same bundle options as the data API leave ajv out: no schemas here either
const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024, schemaController: schemalessController });
// the body goes to Postgres as the text it arrived as, as the data API binds it
app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));

app.get('/assets', async (request, reply) => {
  const id = (request.query as { id?: string }).id;
  const headers = JSON.stringify(request.headers);
  const body = id === undefined ? await run(embed, headers, undefined) : await run(lookup, headers, id.slice('eq.'.length));
  return reply.header('content-type', 'application/json; charset=utf-8').send(body);
});

app.post('/assets', async (request, reply) => {
  await run(insert, JSON.stringify(request.headers), request.body as string);
  return reply.code(201).send();
});

const url = await app.listen({ host: '127.0.0.1', port: config.serverPort });
process.stdout.write(`listening ${url}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0));
  });
}
