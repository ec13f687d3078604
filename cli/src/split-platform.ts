import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '@launchdb/common/logger';
import { findFreePort, isPortFree } from '@launchdb/common/net';
import { generateMasterKey } from '@launchdb/common/secrets';
import { serviceUser, type RunAs } from '@launchdb/common/service-user';
import { StartupError } from '@launchdb/common/errors';
import type { Logger } from '@launchdb/common/logger';
import { bundleDataApi, stopBundler } from '@launchdb/data-api/build';
import { findPgBouncerBinary } from '@launchdb/pgbouncer/locate';
import { PgBouncerChild } from '@launchdb/pgbouncer/pgbouncer-child';
import { PLATFORM_ROLE } from '@launchdb/platform-api/setup/platform-database';
import { DASHBOARD_BUILD_FOLDER, ensureDashboardBuild } from '@launchdb/dashboard/server/dashboard-build';
import type { LaunchdbConfig } from './config.ts';
import { DataFolder } from './data-folder.ts';
import { CaddyProcess, findCaddyBinary } from './embedded/caddy-process.ts';
import { PostgresCluster } from './embedded/postgres-cluster.ts';
import { ProcessSupervisor } from './embedded/process-supervisor.ts';
import { bundleServices, SERVICE_ENTRIES, SERVICE_NODE_FLAGS } from './embedded/service-bundles.ts';
import { ServiceProcess } from './embedded/service-process.ts';
import { EMBEDDED_SUPERUSER, PLATFORM_DATABASE } from './local-platform.ts';
import { SPLIT_SERVICES, splitEnvironments, type SplitServiceName, type SplitWiring } from './split-environment.ts';

export { SPLIT_SERVICES, type SplitServiceName } from './split-environment.ts';

export interface SplitStartupReport {
  url: string;
  dataFolder: string;
  /** Each service's pid and internal address. */
  services: Record<SplitServiceName | 'pgbouncer' | 'caddy', { pid: number | undefined; address: string | undefined }>;
  firstOperator: { email: string; generatedPassword: string | undefined } | undefined;
}

/**
 * `launchdb up --split`: docker-compose.yml without Docker. PostgreSQL; platform-migrate, run once
 * to its end; PgBouncer on the files it wrote (compose's pgbouncer-config volume is
 * `<data>/pgbouncer-config`, which platform-api keeps current and RELOADs); each service as its
 * own OS process given only the variables its container gets (split-environment.ts), so the
 * services reach the platform and project databases through PgBouncer, and real Caddy
 * (caddy/Caddyfile.local) in front on LAUNCHDB_PORT, so clients use the same URLs as without
 * --split. A process that dies is started again (ProcessSupervisor), as a restart policy would.
 */
export class SplitPlatform {
  readonly #config: LaunchdbConfig;
  readonly #logger: Logger;
  readonly #services = new Map<SplitServiceName, ServiceProcess>();
  readonly #addresses = new Map<SplitServiceName, string>();
  #cluster: PostgresCluster | undefined;
  #postgresSupervisor: ProcessSupervisor | undefined;
  #pgbouncer: PgBouncerChild | undefined;
  #pgbouncerSupervisor: ProcessSupervisor | undefined;
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

