import type { DatabaseRoute, PgBouncerSettings, UserSecret } from './settings.ts';

/**
 * Names that need no quoting anywhere in pgbouncer.ini; anything else is refused rather than
 * escaped, so a setting can never end a line early or add a key of its own.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** A host name, an IPv4/IPv6 address or a Unix socket folder: no spaces, quotes, `=` or line breaks. */
const HOST = /^[A-Za-z0-9_.:/-]+$/;
const LISTEN_ADDRESS = /^(\*|[A-Za-z0-9_.:-]+)$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
/** The admin console's database name: an alias of that name would hide it. */
const ADMIN_DATABASE = 'pgbouncer';

export function renderPgBouncerIni(settings: PgBouncerSettings): string {
  const listenAddress = checkListenAddress(settings.listenAddress);
  checkPort('listenPort', settings.listenPort);
  checkPositiveInt('maxClientConn', settings.maxClientConn);
  checkPositiveInt('defaultPoolSize', settings.defaultPoolSize);
  const authFile = checkAbsolutePath('authFile', settings.authFile);
  // '' for both in a container: PgBouncer runs in the foreground, logging to stderr, no pid file
  const logFile = settings.logFile === '' ? '' : checkAbsolutePath('logFile', settings.logFile);
  const pidFile = settings.pidFile === '' ? '' : checkAbsolutePath('pidFile', settings.pidFile);
  const unixSocketDir = settings.unixSocketDir === '' ? '' : checkAbsolutePath('unixSocketDir', settings.unixSocketDir);
  const adminUsers = settings.adminUsers.map((name) => checkIdentifier('admin user', name));
  const statsUsers = settings.statsUsers.map((name) => checkIdentifier('stats user', name));

  const aliases = new Set<string>();
  const databaseLines = settings.databases.map((route) => {
    const line = renderDatabaseLine(route);
    if (aliases.has(route.alias)) throw new Error(`database alias ${route.alias} is listed twice`);
    aliases.add(route.alias);
    return line;
  });

  return [
    '; Written by @launchdb/pgbouncer; edits are overwritten.',
    '[databases]',
    ...databaseLines,
    '',
    '[pgbouncer]',
    `listen_addr = ${listenAddress}`,
    `listen_port = ${settings.listenPort}`,
    `unix_socket_dir = ${unixSocketDir}`,
    `auth_type = scram-sha-256`,
    `auth_file = ${authFile}`,
    `logfile = ${logFile}`,
    `pidfile = ${pidFile}`,
    `admin_users = ${adminUsers.join(',')}`,
    `stats_users = ${statsUsers.join(',')}`,
    // Every caller keeps to one transaction per checkout (SET LOCAL, unnamed statements).
    'pool_mode = transaction',
    // Only used in session mode; in transaction mode each transaction already ends clean.
    'server_reset_query =',
    // PgBouncer 1.18 refuses a connection whose startup packet has a parameter it does not
    // know; JDBC always sends extra_float_digits, node-postgres sends options when PGOPTIONS is set.
    'ignore_startup_parameters = extra_float_digits,options',
    // One pool per project: a project whose data API sleeps (scaled to zero) should not keep its
    // PostgreSQL backends, a few MB each, for PgBouncer's default ten minutes.
    'server_idle_timeout = 60',
    `max_client_conn = ${settings.maxClientConn}`,
    `default_pool_size = ${settings.defaultPoolSize}`,
    '',
  ].join('\n');
}

/**
 * userlist.txt: one `"name" "secret"` line per user. PgBouncer reads a doubled `"` inside a
 * field as a literal quote; a line break cannot be expressed at all.
 */
export function renderUserlist(users: UserSecret[]): string {
  const seen = new Set<string>();
  const lines = users.map(({ name, secret }) => {
    if (name === '') throw new Error('a userlist entry has an empty user name');
    if (CONTROL_CHARACTERS.test(name)) throw new Error(`user name ${JSON.stringify(name)} contains a line break or control character`);
    if (CONTROL_CHARACTERS.test(secret)) throw new Error(`the secret of user ${name} contains a line break or control character`);
    if (seen.has(name)) throw new Error(`user ${name} is listed twice in the userlist`);
    seen.add(name);
    return `${quoteUserlistField(name)} ${quoteUserlistField(secret)}`;
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function quoteUserlistField(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

function renderDatabaseLine(route: DatabaseRoute): string {
  const alias = checkIdentifier('database alias', route.alias);
  if (alias === ADMIN_DATABASE) throw new Error(`database alias ${ADMIN_DATABASE} is reserved for PgBouncer's admin console`);
  const dbname = checkIdentifier(`dbname of alias ${alias}`, route.dbname);
  if (!HOST.test(route.host)) throw new Error(`host of alias ${alias} must be a host name, an IP address or a socket folder, got ${JSON.stringify(route.host)}`);
  checkPort(`port of alias ${alias}`, route.port);
  const parts = [`host=${route.host}`, `port=${route.port}`, `dbname=${dbname}`];
  if (route.poolSize !== undefined) {
    checkPositiveInt(`poolSize of alias ${alias}`, route.poolSize);
    parts.push(`pool_size=${route.poolSize}`);
  }
  return `${alias} = ${parts.join(' ')}`;
}

function checkIdentifier(what: string, value: string): string {
  if (!IDENTIFIER.test(value)) {
    throw new Error(`${what} must be a plain identifier (a letter or _, then letters, digits or _; at most 63), got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkListenAddress(value: string): string {
  const addresses = value.split(',').map((address) => address.trim());
  if (addresses.length === 0 || addresses.some((address) => !LISTEN_ADDRESS.test(address))) {
    throw new Error(`listenAddress must be *, an address, or a comma-separated list of addresses, got ${JSON.stringify(value)}`);
  }
  return addresses.join(',');
}

function checkPort(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${what} must be a TCP port (1-65535), got ${value}`);
}

function checkPositiveInt(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be a positive whole number, got ${value}`);
}

/**
 * PgBouncer resolves relative paths against its working directory, expands a leading `~`,
 * and trims the value's ends: only absolute paths without control characters or trailing
 * spaces mean what they say.
 */
function checkAbsolutePath(what: string, value: string): string {
  if (!value.startsWith('/') || CONTROL_CHARACTERS.test(value) || value !== value.trimEnd()) {
    throw new Error(`${what} must be an absolute path without line breaks or trailing spaces, got ${JSON.stringify(value)}`);
  }
  return value;
}
