import { ConfigError, createLogger, createPool, loadConfig, parseMasterKey, ProjectDirectory, SecretBox } from '@launchdb/common';
import { buildAuthApp } from './app.ts';
import { authServiceSettingsOf } from './config.ts';
import { mainConfigSchema } from './main-config.ts';

// The auth service alone, as its container runs it; `npm start` registers it in the embedded platform instead.

let config;
let secrets;
try {
  config = loadConfig(mainConfigSchema, { envFile: '.env' });
  secrets = new SecretBox(parseMasterKey(config.LAUNCHDB_MASTER_KEY));
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`auth-service: invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

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

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => projects.close())
      .then(() => platformDb.end())
      .then(() => process.exit(0));
  });
}
