import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withClient } from '@launchdb/common/db';
import { findFreePort } from '@launchdb/common/net';
import { serviceUser } from '@launchdb/common/service-user';
import { findPgBouncerBinary, PgBouncerProcess, readScramSecrets } from '@launchdb/pgbouncer';

export interface TestPgBouncer {
  /** `postgres://<user>:<password>@<pgbouncer>/<alias>`: the database through PgBouncer. */
  url: string;
  process: PgBouncerProcess;
  close: () => Promise<void>;
}

/**
 * A real PgBouncer in transaction pooling mode in front of one database of the PostgreSQL that
 * `adminUrl` names, serving `login` (whose SCRAM secret it copies) under `alias` (default `app`).
 */
export async function startTestPgBouncer(options: {
  /** Superuser URL of the database, to read the role's SCRAM secret. */
  adminUrl: string;
  database: string;
  /** The name clients connect to; a project's services use the database's own name. */
  alias?: string;
  login: { user: string; password: string };
  poolSize: number;
}): Promise<TestPgBouncer> {
  const binary = findPgBouncerBinary();
  if (!binary) throw new Error('no pgbouncer binary (Debian: apt-get install pgbouncer)');
  const configDir = await mkdtemp(join(tmpdir(), 'test-pgbouncer-'));
  // the postgres OS user (when we are root) must be able to reach it
  await chmod(configDir, 0o755);
  const users = await withClient(options.adminUrl, (client) => readScramSecrets(client, [options.login.user]));
  const server = new URL(options.adminUrl);
  const bouncer = new PgBouncerProcess({
    binary,
    configDir,
    settings: {
      listenAddress: '127.0.0.1',
      listenPort: await findFreePort(),
      unixSocketDir: '',
      adminUsers: [],
      statsUsers: [],
      databases: [{ alias: options.alias ?? 'app', host: server.hostname, port: Number(server.port || 5432), dbname: options.database, poolSize: options.poolSize }],
      maxClientConn: 100,
      defaultPoolSize: options.poolSize,
    },
    users,
    runAs: serviceUser(),
  });
  await bouncer.start();
  const { user, password } = options.login;
  return {
    url: `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${bouncer.host}:${bouncer.port}/${encodeURIComponent(options.alias ?? 'app')}`,
    process: bouncer,
    async close() {
      await bouncer.stop();
      await rm(configDir, { recursive: true, force: true });
    },
  };
}
