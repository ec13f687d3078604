import { ConfigError, ProjectDirectory, SecretBox, createLogger, createPool, loadConfig, parseMasterKey } from '@launchdb/common';
import { buildStorageApp } from './app.ts';
import { createStorageBackend } from './backends/index.ts';
import { mainConfigSchema } from './main-config.ts';
import { PlatformS3Credentials } from './s3/s3-credentials.ts';

// The storage service alone, as its container runs it; `npm start` registers it in the embedded platform instead.

let config;
let secrets;
let backend;
try {
  config = loadConfig(mainConfigSchema, { envFile: '.env' });
  secrets = new SecretBox(parseMasterKey(config.LAUNCHDB_MASTER_KEY));
  backend = createStorageBackend(config);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`storage-service: invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

const logger = createLogger({ level: config.LOG_LEVEL, name: 'storage-service' });
const platformDb = createPool({ connectionString: config.DATABASE_URL, max: 4, applicationName: 'storage-service' });
const projects = new ProjectDirectory({
  platformDb,
  secrets,
  pooler: { host: config.POOLER_HOST, port: config.POOLER_PORT },
  applicationName: 'storage-service',
});
const s3Credentials = new PlatformS3Credentials({ platformDb, secrets });
const app = await buildStorageApp({ projects, backend, settings: config, logger, trustProxy: config.TRUST_PROXY, s3Credentials });
app.addHook('onClose', async () => {
  await projects.close();
  await backend.close();
  await platformDb.end();
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    void app.close().then(() => process.exit(0));
  });
}

await app.listen({ host: config.STORAGE_HOST, port: config.STORAGE_PORT });
