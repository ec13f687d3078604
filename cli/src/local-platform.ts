import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseMasterKey, SecretBox, StartupError, withDatabase } from '@launchdb/common';
import type { LaunchdbConfig } from './config.ts';
import { DataFolder } from './data-folder.ts';

export const PLATFORM_DATABASE = 'launchdb';
export const EMBEDDED_SUPERUSER = 'postgres';

/**
 * What the platform's own machine can read from the data folder: the superuser URL of the
 * cluster and the master key. Operator commands go through the API instead (psql asks it for
 * the owner's connection); tests use this to look under the API.
 */
export async function openLocalPlatform(config: LaunchdbConfig): Promise<{ adminUrl: string; secrets: SecretBox }> {
  const path = resolve(config.LAUNCHDB_DATA_DIR);
  if (!existsSync(path)) throw new StartupError(`no data folder at ${path} (LAUNCHDB_DATA_DIR): run this on the machine where \`launchdb up\` runs`);
  const { folder } = await DataFolder.open(path);
  const masterKey = config.LAUNCHDB_MASTER_KEY ?? (await folder.readSecret('master.key'));
  if (!masterKey) throw new StartupError(`${folder.file('master.key')} is missing and LAUNCHDB_MASTER_KEY is not set`);
  let adminUrl: string;
  if (config.DATABASE_URL) {
    adminUrl = config.DATABASE_URL;
  } else {
    const password = await folder.readSecret('postgres.password');
    if (!password) throw new StartupError(`${folder.file('postgres.password')} is missing: has \`launchdb up\` run in this folder?`);
    adminUrl = withDatabase(
      `postgres://${EMBEDDED_SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${config.LAUNCHDB_POSTGRES_PORT}/`,
      PLATFORM_DATABASE,
    );
  }
  return { adminUrl, secrets: new SecretBox(parseMasterKey(masterKey)) };
}
