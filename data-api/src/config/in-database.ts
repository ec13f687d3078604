import type pg from 'pg';
import { IN_DATABASE_SETTINGS, type FunctionName } from './config.ts';

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * PostgREST's in-database configuration (queryDbSettings): the `pgrst.*` settings of the role
 * the data API connects as — those given for this database first, then those for any — and,
 * below both, what `db-pre-config` sets with `set_config('pgrst.…', …, true)`. One statement,
 * so it runs as it is through PgBouncer. Returned without the prefix (`db_max_rows`).
 */
export async function readInDatabaseSettings(pool: Pick<pg.Pool, 'query'>, preConfig: FunctionName | undefined): Promise<Record<string, string>> {
  const preConfigRows = preConfig
    ? `union
       select null as database, x as k, pg_catalog.current_setting(x, true) as v
       from unnest($1::text[]) x
       join ${preConfig.schema ? `${quote(preConfig.schema)}.` : ''}${quote(preConfig.name)}() _ on true`
    : '';
  const text = `
    with role_setting as (
      select setdatabase as database, unnest(setconfig) as setting
      from pg_catalog.pg_db_role_setting
      where setrole = current_user::regrole::oid
        and setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_catalog))
    ),
    kv_settings as (
      select database, substr(setting, 1, strpos(setting, '=') - 1) as k, substr(setting, strpos(setting, '=') + 1) as v
      from role_setting
      ${preConfigRows}
    )
    select distinct on (key) replace(k, 'pgrst.', '') as key, v as value
    from kv_settings
    where k = any($1::text[]) and v is not null
    order by key, database desc nulls last`;
  const result = await pool.query<{ key: string; value: string }>(text, [IN_DATABASE_SETTINGS.map((name) => `pgrst.${name}`)]);
  return Object.fromEntries(result.rows.map((row) => [row.key, row.value]));
}
