import type Docker from 'dockerode';
import { settingsHash, type DataApiSettings } from '../../domain/data-api-settings.ts';
import { pgrstEnvironment } from '../pgrst-environment.ts';

/** The official PostgREST image, which reads the same PGRST_* settings as our data API. */
export const DEFAULT_DATA_API_IMAGE = 'postgrest/postgrest:v12.2.3';
/** Inside the container: the API and the admin server (/live, /ready). */
export const CONTAINER_API_PORT = 3000;
export const CONTAINER_ADMIN_PORT = 3001;

export const CONTAINER_LABELS = {
  project: 'launchdb.project',
  managed: 'launchdb.managed',
  settingsHash: 'launchdb.settings-hash',
} as const;

/**
 * `postgrest`: the official image (a single static binary, no shell); `data-api`: this project's
 * data-api image (Node). Both read PGRST_*; they differ in how health is checked and in LISTEN.
 */
export type DataApiImageKind = 'postgrest' | 'data-api';

export interface ContainerSpecOptions {
  /** DEFAULT_DATA_API_IMAGE by default. */
  image?: string;
  /** Derived from the image name when absent: `…postgrest/postgrest[:tag]` is `postgrest`, anything else `data-api`. */
  imageKind?: DataApiImageKind;
  /** The network shared with PgBouncer, PostgreSQL and the gateway (the compose network). */
  network: string;
  memoryMb: number;
  /** CPUs the container may use (0.5 = half a core); no limit when absent. */
  cpus?: number;
  /** `unless-stopped` by default: the engine brings a data API back even while the manager is down. */
  restartPolicy?: 'unless-stopped' | 'on-failure';
  /** Retries of `on-failure`; 5 by default. */
  maxRestarts?: number;
  /** Replaces the health check derived from the image; `none` for none. */
  healthCheck?: string[] | 'none';
  /** The container's name; containerName(projectId) by default. */
  name?: string;
}

const MIB = 1024 * 1024;
const SECOND_NS = 1_000_000_000;

export function containerName(projectId: string): string {
  return `postgrest-${projectId}`;
}

export function imageKindOf(image: string): DataApiImageKind {
  const repository = image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^/:]+$/, '');
  return /(^|\/)postgrest\/postgrest$/.test(repository) ? 'postgrest' : 'data-api';
}

/**
 * The container that runs one project's data API, as dockerode's createContainer takes it.
 * Pure: the same settings and options always give the same spec.
 */
export function buildContainerSpec(settings: DataApiSettings, options: ContainerSpecOptions): Docker.ContainerCreateOptions {
  const image = options.image ?? DEFAULT_DATA_API_IMAGE;
  const kind = options.imageKind ?? imageKindOf(image);
  const name = options.name ?? containerName(settings.projectId);
  if (!(options.memoryMb >= 32)) throw new RangeError('memoryMb must be at least 32');
  if (options.cpus !== undefined && !(options.cpus > 0)) throw new RangeError('cpus must be positive');

  const environment = pgrstEnvironment(
    // PostgREST v12 LISTENs on db-uri and has no db-listen-uri: through PgBouncer in transaction
    // mode it would miss `NOTIFY pgrst`, so the official image connects to PostgreSQL directly
    kind === 'postgrest' ? { ...settings, dbUri: settings.dbListenUri } : settings,
    // an IPv4 wildcard: containers often run without IPv6, where binding `::` fails
    { host: '0.0.0.0', port: CONTAINER_API_PORT, adminPort: CONTAINER_ADMIN_PORT },
  );
  const healthTest = options.healthCheck ?? healthCheckFor(kind, image);

  const spec: Docker.ContainerCreateOptions = {
    name,
    Image: image,
    Env: Object.entries(environment)
      .map(([key, value]) => `${key}=${value}`)
      .sort(),
    Labels: {
      [CONTAINER_LABELS.project]: settings.projectId,
      [CONTAINER_LABELS.managed]: 'true',
      [CONTAINER_LABELS.settingsHash]: settingsHash(settings),
    },
    ExposedPorts: { [`${CONTAINER_API_PORT}/tcp`]: {}, [`${CONTAINER_ADMIN_PORT}/tcp`]: {} },
    StopSignal: 'SIGTERM',
    StopTimeout: 10,
    HostConfig: {
      NetworkMode: options.network,
      RestartPolicy:
        (options.restartPolicy ?? 'unless-stopped') === 'unless-stopped'
          ? { Name: 'unless-stopped' }
          : { Name: 'on-failure', MaximumRetryCount: options.maxRestarts ?? 5 },
      Memory: Math.round(options.memoryMb * MIB),
      // no swap beyond the memory limit
      MemorySwap: Math.round(options.memoryMb * MIB),
      ...(options.cpus !== undefined ? { NanoCpus: Math.round(options.cpus * SECOND_NS) } : {}),
      PidsLimit: 256,
      Init: true,
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,noexec,nosuid,size=16m' },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    },
    NetworkingConfig: {
      EndpointsConfig: { [options.network]: { Aliases: [name] } },
    },
  };
  if (healthTest !== 'none') {
    spec.Healthcheck = { Test: healthTest, Interval: 5 * SECOND_NS, Timeout: 2 * SECOND_NS, Retries: 3, StartPeriod: 10 * SECOND_NS };
  }
  return spec;
}

/**
 * The engine's own check of `/ready`. Our image has Node to ask with; the official image has no
 * shell nor curl, and only PostgREST 14 and later can check itself (`postgrest --ready`), so
 * older ones get none from the engine: the manager's own checks of /live and /ready cover them.
 */
function healthCheckFor(kind: DataApiImageKind, image: string): string[] | 'none' {
  if (kind === 'data-api') {
    return [
      'CMD',
      'node',
      '-e',
      `fetch('http://127.0.0.1:${CONTAINER_ADMIN_PORT}/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
    ];
  }
  const tag = /:([^/:]+)$/.exec(image.replace(/@sha256:[0-9a-f]+$/, ''))?.[1] ?? '';
  const major = /^v?(\d+)(?:\.|$)/.exec(tag)?.[1];
  return major !== undefined && Number(major) >= 14 ? ['CMD', 'postgrest', '--ready'] : 'none';
}
