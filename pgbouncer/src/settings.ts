/** One `[databases]` entry: clients connect to `alias`, PgBouncer forwards to `dbname` on host:port. */
export interface DatabaseRoute {
  alias: string;
  host: string;
  port: number;
  dbname: string;
  /** Server connections for this alias; `defaultPoolSize` when absent. */
  poolSize?: number;
}

/** Everything that varies between PgBouncer instances; the rest of pgbouncer.ini is fixed policy. */
export interface PgBouncerSettings {
  /** `listen_addr`: an address, a comma-separated list of them, or `*`. */
  listenAddress: string;
  listenPort: number;
  authFile: string;
  /** '' logs to stderr only. */
  logFile: string;
  /** '' writes none (PgBouncer in the foreground needs none). */
  pidFile: string;
  /** '' disables the Unix socket. */
  unixSocketDir: string;
  adminUsers: string[];
  statsUsers: string[];
  databases: DatabaseRoute[];
  maxClientConn: number;
  defaultPoolSize: number;
}

/** One line of userlist.txt: a role and its SCRAM secret (or, for a PgBouncer-only user, a password). */
export interface UserSecret {
  name: string;
  secret: string;
}
