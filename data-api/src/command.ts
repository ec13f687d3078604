import { ConfigError } from '@launchdb/common/errors';
import { configFileFromArguments } from './config/arguments.ts';
import { loadDataApiConfig } from './config/config.ts';
import { startDataApi } from './server/start.ts';

/**
 * The data API alone, as postgrest-manager runs it: settings from `--config <file>` (PostgREST's
 * format) and PGRST_* variables. SIGTERM/SIGINT stop it gracefully, SIGUSR1/SIGUSR2 reload.
 * Shared by `data-api/src/main.ts` (and its bundle, dist/main.js) and `launchdb data-api`.
 */
export async function runDataApiCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config;
  try {
    config = loadDataApiConfig({ env, configFile: configFileFromArguments(args) });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`data-api: invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  try {
    await startDataApi(config);
  } catch (error) {
    process.stderr.write(`data-api: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
