import { BusiestProjects } from '@launchdb/common/http-metrics';
import { Counter, Gauge, withinBudget, type Registry } from '@launchdb/common/metrics';
import { runAdminCommands, type AdminConsoleLogin } from './admin-console.ts';

export interface PgBouncerMetricsOptions {
  /** The admin console's login (a user in `stats_users` or `admin_users`); undefined: no PgBouncer to read now. */
  login: () => AdminConsoleLogin | undefined;
  /** Project databases (`proj_<id>`) named; the rest are `other`. The busiest by connections in use keep a name; 20 by default. */
  topDatabases?: number;
  /** How often the named databases are chosen again; 60 s by default. */
  rankEveryMs?: number;
  /** The longest a scrape waits for the console; 2 s by default (then launchdb_pgbouncer_up is 0). */
  budgetMs?: number;
}

interface PoolUse {
  clientsActive: number;
  clientsWaiting: number;
  serversActive: number;
  serversIdle: number;
  maxWaitSeconds: number;
}

interface Reading {
  pools: Map<string, PoolUse>;
  totals: { transactions: number; queries: number; waitSeconds: number };
}

const PROJECT_DATABASE = /^proj_/;

/**
 * PgBouncer's pool use per database (SHOW POOLS, summed over its users) and its totals (SHOW
 * STATS), read from the admin console when Prometheus scrapes, on one connection, within a
 * budget. Project databases beyond the busiest are folded into `other`, as requests are.
 */
export function registerPgBouncerMetrics(registry: Registry, options: PgBouncerMetricsOptions): void {
  const budgetMs = options.budgetMs ?? 2_000;
  const rankEveryMs = options.rankEveryMs ?? 60_000;
  const busiest = new BusiestProjects(options.topDatabases ?? 20);
  let rankedAt = Date.now();
  let reading: Promise<Reading | undefined> | undefined;

  const read = async (): Promise<Reading | undefined> => {
    const login = options.login();
    if (!login) return undefined;
    const [pools = [], stats = []] = await runAdminCommands(login, ['SHOW POOLS', 'SHOW STATS']);
    if (Date.now() - rankedAt >= rankEveryMs) {
      busiest.rank();
      rankedAt = Date.now();
    }
    const byDatabase = new Map<string, PoolUse>();
    for (const row of pools) {
      const database = String(row.database);
      if (database === 'pgbouncer') continue;
      const use: PoolUse = {
        clientsActive: num(row.cl_active),
        clientsWaiting: num(row.cl_waiting),
        serversActive: num(row.sv_active),
        serversIdle: num(row.sv_idle),
        maxWaitSeconds: num(row.maxwait) + num(row.maxwait_us) / 1e6,
      };
      const name = PROJECT_DATABASE.test(database) ? busiest.label(database, use.clientsActive + use.clientsWaiting + use.serversActive) : database;
      const sum = byDatabase.get(name);
      byDatabase.set(
        name,
        sum
          ? {
              clientsActive: sum.clientsActive + use.clientsActive,
              clientsWaiting: sum.clientsWaiting + use.clientsWaiting,
              serversActive: sum.serversActive + use.serversActive,
              serversIdle: sum.serversIdle + use.serversIdle,
              maxWaitSeconds: Math.max(sum.maxWaitSeconds, use.maxWaitSeconds),
            }
          : use,
      );
    }
    const totals = { transactions: 0, queries: 0, waitSeconds: 0 };
    for (const row of stats) {
      if (String(row.database) === 'pgbouncer') continue;
      totals.transactions += num(row.total_xact_count);
      totals.queries += num(row.total_query_count);
      totals.waitSeconds += num(row.total_wait_time) / 1e6;
    }
    return { pools: byDatabase, totals };
  };
  // prom-client calls every collect() of one scrape in one synchronous pass: they share one read
  const current = (): Promise<Reading | undefined> => {
    if (!reading) {
      reading = withinBudget(read(), budgetMs, () => undefined);
      setImmediate(() => (reading = undefined));
    }
    return reading;
  };

  new Gauge({
    name: 'launchdb_pgbouncer_up',
    help: 'Whether PgBouncer\'s admin console answered this scrape within its budget',
    registers: [registry],
    async collect() {
      this.set((await current()) ? 1 : 0);
    },
  });
  const connections: Array<{ name: string; help: string; states: Array<[state: string, pick: (use: PoolUse) => number]> }> = [
    {
      name: 'launchdb_pgbouncer_clients',
      help: 'Client connections per database: active (linked to a server or idle between transactions) and waiting for a server connection',
      states: [
        ['active', (use) => use.clientsActive],
        ['waiting', (use) => use.clientsWaiting],
      ],
    },
    {
      name: 'launchdb_pgbouncer_servers',
      help: 'Server connections to PostgreSQL per database: active (linked to a client) and idle (ready for one)',
      states: [
        ['active', (use) => use.serversActive],
        ['idle', (use) => use.serversIdle],
      ],
    },
  ];
  for (const { name, help, states } of connections) {
    new Gauge({
      name,
      help,
      labelNames: ['database', 'state'],
      registers: [registry],
      async collect() {
        const now = await current();
        this.reset();
        for (const [database, use] of now?.pools ?? []) {
          for (const [state, pick] of states) this.set({ database, state }, pick(use));
        }
      },
    });
  }
  new Gauge({
    name: 'launchdb_pgbouncer_max_wait_seconds',
    help: 'How long the oldest waiting client of the database has waited for a server connection',
    labelNames: ['database'],
    registers: [registry],
    async collect() {
      const now = await current();
      this.reset();
      for (const [database, use] of now?.pools ?? []) this.set({ database }, use.maxWaitSeconds);
    },
  });
  const totals: Array<{ name: string; help: string; pick: (totals: Reading['totals']) => number }> = [
    { name: 'launchdb_pgbouncer_transactions_total', help: 'Transactions PgBouncer pooled since it started, all databases', pick: (totals) => totals.transactions },
    { name: 'launchdb_pgbouncer_queries_total', help: 'Queries PgBouncer pooled since it started, all databases', pick: (totals) => totals.queries },
    {
      name: 'launchdb_pgbouncer_client_wait_seconds_total',
      help: 'Time clients spent waiting for a server connection since PgBouncer started, all databases',
      pick: (totals) => totals.waitSeconds,
    },
  ];
  for (const { name, help, pick } of totals) {
    new Counter({
      name,
      help,
      registers: [registry],
      async collect() {
        const now = await current();
        // the last value stays when the console did not answer: a counter must not drop to 0
        if (!now) return;
        this.reset();
        this.inc(pick(now.totals));
      },
    });
  }
}

function num(value: unknown): number {
  const parsed = Number(value ?? 0);
  return Number.isFinite(parsed) ? parsed : 0;
}
