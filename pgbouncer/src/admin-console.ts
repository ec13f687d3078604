import pg from 'pg';

export interface AdminConsoleLogin {
  host: string;
  port: number;
  /** Must be listed in `admin_users` (or `stats_users` for SHOW commands) and in userlist.txt. */
  user: string;
  password: string;
}

/**
 * The admin console commands we use, all without arguments: a fixed list means no value is
 * ever spliced into console text, which could not be escaped anyway (the console has no
 * parameters).
 */
export type AdminCommand =
  | 'RELOAD'
  | 'PAUSE'
  | 'RESUME'
  | 'SHOW POOLS'
  | 'SHOW DATABASES'
  | 'SHOW CLIENTS'
  | 'SHOW SERVERS'
  | 'SHOW STATS'
  | 'SHOW USERS'
  | 'SHOW CONFIG'
  | 'SHOW LISTS'
  | 'SHOW VERSION';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Runs one command on PgBouncer's admin console (the virtual database `pgbouncer`).
 * RELOAD answers only once the new configuration is in force, which a SIGHUP cannot tell us.
 */
export async function runAdminCommand(login: AdminConsoleLogin, command: AdminCommand): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({
    host: login.host,
    port: login.port,
    user: login.user,
    password: login.password,
    database: 'pgbouncer',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // The console drops the connection on anything it does not understand (a parameterised
  // query, for one); that must reject this call, not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    // A plain string with no values goes out as a simple-protocol query, the only kind the console takes.
    const result = await client.query<Record<string, unknown>>(command);
    return result.rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}
