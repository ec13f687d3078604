import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, createPool, findFreePort, generateMasterKey, isPortFree, parseMasterKey, quoteIdent, SecretBox, serviceUser, StartupError, withClient, withDatabase, type Logger } from '@launchdb/common';
import { bundleDataApi, stopBundler } from '@launchdb/data-api/build';
import { platformApiSettings } from '@launchdb/platform-api';
import { postgrestManagerSettings } from '@launchdb/postgrest-manager';
import { authServiceEnvSchema } from '@launchdb/auth-service';
import { storageBackendSettingsSchema, storageServiceSettingsSchema } from '@launchdb/storage-service';
import { backupSettings } from '@launchdb/backup';
import { workerSettings } from '@launchdb/worker';
import { DASHBOARD_BUILD_FOLDER, ensureDashboardBuild } from '@launchdb/dashboard/server';
import type { LaunchdbConfig } from './config.ts';
import { DataFolder } from './data-folder.ts';
import { CaddyProcess, findCaddyBinary } from './embedded/caddy-process.ts';
import { PostgresCluster } from './embedded/postgres-cluster.ts';
import { ProcessSupervisor } from './embedded/process-supervisor.ts';
import { bundleServices } from './embedded/service-bundles.ts';
import { ServiceProcess } from './embedded/service-process.ts';
import { EMBEDDED_SUPERUSER, PLATFORM_DATABASE } from './local-platform.ts';
import { preparePlatform, preparePlatformCluster } from './platform-setup.ts';

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

/**
 * V8 grows each process's young generation up to two 16 MB semi-spaces for throughput and keeps
 * them once idle; these services allocate little per request. Capped at 2 MB (as backup's own
 * `npm start` and, at 4 MB, the data API run), a service's idle PSS drops by about 20 MB
 * (cli/BENCH.md).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/** The services of docker-compose.yml, in the order they start. */
export const SPLIT_SERVICES = ['postgrest-manager', 'platform-api', 'auth-service', 'storage-service', 'worker', 'backup', 'dashboard'] as const;
export type SplitServiceName = (typeof SPLIT_SERVICES)[number];

export interface SplitStartupReport {
  url: string;
  dataFolder: string;
  /** Each service's pid and internal address. */
  services: Record<SplitServiceName | 'caddy', { pid: number | undefined; address: string | undefined }>;
  firstOperator: { email: string; generatedPassword: string | undefined } | undefined;
}

/**
 * `launchdb up --split`: PostgreSQL, then each service as its own OS process given only the
 * variables its container gets in docker-compose.yml, and real Caddy (caddy/Caddyfile.local) in
 * front on LAUNCHDB_PORT, so clients use the same URLs as without --split. A service that dies
 * is started again (ProcessSupervisor); Caddy retries another replica, or the same one once back.
 *
 * Project databases are reached directly, as platform-api alone does (DirectProjectPooler):
 * the PgBouncer that `launchdb up` manages lives inside its process.
 */
export class SplitPlatform {
  readonly #config: LaunchdbConfig;
  readonly #logger: Logger;
  readonly #services = new Map<SplitServiceName, ServiceProcess>();
  readonly #addresses = new Map<SplitServiceName, string>();
  #cluster: PostgresCluster | undefined;
  #postgresSupervisor: ProcessSupervisor | undefined;
  #caddy: CaddyProcess | undefined;
  #caddySupervisor: ProcessSupervisor | undefined;

  constructor(config: LaunchdbConfig, logger?: Logger) {
    this.#config = config;
    this.#logger = logger ?? createLogger({ level: config.LOG_LEVEL, name: 'launchdb' });
  }

