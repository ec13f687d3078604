import { ConfigError, createLogger, createPool, loadConfig } from '@launchdb/common';
import { buildPlatformApi } from './app.ts';
import { platformApiConfigSchema } from './config.ts';

// platform-api alone, as its container runs it; `launchdb up` builds the same app in-process.
let config;
try {
  config = loadConfig(platformApiConfigSchema, { envFile: '.env' });
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`platform-api: invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

const logger = createLogger({ level: config.LOG_LEVEL, name: 'platform-api' });
const db = createPool({ connectionString: config.PLATFORM_DATABASE_URL, applicationName: 'platform-api' });
const app = await buildPlatformApi({
  db,
  logger,
  jwtSecret: config.PLATFORM_JWT_SECRET,
  tokenLifetimeSeconds: config.PLATFORM_TOKEN_TTL_SECONDS,
  loginAttemptsPerMinute: config.LOGIN_ATTEMPTS_PER_MINUTE,
  trustProxy: config.TRUST_PROXY,
  healthChecks: [{ name: 'database', check: async () => void (await db.query('select 1')) }],
});
await app.listen({ host: config.LAUNCHDB_HOST, port: config.LAUNCHDB_PORT });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => db.end()).then(() => process.exit(0));
  });
}
