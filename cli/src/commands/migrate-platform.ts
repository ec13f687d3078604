import { parseMasterKey, SecretBox, StartupError, withDatabase } from '@launchdb/common';
// its module alone, not platform-api's index (the whole service)
import { syncSharedPgBouncer } from '@launchdb/platform-api/setup/shared-pgbouncer';
import { loadLaunchdbConfig } from '../config.ts';
import { firstOperatorLines, passwordFileUnlessTerminal, preparePlatform, preparePlatformCluster } from '../platform-setup.ts';

/**
 * `launchdb migrate-platform`: what `launchdb up` does first, alone, against DATABASE_URL, then
 * exits — docker compose's one-shot `platform-migrate` container, which every service waits for.
 * The platform database's migrations and role, the first operator (its generated password in
 * LAUNCHDB_DATA_DIR when stdout is not a terminal), and with PGBOUNCER_CONFIG_DIR the files of
 * PgBouncer's container. Safe to run at every start.
 */
export async function migratePlatform(args: string[]): Promise<void> {
  if (args.length > 0) fail(`unknown option ${args[0]} (launchdb migrate-platform)`);
  const config = loadLaunchdbConfig();
  if (!config.DATABASE_URL) fail('migrate-platform needs DATABASE_URL: the superuser URL of the server, its path the platform database');
  // a key made up here would be known to nobody else: the services could not read what it encrypts
  if (!config.LAUNCHDB_MASTER_KEY) fail('migrate-platform needs LAUNCHDB_MASTER_KEY: the key every service is given');
  if (config.PGBOUNCER_CONFIG_DIR && !config.POOLER_HOST) fail('PGBOUNCER_CONFIG_DIR needs POOLER_HOST: where PgBouncer answers its admin console');

  try {
    const adminUrl = config.DATABASE_URL;
    const platformDatabase = decodeURIComponent(new URL(adminUrl).pathname.slice(1));
    await preparePlatformCluster(withDatabase(adminUrl, 'postgres'), platformDatabase);
    const prepared = await preparePlatform(adminUrl, new SecretBox(parseMasterKey(config.LAUNCHDB_MASTER_KEY)), config);
    const lines = [
      prepared.appliedMigrations.length > 0
        ? `platform database ${platformDatabase}: applied ${prepared.appliedMigrations.join(', ')}`
        : `platform database ${platformDatabase}: up to date`,
      `  role         ${prepared.role}`,
    ];
    if (config.PGBOUNCER_CONFIG_DIR) {
      const pooler = await syncSharedPgBouncer({
        configDir: config.PGBOUNCER_CONFIG_DIR,
        pgbouncer: { host: config.POOLER_HOST!, port: config.POOLER_PORT },
        adminUrl,
        platformUrl: prepared.platformUrl,
      });
      lines.push(`  PgBouncer    ${config.PGBOUNCER_CONFIG_DIR} (${pooler.projectIds.length} projects)`);
    }
    lines.push(...firstOperatorLines(prepared.firstOperator, await passwordFileUnlessTerminal(config.LAUNCHDB_DATA_DIR, prepared.firstOperator)));
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    if (error instanceof StartupError) fail(error.message);
    fail(`could not prepare the platform database: ${(error as Error).message}`);
  }
}

function fail(message: string): never {
  process.stderr.write(`launchdb: ${message}\n`);
  process.exit(1);
}