  async start(): Promise<SplitStartupReport> {
    try {
      return await this.#start();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** One service's process (for tests that kill it). */
  service(name: SplitServiceName): ServiceProcess {
    return this.#services.get(name)!;
  }

  async #start(): Promise<SplitStartupReport> {
    const config = this.#config;
    const caddyBinary = findCaddyBinary();
    if (!caddyBinary) throw new StartupError('--split needs Caddy in front of the services: install it (apt-get install caddy)');
    if (config.DATABASE_URL) throw new StartupError('--split runs its own PostgreSQL: unset DATABASE_URL');
    if (!(await isPortFree(config.LAUNCHDB_PORT, config.LAUNCHDB_HOST))) throw new StartupError(`port ${config.LAUNCHDB_PORT} on ${config.LAUNCHDB_HOST} is already in use (LAUNCHDB_PORT)`);
    if (!(await isPortFree(config.LAUNCHDB_POSTGRES_PORT))) throw new StartupError(`port ${config.LAUNCHDB_POSTGRES_PORT} is already in use (LAUNCHDB_POSTGRES_PORT)`);
    const { folder, fresh } = await DataFolder.open(config.LAUNCHDB_DATA_DIR);

    const masterKey = config.LAUNCHDB_MASTER_KEY ?? (await folder.readSecret('master.key')) ?? (await this.#newMasterKey(folder, fresh));
    const jwtSecret = config.PLATFORM_JWT_SECRET ?? (await readOrCreate(folder, 'platform-jwt.secret', () => randomBytes(48).toString('base64url')));
    const internalKey = await readOrCreate(folder, 'postgrest-manager.key', () => randomBytes(32).toString('base64url'));
    const adminUrl = await this.#startPostgres(folder);
    const secrets = new SecretBox(parseMasterKey(masterKey));
    const { platformUrl, firstOperator } = await preparePlatform(adminUrl, secrets, config);
    const postgresPort = config.LAUNCHDB_POSTGRES_PORT;

    const { dataApiEntry, serviceBundles } = await this.#bundle(folder);
    const dashboardBuild = await ensureDashboardBuild({ log: (line) => this.#logger.info(line) });
    const publicUrl = config.LAUNCHDB_PUBLIC_URL ?? `http://${config.LAUNCHDB_HOST}:${config.LAUNCHDB_PORT}`;
    const ports = Object.fromEntries(await Promise.all(SPLIT_SERVICES.map(async (name) => [name, await findFreePort()] as const))) as Record<SplitServiceName, number>;
    const common = { LOG_LEVEL: config.LOG_LEVEL };
    const storageFiles = { STORAGE_FS_ROOT: config.STORAGE_FS_ROOT ?? folder.file('storage') };
    const env: Record<SplitServiceName, Record<string, string>> = {
      'postgrest-manager': {
        ...common,
        ...given(postgrestManagerSettings),
        DATA_API_ENTRY: dataApiEntry,
        DATA_API_IDLE_SECONDS: String(config.DATA_API_IDLE_SECONDS),
        PLATFORM_DATABASE_URL: platformUrl,
        LAUNCHDB_MASTER_KEY: masterKey,
        POSTGREST_MANAGER_INTERNAL_KEY: internalKey,
        POSTGREST_MANAGER_HOST: '127.0.0.1',
        POSTGREST_MANAGER_PORT: String(ports['postgrest-manager']),
        POSTGRES_HOST: '127.0.0.1',
        POSTGRES_PORT: String(postgresPort),
      },
      'platform-api': {
        ...common,
        ...given(platformApiSettings),
        LAUNCHDB_HOST: '127.0.0.1',
        LAUNCHDB_PORT: String(ports['platform-api']),
        LAUNCHDB_PUBLIC_URL: publicUrl,
        TRUST_PROXY: 'true',
        PLATFORM_DATABASE_URL: platformUrl,
        PLATFORM_JWT_SECRET: jwtSecret,
        POSTGRES_ADMIN_URL: adminUrl,
        LAUNCHDB_MASTER_KEY: masterKey,
        POSTGREST_MANAGER_URL: `http://127.0.0.1:${ports['postgrest-manager']}`,
        POSTGREST_MANAGER_INTERNAL_KEY: internalKey,
      },
      'auth-service': {
        ...common,
        ...given(authServiceEnvSchema.shape),
        DATABASE_URL: platformUrl,
        LAUNCHDB_MASTER_KEY: masterKey,
        POOLER_HOST: '127.0.0.1',
        POOLER_PORT: String(postgresPort),
        LAUNCHDB_PUBLIC_URL: publicUrl,
        AUTH_HOST: '127.0.0.1',
        AUTH_PORT: String(ports['auth-service']),
        TRUST_PROXY: 'true',
      },
      'storage-service': {
        ...common,
        ...given(storageBackendSettingsSchema.shape),
        ...given(storageServiceSettingsSchema.shape),
        ...storageFiles,
        STORAGE_UPLOADS_DIR: config.STORAGE_UPLOADS_DIR ?? folder.file('storage-uploads'),
        DATABASE_URL: platformUrl,
        LAUNCHDB_MASTER_KEY: masterKey,
        POOLER_HOST: '127.0.0.1',
        POOLER_PORT: String(postgresPort),
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
        LAUNCHDB_MASTER_KEY: masterKey,
        POSTGRES_HOST: '127.0.0.1',
        POSTGRES_PORT: String(postgresPort),
        POOLER_HOST: '127.0.0.1',
        POOLER_PORT: String(postgresPort),
        WORKER_HEALTH_HOST: '127.0.0.1',
        WORKER_HEALTH_PORT: String(ports.worker),
      },
      backup: {
        ...common,
        ...given(backupSettings),
        // the storage service's own settings: the backups hold its files, on disk or in S3
        ...given(storageBackendSettingsSchema.shape),
        ...storageFiles,
        DATABASE_URL: adminUrl,
        LAUNCHDB_DATA_DIR: folder.path,
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
    for (const name of SPLIT_SERVICES) {
      const entry = name === 'dashboard' ? [dashboardBuild ?? DASHBOARD_BUILD_FOLDER] : [...SERVICE_NODE_FLAGS, serviceBundles[name]!];
      const service = new ServiceProcess({
        name,
        command: process.execPath,
        args: entry,
        cwd: folder.file(join('services', name)),
        env: env[name],
        ...(name === 'backup' ? {} : { port: ports[name] }),
        logger: this.#logger.child({ component: name }),
      });
      this.#services.set(name, service);
      if (name !== 'backup') this.#addresses.set(name, `127.0.0.1:${ports[name]}`);
    }
    // postgrest-manager before platform-api (which calls it); the rest need only PostgreSQL
    await this.#services.get('postgrest-manager')!.start();
    await Promise.all(SPLIT_SERVICES.filter((name) => name !== 'postgrest-manager').map((name) => this.#services.get(name)!.start()));

    const caddy = new CaddyProcess({
      binary: caddyBinary,
      stateDir: folder.file('caddy'),
      siteAddress: `http://${config.LAUNCHDB_HOST}:${config.LAUNCHDB_PORT}`,
      adminAddress: `127.0.0.1:${await findFreePort()}`,
      upstreams: {
        platformApi: this.#addresses.get('platform-api')!,
        auth: this.#addresses.get('auth-service')!,
        storage: this.#addresses.get('storage-service')!,
        dashboard: this.#addresses.get('dashboard')!,
      },
      // a file Caddy writes and rolls itself: through a pipe, every request's line also cost the launcher's CPU
      accessLog: folder.file(join('caddy', 'access.log')),
      env: { GATEWAY_BODY_LIMIT_BYTES: String(config.GATEWAY_BODY_LIMIT_BYTES), AUTH_BODY_LIMIT_BYTES: String(config.AUTH_BODY_LIMIT_BYTES) },
      onLog: (line) => this.#logger.debug({ component: 'caddy' }, line),
      onUnexpectedExit: (code, signal) => this.#caddySupervisor?.exited(code, signal),
    });
    this.#caddy = caddy;
    this.#caddySupervisor = new ProcessSupervisor({ name: 'Caddy', logger: this.#logger.child({ component: 'caddy' }), restart: () => caddy.start() });
    await caddy.start();

    const services = Object.fromEntries(SPLIT_SERVICES.map((name) => [name, { pid: this.#services.get(name)!.pid, address: this.#addresses.get(name) }])) as SplitStartupReport['services'];
    return {
      url: `http://${config.LAUNCHDB_HOST}:${config.LAUNCHDB_PORT}`,
      dataFolder: folder.path,
      services: { ...services, caddy: { pid: caddy.pid, address: `${config.LAUNCHDB_HOST}:${config.LAUNCHDB_PORT}` } },
      firstOperator,
    };
  }

  /** Caddy first (no new requests), the services, PostgreSQL last; safe twice and after a failed start. */
  async stop(): Promise<void> {
    await this.#caddySupervisor?.stop();
    await this.#caddy?.stop();
    this.#caddy = undefined;
    const services = [...this.#services.values()];
    this.#services.clear();
    await Promise.all(services.map((service) => service.stop().catch((error: Error) => this.#logger.warn({ err: error }, `${service.name} did not stop cleanly`))));
    await this.#postgresSupervisor?.stop();
    await this.#cluster?.stop();
    this.#cluster = undefined;
  }

  killChildrenNow(): void {
    this.#caddy?.killNow();
    for (const service of this.#services.values()) service.killNow();
    this.#cluster?.killNow();
  }

  async #newMasterKey(folder: DataFolder, fresh: boolean): Promise<string> {
    if (!fresh && (await folder.exists('postgres'))) throw new StartupError(`${folder.file('master.key')} is missing; restore it or set LAUNCHDB_MASTER_KEY`);
    const key = generateMasterKey();
    await folder.writeSecret('master.key', key);
    return key;
  }

  /** The data API's bundle (unless DATA_API_ENTRY names one) and each Node service's (service-bundles.ts), built at every start. */
  async #bundle(folder: DataFolder): Promise<{ dataApiEntry: string; serviceBundles: Record<string, string> }> {
    const dataApiFolder = folder.file('data-api');
    const services = SPLIT_SERVICES.filter((name) => name !== 'dashboard');
    try {
      const [serviceBundles] = await Promise.all([
        bundleServices(folder.file('service-bundles'), Object.fromEntries(services.map((name) => [name, join(REPOSITORY, name, 'src', 'main.ts')]))),
        this.#config.DATA_API_ENTRY ? undefined : bundleDataApi(dataApiFolder),
      ]);
      return { dataApiEntry: this.#config.DATA_API_ENTRY ?? join(dataApiFolder, 'main.js'), serviceBundles };
    } finally {
      await stopBundler();
    }
  }

  async #startPostgres(folder: DataFolder): Promise<string> {
    const password = await readOrCreate(folder, 'postgres.password', () => randomBytes(24).toString('base64url'));
    const cluster = new PostgresCluster({
      dataDir: folder.file('postgres'),
      port: this.#config.LAUNCHDB_POSTGRES_PORT,
      superuser: EMBEDDED_SUPERUSER,
      superuserPassword: password,
      runAs: serviceUser(),
      onLog: (line) => this.#logger.debug({ component: 'postgres' }, line),
      onUnexpectedExit: (code, signal) => this.#postgresSupervisor?.exited(code, signal),
    });
    this.#postgresSupervisor = new ProcessSupervisor({ name: 'PostgreSQL', logger: this.#logger.child({ component: 'postgres' }), restart: () => cluster.start() });
    if (!(await cluster.isInitialised())) await cluster.initialise();
    this.#cluster = cluster;
    await cluster.start();
    await preparePlatformCluster(cluster.connectionString('postgres'), PLATFORM_DATABASE);
    return cluster.connectionString(PLATFORM_DATABASE);
  }
}

/** The variables of a settings schema that are set in our environment: each service gets its own. */
function given(shape: Record<string, unknown>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of Object.keys(shape)) {
    const value = process.env[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

async function readOrCreate(folder: DataFolder, name: string, create: () => string): Promise<string> {
  const stored = await folder.readSecret(name);
  if (stored) return stored;
  const value = create();
  await folder.writeSecret(name, value);
  return value;
}
