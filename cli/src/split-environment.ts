import type { DatabaseAddress } from '@launchdb/common/projects';
// each service's settings module, never its index: the launcher only supervises, and the
// services' code (Fastify, the gateway, storage backends…) would cost it ~70 MB (cli/BENCH.md)
import { platformApiSettings } from '@launchdb/platform-api/config';
import { postgrestManagerSettings } from '@launchdb/postgrest-manager/config';
import { authServiceEnvSchema } from '@launchdb/auth-service/config';
import { storageBackendSettingsSchema } from '@launchdb/storage-service/backends';
import { storageServiceSettingsSchema } from '@launchdb/storage-service/settings';
import { backupSettings } from '@launchdb/backup/settings';
import { workerSettings } from '@launchdb/worker/settings';
import type { LaunchdbConfig } from './config.ts';

/** The services of docker-compose.yml, in the order they start. */
export const SPLIT_SERVICES = ['postgrest-manager', 'platform-api', 'auth-service', 'storage-service', 'worker', 'backup', 'dashboard'] as const;
export type SplitServiceName = (typeof SPLIT_SERVICES)[number];

/** What `launchdb up --split` has in place of compose's network, volumes and .env. */
export interface SplitWiring {
  config: Pick<LaunchdbConfig, 'LOG_LEVEL' | 'DATA_API_IDLE_SECONDS' | 'LAUNCHDB_ADMIN_EMAIL' | 'LAUNCHDB_ADMIN_PASSWORD' | 'STORAGE_FS_ROOT' | 'STORAGE_UPLOADS_DIR'>;
  /** compose's `postgres:5432` */
  postgres: DatabaseAddress;
  /** compose's `pgbouncer:6432` */
  pgbouncer: DatabaseAddress;
  platformDatabase: string;
  /** compose's POSTGRES_PASSWORD, for the `postgres` superuser */
  superuser: { user: string; password: string };
  /** compose's PLATFORM_DB_PASSWORD, for the role platform-migrate creates */
  platformRole: { user: string; password: string };
  masterKey: string;
  jwtSecret: string;
  internalKey: string;
  publicUrl: string;
  /** compose's pgbouncer-config volume */
  pgbouncerConfigDir: string;
  /** compose's platform-secrets volume (platform-migrate's LAUNCHDB_DATA_DIR) */
  platformSecretsDir: string;
  dataFolder: string;
  /** Where each service listens (compose's container ports; backup's is its /metrics). */
  ports: Record<SplitServiceName, number>;
  dataApiEntry: string;
  /** compose's storage-data volume, and the uploads staged beside it */
  storageRoot: string;
  uploadsDir: string;
}

/**
 * Each process's environment: what its container gets in docker-compose.yml, with compose's
 * hosts replaced by 127.0.0.1 and the ports chosen at start. test/production-files.test.ts
 * checks that who connects where, as whom, is the same as in compose.
 */
