import { resolve } from 'node:path';
import { createLogger, createPool, loadConfig, parseMasterKey, SecretBox, StartupError } from '@launchdb/common';
import { exitOnSignals, settingsOrExit } from '@launchdb/common/service-process';
import { driverChoiceFromSettings, postgrestManagerConfigSchema } from './config.ts';
import { buildPostgrestManager } from './postgrest-manager.ts';

// postgrest-manager alone, as its container runs it; `launchdb up` builds the same in-process.
const config = settingsOrExit('postgrest-manager', () => loadConfig(postgrestManagerConfigSchema, { envFile: '.env' }));

const logger = createLogger({ level: config.LOG_LEVEL, name: 'postgrest-manager' });
const db = createPool({ connectionString: config.PLATFORM_DATABASE_URL, applicationName: 'postgrest-manager', max: 4 });
const postgres = { host: config.POSTGRES_HOST, port: config.POSTGRES_PORT };
const manager = await buildPostgrestManager({
  db,
  secrets: new SecretBox(parseMasterKey(config.LAUNCHDB_MASTER_KEY)),
  logger,
  internalKey: config.POSTGREST_MANAGER_INTERNAL_KEY,
  postgres,
  pooler: config.POOLER_HOST ? { host: config.POOLER_HOST, port: config.POOLER_PORT } : postgres,
  driver: driverChoiceFromSettings(config, { stateDir: resolve('.launchdb/data-apis') }),
  idleSeconds: config.DATA_API_IDLE_SECONDS,
  dataApiPoolSize: config.DATA_API_POOL_SIZE,
  dataApiLogLevel: config.DATA_API_LOG_LEVEL,
});
// child processes must not outlive us by accident; containers keep serving and are adopted next time
const processDriver = config.DATA_API_DRIVER === 'process';
if (processDriver) process.on('exit', () => manager.killAllNow());

try {
  await manager.start();
  await manager.listen({ host: config.POSTGREST_MANAGER_HOST, port: config.POSTGREST_MANAGER_PORT });
} catch (error) {
  await manager.close().catch(() => undefined);
  await db.end().catch(() => undefined);
  if (error instanceof StartupError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`postgrest-manager: ${(error as Error).message}\n`);
    process.exit(1);
  }
  throw error;
}

exitOnSignals(async () => {
  await (processDriver ? manager.close() : manager.release());
  await db.end();
});
