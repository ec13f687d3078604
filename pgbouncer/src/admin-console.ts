import { withClient } from '@launchdb/common/db';

export interface AdminConsoleLogin {
  host: string;
  port: number;
  /** Must be listed in `admin_users` (or `stats_users` for SHOW commands) and in userlist.txt. */
  user: string;
  password: string;
}

/**
 * The admin console commands we use: a fixed list, and per-database ones only through
 * `databaseCommand`, which takes nothing but a plain identifier, so no value that could need
 * escaping (the console has no parameters) ever reaches console text.
 */
export type AdminCommand =
  | DatabaseCommand
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
/** The identifiers pgbouncer.ini accepts as database aliases (see config-generator). */
const ALIAS = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * `DISABLE db`: new clients of the alias are refused at once; `ENABLE db` undoes it. `KILL db`
 * drops its clients and server connections and pauses it; `RESUME db` lifts the pause.
 */
export type DatabaseCommand = `${'DISABLE' | 'ENABLE' | 'KILL' | 'RESUME'} ${string}` & { readonly __databaseCommand: true };

export function databaseCommand(verb: 'DISABLE' | 'ENABLE' | 'KILL' | 'RESUME', alias: string): DatabaseCommand {
  if (!ALIAS.test(alias)) throw new Error(`not a database alias: ${JSON.stringify(alias)}`);
  return `${verb} ${alias}` as DatabaseCommand;
}

/**
 * Runs one command on PgBouncer's admin console (the virtual database `pgbouncer`).
 * RELOAD answers only once the new configuration is in force, which a SIGHUP cannot tell us.
 */
export async function runAdminCommand(login: AdminConsoleLogin, command: AdminCommand): Promise<Record<string, unknown>[]> {
  const [rows] = await runAdminCommands(login, [command]);
  return rows ?? [];
}

/** Several commands, one after the other, on one console connection. */
export async function runAdminCommands(login: AdminConsoleLogin, commands: AdminCommand[]): Promise<Record<string, unknown>[][]> {
  // The console drops the connection on anything it does not understand (a parameterised
  // query, for one); withClient makes that reject this call, not crash the process.
  const console = { host: login.host, port: login.port, user: login.user, password: login.password, database: 'pgbouncer', connectionTimeoutMillis: CONNECT_TIMEOUT_MS };
  return withClient(console, async (client) => {
    const results: Record<string, unknown>[][] = [];
    for (const command of commands) {
      // A plain string with no values goes out as a simple-protocol query, the only kind the console takes.
      results.push((await client.query<Record<string, unknown>>(command)).rows);
    }
    return results;
  });
}