export function splitEnvironments(wiring: SplitWiring, inherited: NodeJS.ProcessEnv = process.env): Record<SplitServiceName | 'platform-migrate', Record<string, string>> {
  const { config, ports, postgres, pgbouncer, platformDatabase, superuser, platformRole } = wiring;
  const url = (login: { user: string; password: string }, at: DatabaseAddress) =>
    `postgres://${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@${at.host}:${at.port}/${encodeURIComponent(platformDatabase)}`;
  // superuser, direct: migrations and roles, provisioning (and pg_authid), pg_dump
  const superuserUrl = url(superuser, postgres);
  const platformUrl = url(platformRole, pgbouncer);
  const pooler = { POOLER_HOST: pgbouncer.host, POOLER_PORT: String(pgbouncer.port) };
  const directPostgres = { POSTGRES_HOST: postgres.host, POSTGRES_PORT: String(postgres.port) };
  const common = { LOG_LEVEL: config.LOG_LEVEL };
  const storageFiles = { STORAGE_FS_ROOT: config.STORAGE_FS_ROOT ?? wiring.storageRoot };
  const given = (shape: Record<string, unknown>) => pick(shape, inherited);
  return {
    'platform-migrate': {
      ...common,
      DATABASE_URL: superuserUrl,
      LAUNCHDB_MASTER_KEY: wiring.masterKey,
      PLATFORM_DB_PASSWORD: platformRole.password,
      ...(config.LAUNCHDB_ADMIN_EMAIL ? { LAUNCHDB_ADMIN_EMAIL: config.LAUNCHDB_ADMIN_EMAIL } : {}),
      ...(config.LAUNCHDB_ADMIN_PASSWORD ? { LAUNCHDB_ADMIN_PASSWORD: config.LAUNCHDB_ADMIN_PASSWORD } : {}),
      PGBOUNCER_CONFIG_DIR: wiring.pgbouncerConfigDir,
      ...pooler,
      // the image's ENV
      LAUNCHDB_DATA_DIR: wiring.platformSecretsDir,
    },
    'postgrest-manager': {
      ...common,
      ...given(postgrestManagerSettings),
      PLATFORM_DATABASE_URL: platformUrl,
      ...pooler,
      LAUNCHDB_MASTER_KEY: wiring.masterKey,
      POSTGREST_MANAGER_INTERNAL_KEY: wiring.internalKey,
      ...directPostgres,
      DATA_API_ENTRY: wiring.dataApiEntry,
      DATA_API_IDLE_SECONDS: String(config.DATA_API_IDLE_SECONDS),
      POSTGREST_MANAGER_HOST: '127.0.0.1',
      POSTGREST_MANAGER_PORT: String(ports['postgrest-manager']),
    },
    'platform-api': {
      ...common,
      ...given(platformApiSettings),
      PLATFORM_DATABASE_URL: platformUrl,
      ...pooler,
      PLATFORM_JWT_SECRET: wiring.jwtSecret,
      POSTGRES_ADMIN_URL: superuserUrl,
      PGBOUNCER_CONFIG_DIR: wiring.pgbouncerConfigDir,
      LAUNCHDB_MASTER_KEY: wiring.masterKey,
      POSTGREST_MANAGER_URL: `http://127.0.0.1:${ports['postgrest-manager']}`,
      POSTGREST_MANAGER_INTERNAL_KEY: wiring.internalKey,
      LAUNCHDB_PUBLIC_URL: wiring.publicUrl,
      LAUNCHDB_HOST: '127.0.0.1',
      LAUNCHDB_PORT: String(ports['platform-api']),
      TRUST_PROXY: 'true',
    },
    'auth-service': {
      ...common,
      ...given(authServiceEnvSchema.shape),
      DATABASE_URL: platformUrl,
      LAUNCHDB_MASTER_KEY: wiring.masterKey,
      ...pooler,
      LAUNCHDB_PUBLIC_URL: wiring.publicUrl,
      AUTH_HOST: '127.0.0.1',
      AUTH_PORT: String(ports['auth-service']),
      TRUST_PROXY: 'true',
    },
    'storage-service': {
      ...common,
      ...given(storageBackendSettingsSchema.shape),
      ...given(storageServiceSettingsSchema.shape),
      ...storageFiles,
      STORAGE_UPLOADS_DIR: config.STORAGE_UPLOADS_DIR ?? wiring.uploadsDir,
      DATABASE_URL: platformUrl,
      LAUNCHDB_MASTER_KEY: wiring.masterKey,
      ...pooler,
      STORAGE_HOST: '127.0.0.1',
      STORAGE_PORT: String(ports['storage-service']),
      TRUST_PROXY: 'true',
    },
    worker: {
      ...common,
      ...given(storageBackendSettingsSchema.shape),
      ...given(workerSettings),
      ...storageFiles,
      DATABASE_URL: platformUrl,
      LAUNCHDB_MASTER_KEY: wiring.masterKey,
      // LISTEN needs a session of its own: directly on PostgreSQL
      ...directPostgres,
      ...pooler,
      WORKER_HEALTH_HOST: '127.0.0.1',
      WORKER_HEALTH_PORT: String(ports.worker),
    },
    backup: {
      ...common,
      ...given(backupSettings),
      // the storage service's own settings: the backups hold its files, on disk or in S3
      ...given(storageBackendSettingsSchema.shape),
      ...storageFiles,
      DATABASE_URL: superuserUrl,
      LAUNCHDB_MASTER_KEY: wiring.masterKey,
      LAUNCHDB_DATA_DIR: wiring.dataFolder,
      BACKUP_METRICS_HOST: '127.0.0.1',
      BACKUP_METRICS_PORT: String(ports.backup),
    },
    dashboard: {
      DASHBOARD_HOST: '127.0.0.1',
      DASHBOARD_PORT: String(ports.dashboard),
      DASHBOARD_PROTOCOL_HEADER: 'x-forwarded-proto',
      DASHBOARD_HOST_HEADER: 'x-forwarded-host',
      DASHBOARD_ADDRESS_HEADER: 'x-forwarded-for',
      DASHBOARD_XFF_DEPTH: '1',
    },
  };
}

/** The variables of a settings schema that are set in our environment: each service gets its own. */
function pick(shape: Record<string, unknown>, inherited: NodeJS.ProcessEnv): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of Object.keys(shape)) {
    const value = inherited[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}
