import { readFile } from 'node:fs/promises';
import { withClient, withDatabase } from '@launchdb/common/db';
import { startThrowawayPostgres } from '@launchdb/testkit/throwaway-postgres';

/** Bench rows: zones spread over the fixture's properties, assets spread over those zones. */
export const BENCH_ZONES = 500;
export const BENCH_ASSETS = 10_000;
/** The category of the rows POST /assets adds, deleted between runs so every run starts from the same table. */
export const INSERTED_CATEGORY = 'bench-insert';

export interface BenchDatabase {
  /** Superuser URL of the bench database. */
  url: string;
  /** The same database as the fixture's `authenticator` login role, as the data API connects. */
  authenticatorUrl: string;
  serverVersion: string;
  /** The postmaster's process id (its backends are its children). */
  pid(): number | undefined;
  /** Deletes what POST /assets inserted and vacuums, so the next run sees the table it started with. */
  resetInserts(): Promise<void>;
  stop(): Promise<void>;
}

/** The uuid of bench asset `n` (1…BENCH_ASSETS): deterministic, so requests can name any of them. */
export function benchAssetId(n: number): string {
  return `b0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

const SEED_SQL = `
insert into api.zones (id, property_id, name, floor, area_m2)
select 100 + z, 1 + z % 3, 'Bench zone ' || z, z % 4, 10 + z % 40
from generate_series(1, ${BENCH_ZONES}) as z;

insert into api.assets (id, zone_id, name, category, brand, purchased_on, purchase_price, lifespan_years, notes, specs)
select
  ('b0000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
  100 + 1 + n % ${BENCH_ZONES},
  'Asset ' || n,
  (array['appliance', 'heating', 'plumbing', 'safety', 'garden'])[1 + n % 5],
  (array['Bosch', 'Viessmann', 'Atlantic', 'Kidde', 'Miele', null])[1 + n % 6],
  date '2010-01-01' + n % 5000,
  round((n % 2000) * 1.37, 2),
  int4range(5 + n % 5, 10 + n % 10),
  'Bench asset number ' || n || ': check it every ' || (1 + n % 12) || ' months',
  jsonb_build_object('serial', 'SN-' || n, 'kw', n % 30)
from generate_series(1, ${BENCH_ASSETS}) as n;

vacuum analyze api.zones;
vacuum analyze api.assets;
`;

/**
 * A throwaway PostgreSQL 15 (temporary folder, random port, removed by stop()) holding the
 * Haven fixture plus the bench rows.
 */
export async function startBenchDatabase(onLog?: (line: string) => void): Promise<BenchDatabase> {
  const postgres = await startThrowawayPostgres('launchdb-bench-pg', onLog);
  const { stop } = postgres;
  try {
    const serverUrl = postgres.url;
    await withClient(serverUrl, (client) => client.query('create database bench'));
    const url = withDatabase(serverUrl, 'bench');
    const fixture = await readFile(new URL('../test/fixtures/schema.sql', import.meta.url), 'utf8');
    const serverVersion = await withClient(url, async (client) => {
      // the fixture in one simple-protocol call (one implicit transaction); vacuum cannot run in one
      await client.query(fixture);
      for (const statement of SEED_SQL.split(';').map((text) => text.trim()).filter(Boolean)) await client.query(statement);
      const { rows } = await client.query<{ server_version: string }>('show server_version');
      return rows[0]!.server_version;
    });
    const authenticatorUrl = new URL(url);
    authenticatorUrl.username = 'authenticator';
    authenticatorUrl.password = 'authenticator';
    return {
      url,
      authenticatorUrl: authenticatorUrl.toString(),
      serverVersion,
      pid: postgres.pid,
      resetInserts: () =>
        withClient(url, async (client) => {
          await client.query('delete from api.assets where category = $1', [INSERTED_CATEGORY]);
          await client.query('vacuum analyze api.assets');
        }),
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
