import { LaunchDbError, StartupError } from '@launchdb/common';
import { DEFAULT_ADMIN_EMAIL } from '@launchdb/platform-api';
import { loadLaunchdbConfig, type LaunchdbConfig } from '../config.ts';
import { PlatformClient } from '../platform-client.ts';

/**
 * Runs one `launchdb <group> <command>` that talks to the platform API, with the settings of the
 * environment and ./.env: exits 0 on success, 1 with one line on stderr otherwise.
 */
export async function runPlatformCommand(run: (config: LaunchdbConfig) => Promise<void>): Promise<void> {
  const config = loadLaunchdbConfig();
  try {
    await run(config);
  } catch (error) {
    if (error instanceof LaunchDbError || error instanceof StartupError) fail(error.message);
    // an operator reads one line, not a stack trace; LAUNCHDB_DEBUG=1 shows where it came from
    if (process.env.LAUNCHDB_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    fail(`unexpected error: ${(error as Error).message}`);
  }
}

/**
 * The platform API as an operator: LAUNCHDB_URL (else this machine's LAUNCHDB_PORT), and
 * LAUNCHDB_TOKEN or the operator's email and password.
 */
export function operatorClient(config: LaunchdbConfig, timeoutMs?: number): PlatformClient {
  return new PlatformClient({
    url: process.env.LAUNCHDB_URL ?? `http://127.0.0.1:${config.LAUNCHDB_PORT}`,
    token: process.env.LAUNCHDB_TOKEN,
    // the first operator's email has a default, so it may be left unset here too
    email: config.LAUNCHDB_ADMIN_EMAIL ?? DEFAULT_ADMIN_EMAIL,
    password: config.LAUNCHDB_ADMIN_PASSWORD,
    timeoutMs,
  });
}

function fail(message: string): never {
  process.stderr.write(`launchdb: ${message}\n`);
  process.exit(1);
}