  /** PgBouncer's process and its supervisor (for tests that kill it). */
  get pgbouncer(): { pid: number | undefined; supervisor: ProcessSupervisor } {
    return { pid: this.#pgbouncer?.pid, supervisor: this.#pgbouncerSupervisor! };
  }

  async #start(): Promise<SplitStartupReport> {
    const config = this.#config;
    const caddyBinary = findCaddyBinary();
    if (!caddyBinary) throw new StartupError('--split needs Caddy in front of the services: install it (apt-get install caddy)');
    if (config.LAUNCHDB_PGBOUNCER === 'off') throw new StartupError('--split runs PgBouncer between the services and PostgreSQL, as docker compose does: unset LAUNCHDB_PGBOUNCER=off');
    const pgbouncerBinary = findPgBouncerBinary();
    if (!pgbouncerBinary) throw new StartupError('--split runs PgBouncer between the services and PostgreSQL, as docker compose does: install it (apt-get install pgbouncer)');
    if (config.DATABASE_URL) throw new StartupError('--split runs its own PostgreSQL: unset DATABASE_URL');
    if (!(await isPortFree(config.LAUNCHDB_PORT, config.LAUNCHDB_HOST))) throw new StartupError(`port ${config.LAUNCHDB_PORT} on ${config.LAUNCHDB_HOST} is already in use (LAUNCHDB_PORT)`);
    if (!(await isPortFree(config.LAUNCHDB_POSTGRES_PORT))) throw new StartupError(`port ${config.LAUNCHDB_POSTGRES_PORT} is already in use (LAUNCHDB_POSTGRES_PORT)`);
    if (!(await isPortFree(config.LAUNCHDB_PGBOUNCER_PORT))) throw new StartupError(`port ${config.LAUNCHDB_PGBOUNCER_PORT} is already in use (LAUNCHDB_PGBOUNCER_PORT)`);
    const runAs = serviceUser();
    const { folder, fresh } = await DataFolder.open(config.LAUNCHDB_DATA_DIR);

    const masterKey = config.LAUNCHDB_MASTER_KEY ?? (await folder.readSecret('master.key')) ?? (await this.#newMasterKey(folder, fresh));
    const jwtSecret = config.PLATFORM_JWT_SECRET ?? (await readOrCreate(folder, 'platform-jwt.secret', () => randomBytes(48).toString('base64url')));
    const internalKey = await readOrCreate(folder, 'postgrest-manager.key', () => randomBytes(32).toString('base64url'));
    const postgres = await this.#startPostgres(folder);
    const platformRole = { user: PLATFORM_ROLE, password: config.PLATFORM_DB_PASSWORD ?? (await readOrCreate(folder, 'platform-db.password', () => randomBytes(24).toString('base64url'))) };
    const pgbouncerConfigDir = await ownFolder(folder.file('pgbouncer-config'), runAs);

    const { dataApiEntry, serviceBundles } = await this.#bundle(folder);
    const dashboardBuild = await ensureDashboardBuild({ log: (line) => this.#logger.info(line) });
    const ports = Object.fromEntries(await Promise.all(SPLIT_SERVICES.map(async (name) => [name, await findFreePort()] as const))) as SplitWiring['ports'];
    const env = splitEnvironments({
      config,
      postgres: { host: '127.0.0.1', port: postgres.port },
      pgbouncer: { host: '127.0.0.1', port: config.LAUNCHDB_PGBOUNCER_PORT },
      platformDatabase: PLATFORM_DATABASE,
      superuser: postgres.superuser,
      platformRole,
      masterKey,
      jwtSecret,
      internalKey,
      publicUrl: config.LAUNCHDB_PUBLIC_URL ?? `http://${config.LAUNCHDB_HOST}:${config.LAUNCHDB_PORT}`,
      pgbouncerConfigDir,
      platformSecretsDir: folder.path,
      dataFolder: folder.path,
      ports,
      dataApiEntry,
      storageRoot: folder.file('storage'),
      uploadsDir: folder.file('storage-uploads'),
    });

    // compose's one-shot platform-migrate: every service waits for it, PgBouncer starts on the files it wrote
    const firstOperator = await this.#migratePlatform(serviceBundles['platform-migrate']!, folder, env['platform-migrate']);
    await this.#startPgBouncer(pgbouncerBinary, pgbouncerConfigDir, runAs);

    for (const name of SPLIT_SERVICES) {
      const entry = name === 'dashboard' ? [dashboardBuild ?? DASHBOARD_BUILD_FOLDER] : [...SERVICE_NODE_FLAGS, serviceBundles[name]!];
      const service = new ServiceProcess({
        name,
        command: process.execPath,
        args: entry,
        cwd: folder.file(join('services', name)),
        env: env[name],
        port: ports[name],
        logger: this.#logger.child({ component: name }),
      });
      this.#services.set(name, service);
      this.#addresses.set(name, `127.0.0.1:${ports[name]}`);
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
      services: {
        ...services,
        pgbouncer: { pid: this.#pgbouncer?.pid, address: `127.0.0.1:${config.LAUNCHDB_PGBOUNCER_PORT}` },
        caddy: { pid: caddy.pid, address: `${config.LAUNCHDB_HOST}:${config.LAUNCHDB_PORT}` },
      },
      firstOperator,
    };
  }

  /** Caddy first (no new requests), the services, PgBouncer, PostgreSQL last; safe twice and after a failed start. */
  async stop(): Promise<void> {
    await this.#caddySupervisor?.stop();
    await this.#caddy?.stop();
    this.#caddy = undefined;
    const services = [...this.#services.values()];
    this.#services.clear();
    await Promise.all(services.map((service) => service.stop().catch((error: Error) => this.#logger.warn({ err: error }, `${service.name} did not stop cleanly`))));
    await this.#pgbouncerSupervisor?.stop();
    await this.#pgbouncer?.stop();
    this.#pgbouncer = undefined;
    await this.#postgresSupervisor?.stop();
    await this.#cluster?.stop();
    this.#cluster = undefined;
  }

  killChildrenNow(): void {
    this.#caddy?.killNow();
    for (const service of this.#services.values()) service.killNow();
    this.#pgbouncer?.killNow();
    this.#cluster?.killNow();
  }

  async #newMasterKey(folder: DataFolder, fresh: boolean): Promise<string> {
    if (!fresh && (await folder.exists('postgres'))) throw new StartupError(`${folder.file('master.key')} is missing; restore it or set LAUNCHDB_MASTER_KEY`);
    const key = generateMasterKey();
    await folder.writeSecret('master.key', key);
    return key;
  }

  /**
   * compose's platform-migrate container: `launchdb migrate-platform` with that container's
   * variables, run to its end. Its generated first-operator password, written to a 0600 file
   * because its output is a pipe, is handed to `launchdb up`'s banner as before (which writes
   * it back unless our own output is a terminal).
   */
  async #migratePlatform(bundle: string, folder: DataFolder, env: Record<string, string>): Promise<SplitStartupReport['firstOperator']> {
    const logger = this.#logger.child({ component: 'platform-migrate' });
    const cwd = folder.file(join('services', 'platform-migrate'));
    await mkdir(cwd, { recursive: true });
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, bundle], { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    if (code !== 0) throw new StartupError(`platform-migrate failed (${signal ?? `exit code ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no output'}`);
    // its lines, the password's file name included, never the password (firstOperatorLines)
    for (const line of stdout.split('\n')) if (line.trim()) logger.info(line.trim());
    const email = /^ {2}operator +(\S+)$/m.exec(stdout)?.[1];
    if (!email) return undefined;
    const passwordFile = /^ {2}password +in (\S+)/m.exec(stdout)?.[1];
    if (!passwordFile) return { email, generatedPassword: undefined };
    const generatedPassword = (await readFile(passwordFile, 'utf8')).trim();
    await rm(passwordFile, { force: true });
    return { email, generatedPassword };
  }

  /**
   * compose's pgbouncer container: Debian's PgBouncer in the foreground on the ini that
   * platform-migrate wrote and platform-api rewrites, as PostgreSQL's user when we are root
   * (the files are given to it: SharedFolderPgBouncer). Restarted when it dies; the services'
   * pools reconnect by themselves.
   */
  async #startPgBouncer(binary: string, configDir: string, runAs: RunAs | undefined): Promise<void> {
    const logger = this.#logger.child({ component: 'pgbouncer' });
    const pgbouncer = new PgBouncerChild({
      binary,
      iniPath: join(configDir, 'pgbouncer.ini'),
      listenAddress: '127.0.0.1',
      listenPort: this.#config.LAUNCHDB_PGBOUNCER_PORT,
      runAs,
      onLog: (line) => logger.debug(line),
      onUnexpectedExit: (code, signal) => this.#pgbouncerSupervisor?.exited(code, signal),
    });
    this.#pgbouncer = pgbouncer;
    this.#pgbouncerSupervisor = new ProcessSupervisor({ name: 'PgBouncer', logger, restart: () => pgbouncer.start() });
    await pgbouncer.start();
  }

  /**
   * The data API's bundle (unless DATA_API_ENTRY names one) and each Node service's
   * (service-bundles.ts), platform-migrate's too (the CLI's `migrate-platform` command alone),
   * built at every start.
   */
  async #bundle(folder: DataFolder): Promise<{ dataApiEntry: string; serviceBundles: Record<string, string> }> {
    const dataApiFolder = folder.file('data-api');
    try {
      const [serviceBundles] = await Promise.all([
        bundleServices(folder.file('service-bundles'), SERVICE_ENTRIES),
        this.#config.DATA_API_ENTRY ? undefined : bundleDataApi(dataApiFolder),
      ]);
      return { dataApiEntry: this.#config.DATA_API_ENTRY ?? join(dataApiFolder, 'main.js'), serviceBundles };
    } finally {
      await stopBundler();
    }
  }

  /** The cluster alone: platform-migrate creates the platform database and everything in it. */
  async #startPostgres(folder: DataFolder): Promise<{ port: number; superuser: { user: string; password: string } }> {
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
    return { port: cluster.port, superuser: { user: EMBEDDED_SUPERUSER, password } };
  }
}

/** compose's volume of a container whose user is not ours: PgBouncer's (0600 files must be its own to read). */
async function ownFolder(path: string, owner: RunAs | undefined): Promise<string> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  if (owner) await chown(path, owner.uid, owner.gid);
  return path;
}

async function readOrCreate(folder: DataFolder, name: string, create: () => string): Promise<string> {
  const stored = await folder.readSecret(name);
  if (stored) return stored;
  const value = create();
  await folder.writeSecret(name, value);
  return value;
}
