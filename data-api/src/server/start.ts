import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { ConfigError, StartupError } from '@launchdb/common/errors';
import { createLogger, type Logger } from '@launchdb/common/logger';
import { buildDataApi } from '../app.ts';
import { listenAddress, loadDataApiConfig, pinoLevel, type DataApiConfig } from '../config/config.ts';
import { readInDatabaseSettings } from '../config/in-database.ts';
import { buildPlan } from '../plan/index.ts';
import { parseApiRequest } from '../request/api-request.ts';
import { SchemaCacheHolder } from '../schema-cache/schema-cache.ts';
import type { SchemaCache } from '../schema-cache/types.ts';
import { buildAdminServer } from './admin.ts';
import { ReadPlans } from './read-plans.ts';
import { DEFAULT_BACKOFF, type Backoff } from './backoff.ts';
import type { BuildPlan, ConfigSource, ParseApiRequest, SchemaCacheSource } from './dependencies.ts';
import { NotificationListener } from './notification-listener.ts';
import { SchemaCacheReloader } from './schema-cache-reloader.ts';

export interface StartDataApiOptions {
  /** Where `reload config` reads `PGRST_*` from; `process.env` by default. */
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** SIGTERM/SIGINT shut down gracefully, SIGUSR1 reloads the schema cache, SIGUSR2 the config. True by default. */
  handleSignals?: boolean;
  /** The stages and the schema cache: the real ones by default, replaceable for tests. */
  parseRequest?: ParseApiRequest;
  plan?: BuildPlan;
  schemaCache?: SchemaCacheSource;
  /** Retry delays of the schema cache loads and of the LISTEN connection. */
  backoff?: Backoff;
}

export interface RunningDataApi {
  /** Where the API answers, e.g. http://127.0.0.1:3000 */
  url: string;
  /** Where the admin server answers, when admin-server-port is set. */
  adminUrl: string | undefined;
  config(): DataApiConfig;
  /** Resolves once the schema cache has been loaded the first time. */
  whenReady(): Promise<void>;
  reloadSchemaCache(): Promise<void>;
  /** Reads the config file and PGRST_* again; settings that need a restart keep their values (and are logged). */
  reloadConfig(): Promise<void>;
  /** Stops accepting requests, lets those in flight finish, then closes the listener and the pool. */
  close(): Promise<void>;
}

/** Settings read once: changing them needs a restart, as in PostgREST. */
const RESTART_SETTINGS = ['dbUri', 'dbListenUri', 'dbPool', 'dbPoolAcquisitionTimeout', 'dbPoolMaxLifetime', 'dbPoolMaxIdletime', 'dbChannel', 'dbChannelEnabled', 'serverHost', 'serverPort', 'adminServerHost', 'adminServerPort'] as const;

/**
 * The data API as a process runs it: the pool (db-uri, usually PgBouncer), the schema cache
 * (loaded in the background: 503 PGRST002 until then, retried with backoff), LISTEN on the
 * db-channel over a direct connection (PGRST_DB_LISTEN_URI, else db-uri) for
 * `NOTIFY pgrst, 'reload schema' | 'reload config'`, the API and the admin server.
 */
