import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort, quoteIdent, quoteLiteral, serviceUser, withClient } from '@launchdb/common';
import { createMetricsRegistry } from '@launchdb/common/metrics';
import { createTestDatabase } from '@launchdb/testkit/databases';
import { parsePrometheusText, sampleValue } from '@launchdb/testkit/prometheus-text';
import { findPgBouncerBinary } from './locate.ts';
import { registerPgBouncerMetrics } from './metrics.ts';
import { PgBouncerProcess } from './pgbouncer-process.ts';
import { readScramSecrets } from './scram-secrets.ts';

const binary = findPgBouncerBinary();

/** Pool use read from a real PgBouncer's admin console while clients hold and wait for its one server connection. */
describe.runIf(binary || process.env.CI)('PgBouncer metrics', () => {
  const suffix = randomBytes(4).toString('hex');
  const app = { user: `pgm_app_${suffix}`, password: randomBytes(12).toString('hex') };
  const admin = { user: `pgm_admin_${suffix}`, password: randomBytes(12).toString('hex') };
  const serverUrl = inject('postgresUrl');
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let configDir: string;
  let bouncer: PgBouncerProcess;
  const clients: pg.Client[] = [];
  const metrics = createMetricsRegistry('platform-api');

  beforeAll(async () => {
    database = await createTestDatabase('pgbouncer_metrics');
    const users = await withClient(serverUrl, async (client) => {
      for (const role of [app, admin]) await client.query(`create role ${quoteIdent(role.user)} login password ${quoteLiteral(role.password)}`);
      return readScramSecrets(client, [app.user, admin.user]);
    });
    configDir = await mkdtemp(join(tmpdir(), 'launchdb-pgbouncer-metrics-'));
    await chmod(configDir, 0o755);
    const server = { host: '127.0.0.1', port: Number(new URL(serverUrl).port), dbname: database.name, poolSize: 1 };
    bouncer = new PgBouncerProcess({
      binary: binary!,
      configDir,
      settings: {
        listenAddress: '127.0.0.1',
        listenPort: await findFreePort(),
        unixSocketDir: '',
        adminUsers: [admin.user],
        statsUsers: [],
        // two project aliases and the platform's, one server connection each
        databases: [
          { alias: 'proj_busy', ...server },
          { alias: 'proj_quiet', ...server },
          { alias: 'launchdb', ...server },
        ],
        maxClientConn: 50,
        defaultPoolSize: 1,
      },
      users,
      runAs: serviceUser(),
      admin,
    });
    await bouncer.start();
    // one project database keeps its name; until the first ranking (an hour away) the first one
    // SHOW POOLS lists (by name: proj_busy) holds it
    registerPgBouncerMetrics(metrics, { login: () => bouncer.adminLogin, topDatabases: 1, rankEveryMs: 3_600_000 });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await bouncer?.stop();
    await database?.drop();
    await withClient(serverUrl, async (client) => {
      for (const role of [app, admin]) await client.query(`drop role if exists ${quoteIdent(role.user)}`);
    });
    await rm(configDir, { recursive: true, force: true });
  });

  const connect = async (alias: string) => {
    const client = new pg.Client({ host: bouncer.host, port: bouncer.port, database: alias, ...app });
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return client;
  };
  const scrape = async () => parsePrometheusText(await metrics.metrics());

  it('shows clients active and waiting, servers in use and the longest wait per database, folding the quieter projects into other', async () => {
    const holder = await connect('proj_busy');
    await holder.query('begin');
    await holder.query('select 1');
    const waiter = await connect('proj_busy');
    // no server connection is free until the holder commits
    const waited = waiter.query('select 1');
    await (await connect('proj_quiet')).query('select 1');
    await (await connect('launchdb')).query('select 1');
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const during = await scrape();
    expect(sampleValue(during, 'launchdb_pgbouncer_up')).toBe(1);
    expect(sampleValue(during, 'launchdb_pgbouncer_clients', { database: 'proj_busy', state: 'active' })).toBe(1);
    expect(sampleValue(during, 'launchdb_pgbouncer_clients', { database: 'proj_busy', state: 'waiting' })).toBe(1);
    expect(sampleValue(during, 'launchdb_pgbouncer_servers', { database: 'proj_busy', state: 'active' })).toBe(1);
    expect(sampleValue(during, 'launchdb_pgbouncer_max_wait_seconds', { database: 'proj_busy' })).toBeGreaterThanOrEqual(1);
    // the quiet project is beyond the one place: other; the platform's alias is always named
    expect(sampleValue(during, 'launchdb_pgbouncer_servers', { database: 'other', state: 'idle' })).toBe(1);
    expect(sampleValue(during, 'launchdb_pgbouncer_clients', { database: 'launchdb', state: 'active' })).toBe(1);
    expect(during.flatMap((family) => family.samples).some((sample) => sample.labels.database === 'proj_quiet')).toBe(false);

    await holder.query('commit');
    await waited;
    const after = await scrape();
    expect(sampleValue(after, 'launchdb_pgbouncer_clients', { database: 'proj_busy', state: 'waiting' })).toBe(0);
    expect(sampleValue(after, 'launchdb_pgbouncer_max_wait_seconds', { database: 'proj_busy' })).toBeLessThan(1);
  });

  it('says PgBouncer is down, within its budget, when the console does not answer', async () => {
    const down = createMetricsRegistry('platform-api');
    registerPgBouncerMetrics(down, { login: () => ({ host: '127.0.0.1', port: 1, user: 'nobody', password: 'x' }), budgetMs: 500 });
    const started = Date.now();
    expect(sampleValue(parsePrometheusText(await down.metrics()), 'launchdb_pgbouncer_up')).toBe(0);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
