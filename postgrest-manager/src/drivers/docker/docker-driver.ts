import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { Logger } from '@launchdb/common';
import type { DataApiSettings } from '../../domain/data-api-settings.ts';
import { delay } from '../../timers.ts';
import { probeAdminServer } from '../admin-probe.ts';
import { secretRedactor } from '../data-api-log.ts';
import type { DataApiDriver, DataApiInstance, DiscoveredDataApi, StartOptions } from '../driver.ts';
import {
  buildContainerSpec,
  CONTAINER_ADMIN_PORT,
  CONTAINER_API_PORT,
  CONTAINER_LABELS,
  containerName,
  DEFAULT_DATA_API_IMAGE,
  type ContainerSpecOptions,
} from './container-spec.ts';
import { demultiplexDockerLogs } from './docker-logs.ts';

export interface DockerDriverOptions {
  /** `new Docker()` by default (DOCKER_HOST, else /var/run/docker.sock). */
  docker?: Docker;
  logger: Logger;
  container: Omit<ContainerSpecOptions, 'name'>;
  /** Seconds a data API may take to finish its requests on stop; 10 by default. */
  stopTimeoutSeconds?: number;
  /** How often a container is inspected to notice that it ended; 1 s by default. */
  watchIntervalMs?: number;
  /** Pull the image when the engine does not have it; true by default. */
  pullMissingImage?: boolean;
}

/**
 * Runs each data API as a container `postgrest-<project>` on the platform's network. The manager
 * reaches it at its address on that network. Containers carry labels, so a manager restarting
 * finds, adopts or removes them; they have a restart policy of their own, so they keep serving
 * while no manager runs.
 */
export class DockerDriver implements DataApiDriver {
  readonly kind = 'docker' as const;
  readonly #client: Docker | undefined;
  #loaded: Promise<Docker> | undefined;
  readonly #logger: Logger;
  readonly #spec: Omit<ContainerSpecOptions, 'name'>;
  readonly #stopTimeoutSeconds: number;
  readonly #watchIntervalMs: number;
  readonly #pullMissingImage: boolean;
  #imageReady: Promise<void> | undefined;

  constructor(options: DockerDriverOptions) {
    this.#client = options.docker;
    this.#logger = options.logger;
    this.#spec = options.container;
    this.#stopTimeoutSeconds = options.stopTimeoutSeconds ?? 10;
    this.#watchIntervalMs = options.watchIntervalMs ?? 1_000;
    this.#pullMissingImage = options.pullMissingImage ?? true;
  }

  /**
   * The engine's client, `new Docker()` unless one was given. dockerode (and gRPC under it, some
   * 20 MB) is loaded only here: a platform on the process driver never pays for it.
   */
  #docker(): Promise<Docker> {
    this.#loaded ??= this.#client ? Promise.resolve(this.#client) : import('dockerode').then(({ default: Dockerode }) => new Dockerode());
    return this.#loaded;
  }

  async start(settings: DataApiSettings, options: StartOptions = {}): Promise<DataApiInstance> {
    await this.#ensureImage();
    const name = containerName(settings.projectId);
    // a reload runs the new container beside the old one: the old one gives up the name
    if (options.replacing instanceof ContainerDataApi) await options.replacing.renameAside();
    await this.#removeByName(name);
    const container = await (await this.#docker()).createContainer(buildContainerSpec(settings, { ...this.#spec, name }));
    try {
      await container.start();
      return await this.#watch(container, secretRedactor(settings));
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
  }

  async discover(): Promise<DiscoveredDataApi[]> {
    const containers = await (await this.#docker()).listContainers({ all: true, filters: { label: [`${CONTAINER_LABELS.managed}=true`] } });
    return containers
      .filter((info) => info.Labels[CONTAINER_LABELS.project])
      .map((info) => new DiscoveredContainer(info));
  }

  async adopt(found: DiscoveredDataApi, settings: DataApiSettings): Promise<DataApiInstance | undefined> {
    if (!(found instanceof DiscoveredContainer) || !found.running) return undefined;
    const instance = await this.#watch((await this.#docker()).getContainer(found.id), secretRedactor(settings));
    if (await instance.probe('live', 2_000)) {
      this.#logger.info({ project: found.projectId, containerId: found.id }, 'data API container adopted');
      return instance;
    }
    instance.release();
    return undefined;
  }

  async discard(found: DiscoveredDataApi): Promise<void> {
    if (!(found instanceof DiscoveredContainer)) return;
    await removeContainer((await this.#docker()).getContainer(found.id), this.#stopTimeoutSeconds);
  }

  /** Containers are not our children and have their own restart policy: nothing to kill at exit. */
  killAllNow(): void {}

  async #watch(container: Docker.Container, redact: (line: string) => string): Promise<ContainerDataApi> {
    const info = await container.inspect();
    const network = info.NetworkSettings.Networks[this.#spec.network];
    // the address on the network: unlike the name, it stays with this container through a rename
    const host = network?.IPAddress || info.Name.replace(/^\//, '');
    return new ContainerDataApi({
      container,
      info,
      url: `http://${host}:${CONTAINER_API_PORT}`,
      adminUrl: `http://${host}:${CONTAINER_ADMIN_PORT}`,
      stopTimeoutSeconds: this.#stopTimeoutSeconds,
      watchIntervalMs: this.#watchIntervalMs,
      redact,
    });
  }

  #ensureImage(): Promise<void> {
    const image = this.#spec.image ?? DEFAULT_DATA_API_IMAGE;
    this.#imageReady ??= (async () => {
      try {
        await (await this.#docker()).getImage(image).inspect();
        return;
      } catch (error) {
        if (statusOf(error) !== 404 || !this.#pullMissingImage) throw error;
      }
      this.#logger.info({ image }, 'pulling the data API image');
      const docker = await this.#docker();
      const stream = await docker.pull(image);
      await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve())));
    })();
    this.#imageReady.catch(() => {
      this.#imageReady = undefined;
    });
    return this.#imageReady;
  }

  async #removeByName(name: string): Promise<void> {
    const docker = await this.#docker();
    const existing = await docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } });
    for (const info of existing) await removeContainer(docker.getContainer(info.Id), this.#stopTimeoutSeconds);
  }
}

