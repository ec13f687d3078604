import type Docker from 'dockerode';
import type { FastifyInstance } from 'fastify';
import type { DatabaseAddress, Logger, Pool, SecretBox } from '@launchdb/common';
import type { DataApiLogLevel } from '@launchdb/data-api';
import { createMetricsRegistry, type Registry } from '@launchdb/common/metrics';
import { buildPostgrestManagerApp } from './app.ts';
import { DataApiFleet, type DataApiFleetOptions } from './domain/data-api-fleet.ts';
import { PlatformDataApiSettings } from './domain/platform-data-api-settings.ts';
import type { ContainerSpecOptions } from './drivers/docker/container-spec.ts';
import { DockerDriver } from './drivers/docker/docker-driver.ts';
import type { DataApiDriver } from './drivers/driver.ts';
import { ProcessDriver } from './drivers/process/process-driver.ts';
import { registerDataApiMetrics } from './metrics.ts';

/** How data APIs run: child processes on this machine, or containers through a Docker engine. */
export type DriverChoice =
  | { kind: 'process'; entry: string; stateDir: string; stopTimeoutMs?: number }
  | { kind: 'docker'; container: Omit<ContainerSpecOptions, 'name'>; docker?: Docker; stopTimeoutSeconds?: number };

export interface PostgrestManagerOptions {
  /** The platform database: platform.projects and platform.secrets are read. */
  db: Pool;
  secrets: SecretBox;
  logger: Logger;
  /** X-Internal-Key of the HTTP API; at least 32 characters. */
  internalKey: string;
  /** PostgreSQL as data APIs reach it (LISTEN). */
  postgres: DatabaseAddress;
  /** PgBouncer as data APIs reach it; `postgres` when absent. */
  pooler?: DatabaseAddress;
  /** A driver choice, or a driver already built. */
  driver: DriverChoice | DataApiDriver;
  /** Scale to zero after this many seconds without a request; 0 (the default) = never. */
  idleSeconds?: number;
  /** PGRST_DB_POOL of each data API; 5 by default. */
  dataApiPoolSize?: number;
  dataApiLogLevel?: DataApiLogLevel;
  /**
   * Where the fleet's metrics go, served at GET /metrics on the internal port. `launchdb up`
   * passes the process's registry, so this port serves every part's metrics; alone, a new one.
   */
  metrics?: Registry;
  /** Timings of the fleet, for tests and tuning. */
  fleet?: Omit<DataApiFleetOptions, 'driver' | 'settings' | 'logger' | 'idleSeconds'>;
}

export interface PostgrestManager {
  readonly app: FastifyInstance;
  readonly fleet: DataApiFleet;
  readonly driver: DataApiDriver;
  readonly settings: PlatformDataApiSettings;
  readonly metrics: Registry;
  /** Adopts what an earlier manager left running, then starts (or lets sleep) the active projects' data APIs. */
  start(): Promise<void>;
  /** Serves the internal HTTP API; resolves with its address. */
  listen(options: { host: string; port: number }): Promise<string>;
  /** Closes the HTTP API and stops every data API. */
  close(): Promise<void>;
  /** Closes the HTTP API and leaves every data API running, for the next manager to adopt. */
  release(): Promise<void>;
  /** For `process.on('exit')`: kills the data API processes at once. */
  killAllNow(): void;
}

/**
 * postgrest-manager from its dependencies: the settings source over the platform database,
 * the driver, the fleet, and the HTTP API over it. Nothing runs until `start()`.
 */
export async function buildPostgrestManager(options: PostgrestManagerOptions): Promise<PostgrestManager> {
  const logger = options.logger;
  const settings = new PlatformDataApiSettings({
    db: options.db,
    secrets: options.secrets,
    postgres: options.postgres,
    pooler: options.pooler ?? options.postgres,
    ...(options.dataApiPoolSize !== undefined ? { dbPool: options.dataApiPoolSize } : {}),
    ...(options.dataApiLogLevel !== undefined ? { logLevel: options.dataApiLogLevel } : {}),
  });
  const driver = isDriver(options.driver) ? options.driver : createDriver(options.driver, logger);
  const fleet = new DataApiFleet({ ...options.fleet, driver, settings, logger, idleSeconds: options.idleSeconds ?? 0 });
  const metrics = options.metrics ?? createMetricsRegistry('postgrest-manager');
  registerDataApiMetrics(metrics, fleet);
  const app = await buildPostgrestManagerApp({ fleet, internalKey: options.internalKey, logger, metrics });

  return {
    app,
    fleet,
    driver,
    settings,
    metrics,
    start: () => fleet.start(),
    listen: (address) => app.listen(address),
    // together: closing the fleet cancels the starts that in-flight requests wait for
    close: async () => {
      await Promise.all([app.close(), fleet.close()]);
    },
    release: async () => {
      fleet.release();
      await app.close();
    },
    killAllNow: () => fleet.killAllNow(),
  };
}

export function createDriver(choice: DriverChoice, logger: Logger): DataApiDriver {
  if (choice.kind === 'docker') {
    return new DockerDriver({
      logger,
      container: choice.container,
      ...(choice.docker ? { docker: choice.docker } : {}),
      ...(choice.stopTimeoutSeconds !== undefined ? { stopTimeoutSeconds: choice.stopTimeoutSeconds } : {}),
    });
  }
  return new ProcessDriver({
    logger,
    entry: choice.entry,
    stateDir: choice.stateDir,
    ...(choice.stopTimeoutMs !== undefined ? { stopTimeoutMs: choice.stopTimeoutMs } : {}),
  });
}

function isDriver(value: DriverChoice | DataApiDriver): value is DataApiDriver {
  return typeof (value as DataApiDriver).start === 'function';
}
