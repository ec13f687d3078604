import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPool, quoteIdent, withClient, withDatabase, type SecretBox } from '@launchdb/common';
// the setup modules alone: `launchdb up --split` supervises without loading platform-api's code
import { ensureFirstOperator } from '@launchdb/platform-api/setup/first-operator';
import { preparePlatformDatabase } from '@launchdb/platform-api/setup/platform-database';

export interface PreparedPlatform {
  appliedMigrations: string[];
  /** The platform role's URL, direct to PostgreSQL. */
  platformUrl: string;
  role: string;
  rolePassword: string;
  firstOperator: { email: string; generatedPassword: string | undefined } | undefined;
}

/**
 * The cluster as the platform needs it: its database, and no connecting to the maintenance
 * databases for anyone but superusers (each project database admits only its own roles).
 */
export async function preparePlatformCluster(maintenanceUrl: string, platformDatabase: string): Promise<void> {
  await withClient(maintenanceUrl, async (admin) => {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [platformDatabase]);
    if (!rowCount) await admin.query(`create database ${quoteIdent(platformDatabase)}`);
    await admin.query('revoke connect on database postgres from public');
    await admin.query('revoke connect on database template1 from public');
  });
}

/**
 * What every way of running the platform does first, over a superuser URL whose path is the
 * platform database: its migrations, the platform role (with PLATFORM_DB_PASSWORD when given),
 * and the first operator when there is none yet.
 */
export async function preparePlatform(
  adminUrl: string,
  secrets: SecretBox,
  settings: { PLATFORM_DB_PASSWORD?: string | undefined; LAUNCHDB_ADMIN_EMAIL?: string | undefined; LAUNCHDB_ADMIN_PASSWORD?: string | undefined },
): Promise<PreparedPlatform> {
  const { applied, role, rolePassword } = await withClient(adminUrl, (admin) => preparePlatformDatabase(admin, secrets, { rolePassword: settings.PLATFORM_DB_PASSWORD }));
  const server = new URL(adminUrl);
  const platformUrl = withDatabase(
    `postgres://${encodeURIComponent(role)}:${encodeURIComponent(rolePassword)}@${server.hostname}:${server.port || 5432}/`,
    decodeURIComponent(server.pathname.slice(1)),
  );
  const pool = createPool({ connectionString: platformUrl, applicationName: 'launchdb-setup', max: 1 });
  const outcome = await ensureFirstOperator(pool, { email: settings.LAUNCHDB_ADMIN_EMAIL, password: settings.LAUNCHDB_ADMIN_PASSWORD }).finally(() => pool.end());
  return {
    appliedMigrations: applied,
    platformUrl,
    role,
    rolePassword,
    firstOperator: outcome.created ? { email: outcome.email, generatedPassword: outcome.generatedPassword } : undefined,
  };
}

export const FIRST_OPERATOR_PASSWORD_FILE = 'first-operator-password';

/**
 * Output that is not a terminal ends up in log files and CI logs (and `docker compose logs`),
 * where a password would outlive the moment: there the generated password goes to a 0600 file
 * in `folder`, and only its path is printed.
 */
export async function passwordFileUnlessTerminal(folder: string, firstOperator: PreparedPlatform['firstOperator']): Promise<string | undefined> {
  if (process.stdout.isTTY || !firstOperator?.generatedPassword) return undefined;
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const file = join(folder, FIRST_OPERATOR_PASSWORD_FILE);
  const temporary = `${file}.tmp-${process.pid}`;
  await writeFile(temporary, `${firstOperator.generatedPassword}\n`, { mode: 0o600 });
  await rename(temporary, file);
  return file;
}

/** The banner's lines about the first operator: its email, and its password or where it is. */
export function firstOperatorLines(firstOperator: PreparedPlatform['firstOperator'], passwordFile: string | undefined): string[] {
  if (!firstOperator) return [];
  const lines = [`  operator     ${firstOperator.email}`];
  if (passwordFile) lines.push(`  password     in ${passwordFile}   (mode 0600: read it, then delete the file)`);
  else if (firstOperator.generatedPassword) lines.push(`  password     ${firstOperator.generatedPassword}   (shown this once: keep it now)`);
  return lines;
}