export async function startDataApi(initialConfig: DataApiConfig, options: StartDataApiOptions = {}): Promise<RunningDataApi> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger({ level: pinoLevel(initialConfig.logLevel), name: 'data-api' });
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  let config = initialConfig;
  const configSource: ConfigSource<DataApiConfig> = { current: () => config };
  let live = true;

  const pool = createDataApiPool(config, logger);
  const schemaCache = options.schemaCache ?? new PoolSchemaCache(pool, configSource, logger);
  const reloader = new SchemaCacheReloader(schemaCache, logger, backoff);

  /** `db-config`: the settings given in the database, or none when it cannot be read (logged). */
  const inDatabaseSettings = async (current: DataApiConfig): Promise<Record<string, string> | undefined> => {
    if (!current.dbConfig) return undefined;
    try {
      return await readInDatabaseSettings(pool, current.dbPreConfig);
    } catch (error) {
      logger.error({ err: error }, 'could not read the in-database config; the other settings stay in force');
      return undefined;
    }
  };

  const reloadConfig = async (): Promise<void> => {
    let next: DataApiConfig;
    const fromFileAndEnv = (() => {
      try {
        return loadDataApiConfig({ env, configFile: config.configFile });
      } catch {
        return config;
      }
    })();
    const dbSettings = await inDatabaseSettings(fromFileAndEnv);
    try {
      next = loadDataApiConfig({ env, configFile: config.configFile, dbSettings });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      logger.error({ err: error }, 'config reload failed; the previous config stays in force');
      return;
    }
    const kept = RESTART_SETTINGS.filter((key) => JSON.stringify(next[key]) !== JSON.stringify(config[key]));
    if (kept.length > 0) logger.warn({ settings: kept }, 'these settings change only on restart');
    const restartOnly = Object.fromEntries(RESTART_SETTINGS.map((key) => [key, config[key]]));
    config = { ...next, ...restartOnly } as DataApiConfig;
    if (!options.logger) logger.level = pinoLevel(config.logLevel);
    logger.info('config reloaded');
    await reloader.reload('config reloaded');
  };

  const listener = config.dbChannelEnabled
    ? new NotificationListener({
        connectionString: config.dbListenUri ?? config.dbUri,
        channel: config.dbChannel,
        logger,
        backoff,
        onNotification: (payload) => {
          if (payload === '' || payload === 'reload schema') void reloader.reload('NOTIFY reload schema');
          else if (payload === 'reload config') void reloadConfig();
        },
        onReconnect: () => void reloader.reload('LISTEN connection restored'),
      })
    : undefined;

  const app = await buildDataApi({
    config: configSource,
    logger,
    pool,
    schemaCache,
    parseRequest: options.parseRequest ?? parseApiRequest,
    plan: options.plan ?? buildPlan,
    // the real parser and planner are pure: their plans of reads can be kept
    readPlans: options.parseRequest === undefined && options.plan === undefined ? new ReadPlans() : undefined,
    onDatabaseUnavailable: () => void reloader.reload('database unavailable'),
  });
  const admin = config.adminServerPort !== undefined ? await buildAdminServer({ logger, pool, schemaCache, isLive: () => live }) : undefined;

  // PostgREST reads the in-database settings before its first schema cache
  const firstLoad = (async () => {
    const dbSettings = await inDatabaseSettings(config);
    if (dbSettings && Object.keys(dbSettings).length > 0) {
      try {
        const next = loadDataApiConfig({ env, configFile: config.configFile, dbSettings });
        config = { ...next, ...Object.fromEntries(RESTART_SETTINGS.map((key) => [key, config[key]])) } as DataApiConfig;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        logger.error({ err: error }, 'invalid in-database config; the file and environment settings stay in force');
      }
    }
    return reloader.reload('start-up');
  })();
  listener?.start();

  let url: string;
  let adminUrl: string | undefined;
  try {
    url = await listen(app, config.serverHost, config.serverPort, 'server-port');
    adminUrl = admin ? await listen(admin, config.adminServerHost, config.adminServerPort!, 'admin-server-port') : undefined;
  } catch (error) {
    reloader.stop();
    await listener?.stop();
    await app.close();
    await admin?.close();
    await pool.end();
    throw error;
  }
  logger.info({ url, adminUrl, schemas: config.dbSchemas }, 'data API listening');

  let closing: Promise<void> | undefined;
  const signals: Array<[NodeJS.Signals, () => void]> = [];
  const close = (): Promise<void> => {
    closing ??= (async () => {
      live = false;
      for (const [signal, handler] of signals) process.off(signal, handler);
      reloader.stop();
      await listener?.stop();
      // stops accepting connections and waits for the requests in flight
      await app.close();
      await admin?.close();
      await pool.end();
      logger.info('data API stopped');
    })();
    return closing;
  };

  if (options.handleSignals ?? true) {
    const on = (signal: NodeJS.Signals, handler: () => void): void => {
      signals.push([signal, handler]);
      process.on(signal, handler);
    };
    on('SIGUSR1', () => void reloader.reload('SIGUSR1'));
    on('SIGUSR2', () => void reloadConfig());
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      on(signal, () => {
        logger.info({ signal }, 'shutting down');
        void close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  }

  return {
    url,
    adminUrl,
    config: () => config,
    whenReady: () => firstLoad,
    reloadSchemaCache: () => reloader.reload('requested'),
    reloadConfig,
    close,
  };
}

/**
 * The request pool. Its acquisition timeout (db-pool-acquisition-timeout) also bounds opening a
 * connection; a connection lost while idle is dropped without harming the process.
 */
export function createDataApiPool(config: DataApiConfig, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.dbUri,
    max: config.dbPool,
    connectionTimeoutMillis: config.dbPoolAcquisitionTimeout * 1000,
    idleTimeoutMillis: config.dbPoolMaxIdletime * 1000,
    maxLifetimeSeconds: config.dbPoolMaxLifetime,
    application_name: 'launchdb-data-api',
    keepAlive: true,
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'an idle database connection failed'));
  return pool;
}

/**
 * The schema-cache holder of schema-cache/ for the current db-schemas, as the server's
 * SchemaCacheSource. When a config reload changes db-schemas, a holder for the new schemas
 * replaces the old one once it has loaded.
 */
class PoolSchemaCache implements SchemaCacheSource {
  readonly #pool: pg.Pool;
  readonly #config: ConfigSource<DataApiConfig>;
  readonly #logger: Logger;
  #schemas: string[];
  #holder: SchemaCacheHolder;

  constructor(pool: pg.Pool, config: ConfigSource<DataApiConfig>, logger: Logger) {
    this.#pool = pool;
    this.#config = config;
    this.#logger = logger;
    this.#schemas = config.current().dbSchemas;
    this.#holder = this.#create(this.#schemas);
  }

  current(): SchemaCache | undefined {
    return this.#holder.peek();
  }

  async reload(): Promise<void> {
    const schemas = this.#config.current().dbSchemas;
    const holder = schemas.join(',') === this.#schemas.join(',') ? this.#holder : this.#create(schemas);
    const result = await holder.reload();
    if (!result.ok) throw result.error;
    this.#holder = holder;
    this.#schemas = schemas;
  }

  #create(schemas: string[]): SchemaCacheHolder {
    return SchemaCacheHolder.forPool(this.#pool, schemas, {
      onLoad: (cache, durationMs) =>
        this.#logger.info({ relations: cache.relations.size, routines: cache.routines.size, durationMs: Math.round(durationMs) }, 'schema cache introspected'),
    });
  }
}

async function listen(app: { listen(options: { host: string; port: number }): Promise<string>; server: { address(): AddressInfo | string | null } }, host: string, port: number, setting: string): Promise<string> {
  const address = listenAddress(host);
  try {
    await app.listen({ host: address, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartupError(`the data API cannot listen on ${address}:${port} (${setting}): the port is already in use`);
    if (code === 'EADDRNOTAVAIL') throw new StartupError(`the data API cannot listen on ${address}:${port} (${setting}): no such address on this machine`);
    throw error;
  }
  const bound = app.server.address();
  const actualPort = bound && typeof bound === 'object' ? bound.port : port;
  const shown = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '[::1]' : address.includes(':') ? `[${address}]` : address;
  return `http://${shown}:${actualPort}`;
}
