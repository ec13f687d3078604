import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  createLogger,
  createPool,
  generateMasterKey,
  isPortFree,
  ProjectDirectory,
  parseMasterKey,
  quoteIdent,
  SecretBox,
  serviceUser,
  StartupError,
  withClient,
  withDatabase,
  type Logger,
  type Pool,
} from '@launchdb/common';
import { bundleDataApi, stopBundler } from '@launchdb/data-api/build';
import {
  buildPlatformApi,
  createProjectServices,
  DirectProjectPooler,
  gatewaySettingsOf,
  registerGateway,
  type DependencyCheck,
  type Gateway,
  type PlatformApi,
} from '@launchdb/platform-api';
import { registerHttpMetrics } from '@launchdb/common/http-metrics';
import { createMetricsRegistry } from '@launchdb/common/metrics';
import { findPgBouncerBinary, PgBouncerProcess, PgBouncerProjectPooler, platformPoolSettings, readScramSecrets, registerPgBouncerMetrics, type PgBouncerProcessSettings } from '@launchdb/pgbouncer';
import { buildPostgrestManager, driverChoiceFromSettings, PostgrestManagerClient, type PostgrestManager } from '@launchdb/postgrest-manager';
import { authServiceSettingsOf, registerAuthService, type AuthService } from '@launchdb/auth-service';
import { createStorageBackend, PlatformS3Credentials, registerStorageService, type StorageBackend, type StorageService } from '@launchdb/storage-service';
import { ensureDashboardBuild, registerDashboard } from '@launchdb/dashboard/server';
import { createPlatformBackups, type BackupService } from '@launchdb/backup';
import { registerBackupMetrics } from '@launchdb/backup/metrics';
import { CaptureWorker, registerWorkerMetrics, requestProjectId, workerSettingsSchema } from '@launchdb/worker';
import type { LaunchdbConfig } from './config.ts';
import { DataFolder } from './data-folder.ts';
import { PostgresCluster } from './embedded/postgres-cluster.ts';
import { ProcessSupervisor } from './embedded/process-supervisor.ts';
import { EMBEDDED_SUPERUSER, PLATFORM_DATABASE } from './local-platform.ts';
import { preparePlatform, preparePlatformCluster } from './platform-setup.ts';


/** How long a stop waits for answers in flight before closing their connections. */
const SHUTDOWN_GRACE_MS = 2_000;

export interface StartupReport {
  url: string;
  dataFolder: string;
  postgres: string;
  pgbouncer: string;
  dataApis: string;
  auth: string;
  storage: string;
  firstOperator: { email: string; generatedPassword: string | undefined } | undefined;
  appliedMigrations: string[];
  /** When and where backups are made, and what the operator must read (a generated key to move). */
  backups: string;
  backupNotices: string[];
  /** Prometheus' address for every part's metrics: postgrest-manager's internal port, never LAUNCHDB_PORT. */
  metrics: string;
}

/**
 * Everything `launchdb up` runs, started in dependency order and stopped in reverse:
 * PostgreSQL (embedded unless DATABASE_URL), PgBouncer (when installed), platform-api.
 */
export class EmbeddedPlatform {
  readonly #config: LaunchdbConfig;
  readonly #logger: Logger;
  #cluster: PostgresCluster | undefined;
  #pgbouncer: PgBouncerProcess | undefined;
  #pools: Pool[] = [];
  #api: PlatformApi | undefined;
  #manager: PostgrestManager | undefined;
  #projectDirectory: ProjectDirectory | undefined;
  #storageBackend: StorageBackend | undefined;
  #backups: BackupService | undefined;
  #worker: CaptureWorker | undefined;
  #stopped = false;
  #postgresSupervisor: ProcessSupervisor | undefined;
  #pgbouncerSupervisor: ProcessSupervisor | undefined;

  constructor(config: LaunchdbConfig, logger?: Logger) {
    this.#config = config;
    this.#logger = logger ?? createLogger({ level: config.LOG_LEVEL, name: 'launchdb' });
  }

