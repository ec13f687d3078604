import { createLogger, createPool, loadConfig, parseMasterKey, ProjectDirectory, SecretBox } from '@launchdb/common';
import { exitOnSignals, settingsOrExit } from '@launchdb/common/service-process';
import { buildAuthApp } from './app.ts';
import { authServiceSettingsOf } from './config.ts';
import { mainConfigSchema } from './main-config.ts';

// The auth service alone, as its container runs it; `npm start` registers it in the embedded platform instead.

const { config, secrets } = settingsOrExit('auth-service', () => {
  const config = loadConfig(mainConfigSchema, { envFile: '.env' });
  return { config, secrets: new SecretBox(parseMasterKey(config.LAUNCHDB_MASTER_KEY)) };
});

const logger = createLogger({ level: config.LOG_LEVEL, name: 'auth-service' });
const platformDb = createPool({ connectionString: config.DATABASE_URL, applicationName: 'auth-service', max: 4 });
const projects = new ProjectDirectory({
  platformDb,
  secrets,
  pooler: { host: config.POOLER_HOST, port: config.POOLER_PORT },
  applicationName: 'auth-service',
});
const app = await buildAuthApp({
  projects,
  platformDb,
  secrets,
  publicUrl: config.LAUNCHDB_PUBLIC_URL ?? `http://${config.AUTH_HOST}:${config.AUTH_PORT}`,
  settings: authServiceSettingsOf(config),
  logger,
  trustProxy: config.TRUST_PROXY,
});
await app.listen({ host: config.AUTH_HOST, port: config.AUTH_PORT });

exitOnSignals(async () => {
  await app.close();
  await projects.close();
  await platformDb.end();
});
