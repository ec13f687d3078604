import type { DataApiSettings } from '../domain/data-api-settings.ts';

export type DriverKind = 'process' | 'docker';

/** One running data API: a child process, an adopted process, or a container. */
export interface DataApiInstance {
  readonly projectId: string;
  /** Where its API answers, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly pid: number | undefined;
  readonly containerId: string | undefined;
  /** settingsHash() of the settings it runs with. */
  readonly settingsHash: string;
  /** When it was started (by us or by the manager we adopted it from). */
  readonly startedAt: Date;
  /** Resolves, with a description, once it has ended, whoever ended it. */
  readonly exited: Promise<string>;
  /** One request to its admin server: `live` (it serves) or `ready` (database reachable and schema cache loaded). */
  probe(check: 'live' | 'ready', timeoutMs: number): Promise<boolean>;
  /** Asks it to finish its requests in flight and stop, then forces it; resolves once it is gone. Idempotent. */
  stop(): Promise<void>;
  /** Stops watching it without stopping it: another manager will adopt it. */
  release(): void;
  /** Its last log lines, oldest first. */
  recentLogs(): Promise<string[]>;
}

/** A data API an earlier manager left running, found by `discover()`. */
export interface DiscoveredDataApi {
  readonly projectId: string;
  readonly settingsHash: string;
  readonly startedAt: Date;
  /** For logs: `pid 1234`, `container 3f2a…`. */
  readonly description: string;
}

export interface StartOptions {
  /** The instance this one will replace once it is ready (reload): both run side by side meanwhile. */
  replacing?: DataApiInstance;
}

/** Runs data APIs one way (child processes, containers, …). The fleet decides when. */
export interface DataApiDriver {
  readonly kind: DriverKind;
  /** Starts one; resolves once it runs (not necessarily ready), rejects when it could not start. */
  start(settings: DataApiSettings, options?: StartOptions): Promise<DataApiInstance>;
  /** The data APIs an earlier manager on the same state folder / engine left behind. */
  discover(): Promise<DiscoveredDataApi[]>;
  /**
   * Takes charge of a discovered one whose settings hash matches `settings` (the project's
   * current ones); undefined when it turns out not to be a live data API of ours.
   */
  adopt(found: DiscoveredDataApi, settings: DataApiSettings): Promise<DataApiInstance | undefined>;
  /** Stops and removes a discovered one that is not adopted (orphan, stale settings, duplicate). */
  discard(found: DiscoveredDataApi): Promise<void>;
  /** Last resort from `process.on('exit')`: synchronous, kills what this driver started and still watches. */
  killAllNow(): void;
}
