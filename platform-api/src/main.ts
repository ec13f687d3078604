import { createLogger, createPool, loadConfig, parseMasterKey, SecretBox } from '@launchdb/common';
import { exitOnSignals, settingsOrExit } from '@launchdb/common/service-process';
import { registerHttpMetrics } from '@launchdb/common/http-metrics';
import { registerPgBouncerMetrics } from '@launchdb/pgbouncer';
import { PostgrestManagerClient } from '@launchdb/postgrest-manager';
import { buildPlatformApi } from './app.ts';
import { gatewaySettingsOf, platformApiConfigSchema } from './config.ts';
import { DirectProjectPooler } from './domain/projects/direct-project-pooler.ts';
import { createProjectServices } from './domain/projects/project-services.ts';
import { registerGateway, type Gateway } from './gateway/index.ts';
import { syncSharedPgBouncer } from './setup/shared-pgbouncer.ts';

// platform-api alone, as its container runs it; `launchdb up` builds the same app in-process.
const config = settingsOrExit('platform-api', () => loadConfig(platformApiConfigSchema, { envFile: '.env' }));

const logger = createLogger({ level: config.LOG_LEVEL, name: 'platform-api' });
const db = createPool({ connectionString: config.PLATFORM_DATABASE_URL, applicationName: 'platform-api' });

// Projects are on when postgrest-manager is given. With PGBOUNCER_CONFIG_DIR, PgBouncer's
// container serves each project as `launchdb up`'s own PgBouncer does; otherwise data APIs reach
// PostgreSQL directly.
let projects;
let gateway: Gateway | undefined;
let secrets: SecretBox | undefined;
let dataApis: PostgrestManagerClient | undefined;
if (config.POSTGRES_ADMIN_URL && config.LAUNCHDB_MASTER_KEY && config.POSTGREST_MANAGER_URL && config.POSTGREST_MANAGER_INTERNAL_KEY) {
  const server = new URL(config.POSTGRES_ADMIN_URL);
  secrets = new SecretBox(parseMasterKey(config.LAUNCHDB_MASTER_KEY));
  dataApis = new PostgrestManagerClient({ baseUrl: config.POSTGREST_MANAGER_URL, internalKey: config.POSTGREST_MANAGER_INTERNAL_KEY });
  projects = createProjectServices({
    db,
    adminUrl: config.POSTGRES_ADMIN_URL,
    secrets,
    pooler: config.PGBOUNCER_CONFIG_DIR
      ? await syncSharedPgBouncer({
          configDir: config.PGBOUNCER_CONFIG_DIR,
          pgbouncer: { host: config.POOLER_HOST!, port: config.POOLER_PORT },
          adminUrl: config.POSTGRES_ADMIN_URL,
          platformUrl: config.PLATFORM_DATABASE_URL,
        })
      : new DirectProjectPooler({ host: server.hostname, port: Number(server.port || 5432) }),
    dataApis,
    logger: logger.child({ component: 'projects' }),
    onKeysRotated: (projectId) => gateway?.forget(projectId),
  });
}

const app = await buildPlatformApi({
  db,
  logger,
  jwtSecret: config.PLATFORM_JWT_SECRET,
  tokenLifetimeSeconds: config.PLATFORM_TOKEN_TTL_SECONDS,
  loginAttemptsPerMinute: config.LOGIN_ATTEMPTS_PER_MINUTE,
  trustProxy: config.TRUST_PROXY,
  healthChecks: [{ name: 'database', check: async () => void (await db.query('select 1')) }],
  ...(projects && dataApis
    ? { projects: { ...projects, dataApis, publicUrl: config.LAUNCHDB_PUBLIC_URL ?? `http://${config.LAUNCHDB_HOST}:${config.LAUNCHDB_PORT}` } }
    : {}),
});
if (secrets && dataApis) gateway = await registerGateway(app, { db, secrets, locator: dataApis, options: gatewaySettingsOf(config) });
// on its own port only: Caddy answers /metrics with 404, Prometheus scrapes inside the network
const metrics = registerHttpMetrics(app, { service: 'platform-api' });
if (config.PGBOUNCER_CONFIG_DIR && config.POOLER_HOST) {
  // the PgBouncer it configures: its admin user is the platform role (see setup/shared-pgbouncer.ts)
  const platformRole = new URL(config.PLATFORM_DATABASE_URL);
  const login = { host: config.POOLER_HOST, port: config.POOLER_PORT, user: decodeURIComponent(platformRole.username), password: decodeURIComponent(platformRole.password) };
  registerPgBouncerMetrics(metrics, { login: () => login });
}
await app.listen({ host: config.LAUNCHDB_HOST, port: config.LAUNCHDB_PORT });
// then projects made by an older LaunchDB get the base and app templates' newer files
if (projects) {
  void projects.provisioner
    .resumeInterrupted()
    .then(() => projects.provisioner.upgradeTemplates())
    .catch((error: Error) => logger.error({ err: error }, 'resuming interrupted provisioning failed'));
}

exitOnSignals(async () => {
  await app.close();
  await db.end();
});
