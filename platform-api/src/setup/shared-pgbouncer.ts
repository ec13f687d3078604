import { withClient, type DatabaseAddress } from '@launchdb/common';
import { PgBouncerProjectPooler, platformPoolSettings, readScramSecrets, SharedFolderPgBouncer } from '@launchdb/pgbouncer';

export interface SharedPgBouncerOptions {
  /** The volume both containers mount at this path (PGBOUNCER_CONFIG_DIR). */
  configDir: string;
  /** PgBouncer's address (POOLER_HOST, POOLER_PORT); it listens on that port on every address, or on that one when it is loopback. */
  pgbouncer: DatabaseAddress;
  /** Superuser URL, direct: PgBouncer reaches PostgreSQL at its host and port, and only a superuser reads SCRAM secrets. */
  adminUrl: string;
  /** The platform role's URL (PLATFORM_DATABASE_URL): its user is PgBouncer's admin, and its path the platform database. */
  platformUrl: string;
}

/**
 * docker compose's PgBouncer, configured as `launchdb up` configures its own: the platform
 * database for the platform role, plus an alias and the authenticator of every project that is
 * active or being provisioned, written into the shared folder and reloaded. Called by the
 * migrate container before PgBouncer starts, and by platform-api at each start, which then keeps
 * it current as projects come and go.
 */
export async function syncSharedPgBouncer(options: SharedPgBouncerOptions): Promise<PgBouncerProjectPooler> {
  const admin = new URL(options.adminUrl);
  const platform = new URL(options.platformUrl);
  const role = decodeURIComponent(platform.username);
  const postgres = { host: admin.hostname, port: Number(admin.port || 5432) };
  const settings = platformPoolSettings({
    // compose's PgBouncer is reached by its service name on the network; one reached on loopback
    // (`launchdb up --split`) need not listen anywhere else
    listenAddress: isLoopback(options.pgbouncer.host) ? options.pgbouncer.host : '*',
    listenPort: options.pgbouncer.port,
    platformDatabase: decodeURIComponent(platform.pathname.slice(1)),
    postgres,
    platformRole: role,
  });
  const { users, projectIds } = await withClient(options.adminUrl, async (client) => ({
    users: await readScramSecrets(client, [role]),
    projectIds: (await client.query<{ id: string }>(`select id from platform.projects where status in ('active', 'provisioning') order by id`)).rows.map((row) => row.id),
  }));
  const pgbouncer = new SharedFolderPgBouncer({
    configDir: options.configDir,
    address: options.pgbouncer,
    admin: { user: role, password: decodeURIComponent(platform.password) },
  });
  const pooler = new PgBouncerProjectPooler({ pgbouncer, base: { settings, users }, postgres, adminUrl: options.adminUrl });
  await pooler.syncProjects(projectIds);
  return pooler;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
