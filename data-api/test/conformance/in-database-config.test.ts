/**
 * In-database configuration (PostgREST's db-config, on by default): `pgrst.*` settings of the
 * role the data API connects as, for this database or any, and what db-pre-config sets; read
 * at start and on `NOTIFY pgrst, 'reload config'`, winning over the environment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './harness.ts';
import { query } from './http.ts';

const SETTINGS = `
do $$ begin
  execute format('alter role authenticator in database %I set pgrst.db_max_rows = %L', current_database(), '2');
  execute format('alter role authenticator in database %I set pgrst.db_aggregates_enabled = %L', current_database(), 'false');
end $$;
create function public.pre_config() returns void language sql as $$
  select set_config('pgrst.server_trace_header', 'X-Trace', true);
  select set_config('pgrst.db_max_rows', '99', true);
$$;
grant execute on function public.pre_config() to authenticator;
`;

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met in time');
}

describe('in-database configuration', () => {
  let server: ConformanceServer;
  beforeAll(async () => {
    server = await startConformanceServer({ extraSql: SETTINGS, env: { PGRST_DB_PRE_CONFIG: 'public.pre_config', PGRST_DB_MAX_ROWS: '50' } });
  });
  afterAll(() => server?.close());

  const rows = async () => ((await server.service.from('maintenance_logs').select('id')).data ?? []).length;

  it('reads pgrst.* role settings at start, over the environment and over db-pre-config', async () => {
    expect(await rows()).toBe(2);
    expect((await server.service.from('maintenance_logs').select('cost.sum()')).error?.code).toBe('PGRST123');
    // set only by the pre-config function
    expect((await server.fetch('/properties?select=id', { headers: { 'X-Trace': 't-1' } })).headers.get('x-trace')).toBe('t-1');
  });

  it("reads them again on NOTIFY pgrst, 'reload config'", async () => {
    await query(server, `do $$ begin execute format('alter role authenticator in database %I set pgrst.db_max_rows = %L', current_database(), '3'); end $$`);
    await query(server, `do $$ begin execute format('alter role authenticator in database %I set pgrst.db_aggregates_enabled = %L', current_database(), 'true'); end $$`);
    await query(server, "notify pgrst, 'reload config'");
    await eventually(async () => (await rows()) === 3);
    expect((await server.service.from('maintenance_logs').select('cost.sum()')).error).toBeNull();
  });
});