class DiscoveredContainer implements DiscoveredDataApi {
  readonly id: string;
  readonly projectId: string;
  readonly settingsHash: string;
  readonly startedAt: Date;
  readonly description: string;
  readonly running: boolean;

  constructor(info: Docker.ContainerInfo) {
    this.id = info.Id;
    this.projectId = info.Labels[CONTAINER_LABELS.project]!;
    this.settingsHash = info.Labels[CONTAINER_LABELS.settingsHash] ?? '';
    this.startedAt = new Date(info.Created * 1000);
    this.description = `container ${info.Names[0]?.replace(/^\//, '') ?? info.Id.slice(0, 12)}`;
    this.running = info.State === 'running';
  }
}

interface ContainerDataApiOptions {
  container: Docker.Container;
  info: Docker.ContainerInspectInfo;
  url: string;
  adminUrl: string;
  stopTimeoutSeconds: number;
  watchIntervalMs: number;
  redact: (line: string) => string;
}

class ContainerDataApi implements DataApiInstance {
  readonly projectId: string;
  readonly url: string;
  readonly pid = undefined;
  readonly containerId: string;
  readonly settingsHash: string;
  readonly startedAt: Date;
  readonly exited: Promise<string>;
  readonly #container: Docker.Container;
  readonly #adminUrl: string;
  readonly #stopTimeoutSeconds: number;
  readonly #redact: (line: string) => string;
  #resolveExit!: (description: string) => void;
  #watching = true;
  #stopping: Promise<void> | undefined;
  #lastLogs: string[] = [];

  constructor(options: ContainerDataApiOptions) {
    this.#container = options.container;
    this.#adminUrl = options.adminUrl;
    this.#stopTimeoutSeconds = options.stopTimeoutSeconds;
    this.#redact = options.redact;
    this.url = options.url;
    this.containerId = options.info.Id;
    this.projectId = options.info.Config.Labels[CONTAINER_LABELS.project] ?? '';
    this.settingsHash = options.info.Config.Labels[CONTAINER_LABELS.settingsHash] ?? '';
    this.startedAt = new Date(options.info.State.StartedAt || options.info.Created);
    this.exited = new Promise((resolve) => {
      this.#resolveExit = resolve;
    });
    void this.#watch(options.watchIntervalMs);
  }

  probe(check: 'live' | 'ready', timeoutMs: number): Promise<boolean> {
    return probeAdminServer(this.#adminUrl, check, timeoutMs);
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#lastLogs = await this.recentLogs();
      await removeContainer(this.#container, this.#stopTimeoutSeconds);
      this.#end('was stopped');
      await this.exited;
    })();
    return this.#stopping;
  }

  release(): void {
    this.#watching = false;
  }

  async recentLogs(): Promise<string[]> {
    try {
      const data = (await this.#container.logs({ stdout: true, stderr: true, tail: 50, follow: false })) as unknown as Buffer;
      return demultiplexDockerLogs(Buffer.from(data)).map(this.#redact);
    } catch {
      return this.#lastLogs;
    }
  }

  /** Gives up its name (reload): the new container takes `postgrest-<project>`, this one drains under another. */
  async renameAside(): Promise<void> {
    try {
      await this.#container.rename({ name: `${containerName(this.projectId)}-old-${randomBytes(3).toString('hex')}` });
    } catch (error) {
      // gone already: nothing holds the name
      if (statusOf(error) !== 404) throw error;
    }
  }

  async #watch(intervalMs: number): Promise<void> {
    while (this.#watching) {
      await delay(intervalMs);
      if (!this.#watching) return;
      try {
        const state = (await this.#container.inspect()).State;
        // the engine's restart policy may bring it back, but the fleet replaces it with a fresh one
        if (!state.Running || state.Restarting) this.#end(`${state.OOMKilled ? 'was killed for lack of memory' : `exited with code ${state.ExitCode}`}`);
      } catch (error) {
        if (statusOf(error) === 404) this.#end('was removed');
      }
    }
  }

  #end(description: string): void {
    if (!this.#watching && description !== 'was stopped') return;
    this.#watching = false;
    this.#resolveExit(description);
  }
}

/** Stops (SIGTERM, then SIGKILL after the timeout) and removes; a container already gone is fine. */
async function removeContainer(container: Docker.Container, stopTimeoutSeconds: number): Promise<void> {
  try {
    await container.stop({ t: stopTimeoutSeconds });
  } catch (error) {
    // 304: already stopped; 404: no such container
    if (statusOf(error) !== 304 && statusOf(error) !== 404) throw error;
  }
  try {
    await container.remove({ force: true });
  } catch (error) {
    if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}