  async start(): Promise<StartupReport> {
    try {
      return await this.#start();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async #start(): Promise<StartupReport> {
    const config = this.#config;
    const { folder, fresh } = await DataFolder.open(config.LAUNCHDB_DATA_DIR);
    const embedded = config.DATABASE_URL === undefined;
    const pgbouncerBinary = config.LAUNCHDB_PGBOUNCER === 'auto' ? findPgBouncerBinary() : undefined;

    // Every port is checked before anything starts, so a clash is reported as itself.
    await assertPortFree(config.LAUNCHDB_PORT, config.LAUNCHDB_HOST, 'LAUNCHDB_PORT');
    if (embedded) await assertPortFree(config.LAUNCHDB_POSTGRES_PORT, '127.0.0.1', 'LAUNCHDB_POSTGRES_PORT');
    if (pgbouncerBinary) await assertPortFree(config.LAUNCHDB_PGBOUNCER_PORT, '127.0.0.1', 'LAUNCHDB_PGBOUNCER_PORT');

    const masterKey = parseMasterKey(await this.#masterKey(folder, fresh));
    const secrets = new SecretBox(masterKey);
    const jwtSecret = config.PLATFORM_JWT_SECRET ?? (await readOrCreate(folder, 'platform-jwt.secret', () => randomBytes(48).toString('base64url')));

    const adminUrl = embedded ? await this.#startEmbeddedPostgres(folder) : await this.#checkExternalServer(config.DATABASE_URL!);
    const server = new URL(adminUrl);
    const platformDatabase = decodeURIComponent(server.pathname.slice(1));

    const prepared = await preparePlatform(adminUrl, secrets, config);
    const { appliedMigrations: applied, role, rolePassword, platformUrl: directUrl } = prepared;

    const postgresAddress = { host: server.hostname, port: Number(server.port || 5432) };
    let serviceUrl = directUrl;
    let pgbouncerLine: string;
    let pgbouncerBase: { settings: PgBouncerProcessSettings; users: Awaited<ReturnType<typeof readScramSecrets>> } | undefined;
    if (pgbouncerBinary) {
      const users = await withClient(adminUrl, (admin) => readScramSecrets(admin, [role]));
      const configDir = folder.file('pgbouncer');
      const settings = platformPoolSettings({ listenAddress: '127.0.0.1', listenPort: config.LAUNCHDB_PGBOUNCER_PORT, platformDatabase, postgres: postgresAddress, platformRole: role });
      pgbouncerBase = { settings, users };
      this.#pgbouncer = new PgBouncerProcess({
        binary: pgbouncerBinary,
        configDir,
        runAs: serviceUser(),
        settings,
        users,
        admin: { user: role, password: rolePassword },
        onLog: (line) => this.#logger.debug({ component: 'pgbouncer' }, line),
        onUnexpectedExit: (code, signal) => this.#pgbouncerSupervisor?.exited(code, signal),
      });
      const pgbouncer = this.#pgbouncer;
      // services reconnect through it by themselves once it listens again
      this.#pgbouncerSupervisor = new ProcessSupervisor({ name: 'PgBouncer', logger: this.#logger.child({ component: 'pgbouncer' }), restart: () => pgbouncer.start() });
      await this.#pgbouncer.writeConfig();
      await this.#pgbouncer.start();
      serviceUrl = roleUrl('127.0.0.1', config.LAUNCHDB_PGBOUNCER_PORT, platformDatabase, role, rolePassword);
      pgbouncerLine = `127.0.0.1:${config.LAUNCHDB_PGBOUNCER_PORT}, transaction pooling`;
    } else {
      pgbouncerLine =
        config.LAUNCHDB_PGBOUNCER === 'off'
          ? 'off (LAUNCHDB_PGBOUNCER=off): services connect to PostgreSQL directly'
          : 'not installed: services connect to PostgreSQL directly';
    }

    const db = this.#pool(serviceUrl, 'platform-api', 10);
    const healthChecks: DependencyCheck[] = [{ name: 'database', check: pingCheck(this.#pool(directUrl, 'platform-health', 1)), ...supervised(this.#postgresSupervisor) }];
    if (this.#pgbouncer) healthChecks.push({ name: 'pgbouncer', check: pingCheck(this.#pool(serviceUrl, 'platform-health', 1)), ...supervised(this.#pgbouncerSupervisor) });

    // Projects: each one's PgBouncer entry, its data API (postgrest-manager), and the gateway to it.
    const pooler = this.#pgbouncer && pgbouncerBase
      ? new PgBouncerProjectPooler({ pgbouncer: this.#pgbouncer, base: pgbouncerBase, postgres: postgresAddress, adminUrl })
      : new DirectProjectPooler(postgresAddress);
    if (pooler instanceof PgBouncerProjectPooler) {
      const { rows } = await db.query<{ id: string }>(`select id from platform.projects where status in ('active', 'provisioning')`);
      await pooler.syncProjects(rows.map((row) => row.id));
    }
    const dataApiEntry = config.DATA_API_ENTRY ?? (await this.#buildDataApi(folder));
    const internalKey = await readOrCreate(folder, 'postgrest-manager.key', () => randomBytes(32).toString('base64url'));
    const driver = driverChoiceFromSettings({ ...config, DATA_API_ENTRY: dataApiEntry }, { stateDir: folder.file('data-apis') });
    // One registry for the one process: each part adds its metrics as it does alone, and
    // postgrest-manager's internal port (127.0.0.1) serves them all; the public port never does.
    const metrics = createMetricsRegistry('launchdb');
    const pgbouncer = this.#pgbouncer;
    if (pgbouncer) registerPgBouncerMetrics(metrics, { login: () => pgbouncer.adminLogin });
    this.#manager = await buildPostgrestManager({
      metrics,
      db: this.#pool(serviceUrl, 'postgrest-manager', 4),
      secrets,
      logger: this.#logger.child({ component: 'postgrest-manager' }),
      internalKey,
      postgres: postgresAddress,
      pooler: pooler.address,
      driver,
      idleSeconds: config.DATA_API_IDLE_SECONDS,
      dataApiPoolSize: config.DATA_API_POOL_SIZE,
      dataApiLogLevel: config.DATA_API_LOG_LEVEL,
    });
    await this.#manager.start();
    let managerUrl: string;
    try {
      managerUrl = await this.#manager.listen({ host: '127.0.0.1', port: config.LAUNCHDB_MANAGER_PORT });
    } catch (error) {
      throw new StartupError(`postgrest-manager cannot listen on 127.0.0.1:${config.LAUNCHDB_MANAGER_PORT} (LAUNCHDB_MANAGER_PORT): ${(error as Error).message}`);
    }
    const dataApis = new PostgrestManagerClient({ baseUrl: managerUrl, internalKey });
    // what the auth and storage services know of each project (keys, JWT secret, a pool as its authenticator)
    const projectDirectory = new ProjectDirectory({ platformDb: db, secrets, pooler: pooler.address, applicationName: 'launchdb-services' });
    this.#projectDirectory = projectDirectory;
    const storageBackend = createStorageBackend(config, { fsRoot: folder.file('storage') });
    this.#storageBackend = storageBackend;
    let gateway: Gateway | undefined;
    let storage: StorageService | undefined;
    let auth: AuthService | undefined;
    const projects = createProjectServices({
      db,
      adminUrl,
      secrets,
      pooler,
      dataApis,
      logger: this.#logger.child({ component: 'projects' }),
      // the gateway and the services must stop accepting a rotated or deleted project's keys at once
      onKeysRotated: (projectId) => {
        gateway?.forget(projectId);
        projectDirectory.forget(projectId);
        auth?.forget(projectId);
      },
      onAuthSettingsChanged: (projectId) => auth?.forget(projectId),
      files: { deleteProject: (projectId) => storage?.deleteProject(projectId) ?? storageBackend.deleteProject(projectId) },
    });
    const publicUrl = config.LAUNCHDB_PUBLIC_URL ?? `http://${config.LAUNCHDB_HOST}:${config.LAUNCHDB_PORT}`;

    const backups = await createPlatformBackups({
      settings: config,
      dataFolder: folder.path,
      adminUrl,
      storage: storageBackend,
      masterKey,
      logger: this.#logger.child({ component: 'backup' }),
      projects: {
        create: async (input) => void (await projects.provisioner.create({ id: input.id, name: input.name, template: input.template ?? undefined })),
        provision: async (id) => void (await projects.provisioner.resume(id)),
        stopDataApi: (id) => dataApis.stop(id),
        // the database was swapped under every cache and pool: each forgets it, the data API reloads its schema
        restored: async (id) => {
          await pooler.addProject(id);
          // a dump from an older LaunchDB lacks newer template files, and the boot's upgrade
          // trusts the fingerprint recorded before the restore: bring it up to date now
          await projects.provisioner
            .upgradeTemplatesOf(id)
            .catch((error: Error) => this.#logger.error({ projectId: id, err: error }, 'upgrading the templates of a restored project failed'));
          gateway?.forget(id);
          projectDirectory.forget(id);
          auth?.forget(id);
          await dataApis.reload(id);
        },
      },
    });
    this.#backups = backups.service;
    registerBackupMetrics(metrics, backups.service);

    // the worker in-process (WORKER_* settings from the environment or .env); each request tells it its project is active
    const worker = new CaptureWorker({
      platformDb: this.#pool(serviceUrl, 'launchdb-worker', 2),
      secrets,
      postgres: postgresAddress,
      pooler: pooler.address,
      backend: storageBackend,
      settings: workerSettingsSchema.parse(config),
      defaultSmtp: authServiceSettingsOf(config).smtp,
      logger: this.#logger.child({ component: 'worker' }),
    });
    this.#worker = worker;
    registerWorkerMetrics(metrics, worker);

    this.#api = await buildPlatformApi({
      db,
      logger: this.#logger.child({ component: 'platform-api' }),
      jwtSecret,
      tokenLifetimeSeconds: config.PLATFORM_TOKEN_TTL_SECONDS,
      loginAttemptsPerMinute: config.LOGIN_ATTEMPTS_PER_MINUTE,
      trustProxy: config.TRUST_PROXY,
      healthChecks,
      projects: { ...projects, publicUrl, dataApis, worker },
      backups: backups.service,
    });
    gateway = await registerGateway(this.#api, { db, secrets, locator: dataApis, options: gatewaySettingsOf(config) });
    registerHttpMetrics(this.#api, { service: 'launchdb', registry: metrics, serve: false });
    const authSettings = authServiceSettingsOf(config);
    auth = await registerAuthService(this.#api, {
      projects: projectDirectory,
      platformDb: db,
      secrets,
      publicUrl,
      settings: authSettings,
      logger: this.#logger,
    });
    storage = await registerStorageService(this.#api, {
      projects: projectDirectory,
      backend: storageBackend,
      s3Credentials: new PlatformS3Credentials({ platformDb: db, secrets }),
      settings: { ...config, STORAGE_UPLOADS_DIR: config.STORAGE_UPLOADS_DIR ?? folder.file('storage-uploads') },
      logger: this.#logger.child({ component: 'storage' }),
    });
    this.#api.addHook('onRequest', async (request) => {
      const projectId = requestProjectId(request.url);
      if (projectId) worker.projectActive(projectId);
    });
    await registerDashboard(this.#api, await ensureDashboardBuild({ log: (line) => this.#logger.info(line) }));
    try {
      await this.#api.listen({ host: config.LAUNCHDB_HOST, port: config.LAUNCHDB_PORT });
    } catch (error) {
      throw new StartupError(`cannot listen on ${config.LAUNCHDB_HOST}:${config.LAUNCHDB_PORT} (LAUNCHDB_PORT): ${(error as Error).message}`);
    }
    await worker.start();
    // provisionings and deletions a crash interrupted go on in the background, then projects made
    // by an older LaunchDB get the base and app templates' newer files (auth, storage, Haven's households)
    void projects.provisioner
      .resumeInterrupted()
      .then(() => projects.provisioner.upgradeTemplates())
      .catch((error: Error) => this.#logger.error({ err: error }, 'resuming interrupted provisioning failed'));

    return {
      url: `http://${config.LAUNCHDB_HOST}:${config.LAUNCHDB_PORT}`,
      dataFolder: folder.path,
      postgres: embedded ? `embedded PostgreSQL 15 on 127.0.0.1:${config.LAUNCHDB_POSTGRES_PORT}` : `${server.hostname}:${server.port || 5432} (DATABASE_URL)`,
      pgbouncer: pgbouncerLine,
      dataApis:
        config.DATA_API_DRIVER === 'docker'
          ? `containers (${config.DATA_API_IMAGE})`
          : `child processes; idle ones stop after ${config.DATA_API_IDLE_SECONDS === 0 ? 'never' : `${config.DATA_API_IDLE_SECONDS} s`}`,
      auth: authSettings.smtp
        ? `mails through ${authSettings.smtp.host}:${authSettings.smtp.port}`
        : `no SMTP: sign-ups ${authSettings.mailerAutoconfirm === false ? 'wait for a mail that is not sent' : 'are confirmed at once'}, mails are ${authSettings.logMailLinks ? 'logged with their links' : 'not sent'}`,
      storage:
        config.STORAGE_BACKEND === 's3'
          ? `S3 bucket ${config.STORAGE_S3_BUCKET}${config.STORAGE_S3_ENDPOINT ? ` at ${config.STORAGE_S3_ENDPOINT}` : ''}`
          : `files under ${config.STORAGE_FS_ROOT ?? folder.file('storage')}`,
      firstOperator: prepared.firstOperator,
      appliedMigrations: applied,
      backups: backups.summary,
      backupNotices: backups.notices,
      metrics: `${managerUrl}/metrics${config.LAUNCHDB_MANAGER_PORT === 0 ? ' (a new port each start: set LAUNCHDB_MANAGER_PORT for Prometheus)' : ''}`,
    };
  }

  /** The backup service (runs, verifies, restores); `launchdb up` starts its nightly schedule. */
  get backups(): BackupService | undefined {
    return this.#backups;
  }

  /** Reverse order of start; safe to call at any point of a failed start, and twice. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const backups = this.#backups;
    this.#backups = undefined;
    await backups?.stop();
    // nothing is restarted from here on; a restart under way is waited for before its process is stopped
    const postgresSupervision = this.#postgresSupervisor?.stop();
    const pgbouncerSupervision = this.#pgbouncerSupervisor?.stop();
    const api = this.#api;
    this.#api = undefined;
    if (api) {
      const closing = api.close();
      // answers in flight get a moment to finish; a keep-alive connection that turned idle after
      // close() began would otherwise hold the stop for Fastify's 72 s keep-alive
      const grace = setTimeout(() => api.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closing.catch((error: Error) => this.#logger.warn({ err: error }, 'platform-api did not close cleanly'));
      clearTimeout(grace);
    }
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.stop().catch((error: Error) => this.#logger.warn({ err: error }, 'the worker did not stop cleanly'));
    const manager = this.#manager;
    this.#manager = undefined;
    await manager?.close().catch((error: Error) => this.#logger.warn({ err: error }, 'postgrest-manager did not stop cleanly'));
    const directory = this.#projectDirectory;
    this.#projectDirectory = undefined;
    await directory?.close();
    const backend = this.#storageBackend;
    this.#storageBackend = undefined;
    await backend?.close().catch(() => undefined);
    const pools = this.#pools;
    this.#pools = [];
    await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
    const pgbouncer = this.#pgbouncer;
    this.#pgbouncer = undefined;
    await pgbouncerSupervision;
    await pgbouncer?.stop();
    const cluster = this.#cluster;
    this.#cluster = undefined;
    await postgresSupervision;
    await cluster?.stop();
  }

  /** For `process.on('exit')`: whatever happens to us, our child processes end with us. */
  killChildrenNow(): void {
    this.#manager?.killAllNow();
    this.#pgbouncer?.killNow();
    this.#cluster?.killNow();
  }

  /**
   * The data API bundle postgrest-manager runs, rebuilt from the sources at each start (well under
   * a second), so it always matches this checkout.
   */
  async #buildDataApi(folder: DataFolder): Promise<string> {
    const outDir = folder.file('data-api');
    try {
      await bundleDataApi(outDir);
    } catch (error) {
      throw new StartupError(`cannot build the data API into ${outDir}: ${(error as Error).message}`);
    } finally {
      await stopBundler();
    }
    return join(outDir, 'main.js');
  }

  #pool(connectionString: string, applicationName: string, max: number): Pool {
    const pool = createPool({ connectionString, applicationName, max });
    this.#pools.push(pool);
    return pool;
  }

  async #masterKey(folder: DataFolder, fresh: boolean): Promise<string> {
    if (this.#config.LAUNCHDB_MASTER_KEY) return this.#config.LAUNCHDB_MASTER_KEY;
    const stored = await folder.readSecret('master.key');
    if (stored) return stored;
    if (!fresh && (await folder.exists('postgres'))) {
      // A new key would leave every stored secret undecryptable: refuse rather than overwrite.
      throw new StartupError(`${folder.file('master.key')} is missing; restore it or set LAUNCHDB_MASTER_KEY to the key this platform was created with`);
    }
    const key = generateMasterKey();
    await folder.writeSecret('master.key', key);
    return key;
  }

  async #startEmbeddedPostgres(folder: DataFolder): Promise<string> {
    const password = await readOrCreate(folder, 'postgres.password', () => randomBytes(24).toString('base64url'));
    const cluster = new PostgresCluster({
      dataDir: folder.file('postgres'),
      port: this.#config.LAUNCHDB_POSTGRES_PORT,
      superuser: EMBEDDED_SUPERUSER,
      superuserPassword: password,
      runAs: serviceUser(),
      onLog: (line) => {
        // while we stop, PostgreSQL ending the sessions still open is what we asked for
        const expected = this.#stopped && line.includes('terminating connection due to administrator command');
        if (!expected && /ERROR|FATAL|PANIC|WARNING/.test(line)) this.#logger.warn({ component: 'postgres' }, line);
        else this.#logger.debug({ component: 'postgres' }, line);
      },
      onUnexpectedExit: (code, signal) => this.#postgresSupervisor?.exited(code, signal),
    });
    // While it is down, PgBouncer refuses clients rather than queueing them, so every request
    // answers 503 at once; starting it again replays its WAL, so nothing acknowledged is lost.
    this.#postgresSupervisor = new ProcessSupervisor({
      name: 'PostgreSQL',
      logger: this.#logger.child({ component: 'postgres' }),
      restart: () => cluster.start(),
      onDown: async () => this.#pgbouncer?.refuseClients(),
      onUp: async () => this.#pgbouncer?.admitClients(),
    });
    if (!(await cluster.isInitialised())) await cluster.initialise();
    this.#cluster = cluster;
    await cluster.start();
    await preparePlatformCluster(cluster.connectionString('postgres'), PLATFORM_DATABASE);
    return cluster.connectionString(PLATFORM_DATABASE);
  }

  async #checkExternalServer(url: string): Promise<string> {
    try {
      await withClient(url, (client) => client.query('select 1'));
    } catch (error) {
      const target = new URL(url);
      throw new StartupError(`cannot connect to DATABASE_URL (${target.hostname}:${target.port || 5432}): ${(error as Error).message}`);
    }
    return url;
  }
}

async function assertPortFree(port: number, host: string, variable: string): Promise<void> {
  if (!(await isPortFree(port, host))) throw new StartupError(`port ${port} on ${host} is already in use (${variable}); stop what uses it or choose another port`);
}

async function readOrCreate(folder: DataFolder, name: string, create: () => string): Promise<string> {
  const stored = await folder.readSecret(name);
  if (stored) return stored;
  const value = create();
  await folder.writeSecret(name, value);
  return value;
}

function roleUrl(host: string, port: number, database: string, role: string, password: string): string {
  return withDatabase(`postgres://${encodeURIComponent(role)}:${encodeURIComponent(password)}@${host}:${port}/`, database);
}

function supervised(supervisor: ProcessSupervisor | undefined): Pick<DependencyCheck, 'process'> {
  return supervisor ? { process: () => supervisor.status } : {};
}

function pingCheck(pool: Pool): () => Promise<void> {
  return async () => {
    await pool.query('select 1');
  };
}
