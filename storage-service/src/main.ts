import { ProjectDirectory, SecretBox, createLogger, createPool, loadConfig, parseMasterKey } from '@launchdb/common';
import { exitOnSignals, settingsOrExit } from '@launchdb/common/service-process';
import { buildStorageApp } from './app.ts';
import { createStorageBackend } from './backends/index.ts';
import { mainConfigSchema } from './main-config.ts';
import { PlatformS3Credentials } from './s3/s3-credentials.ts';

// The storage service alone, as its container runs it; `npm start` registers it in the embedded platform instead.

const { config, secrets, backend } = settingsOrExit('storage-service', () => {
  const config = loadConfig(mainConfigSchema, { envFile: '.env' });
  return { config, secrets: new SecretBox(parseMasterKey(config.LAUNCHDB_MASTER_KEY)), backend: createStorageBackend(config) };
});

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

exitOnSignals(() => app.close(), logger);

await app.listen({ host: config.STORAGE_HOST, port: config.STORAGE_PORT });
