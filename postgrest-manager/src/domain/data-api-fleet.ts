import { LaunchDbError, type DataApiControl, type DataApiLocation, type DataApiLocator, type Logger } from '@launchdb/common';
import type { DataApiDriver, DataApiInstance, DiscoveredDataApi, DriverKind } from '../drivers/driver.ts';
import { ManagerErrors } from '../errors.ts';
import { delay, settlesWithin } from '../timers.ts';
import { settingsHash, type DataApiSettings, type DataApiSettingsSource } from './data-api-settings.ts';
import { restartBackoff, restartDelay, type RestartBackoff, type RestartBackoffOptions } from './restart-backoff.ts';

/**
 * - `starting`: started, not ready yet (a wake waits for it)
 * - `running`: answers requests
 * - `restarting`: crashed or failed to start; retried after a backoff (a wake is told to retry)
 * - `stopping`: being stopped (scale to zero, stop)
 * - `sleeping`: scaled to zero, or never started since boot; the next wake starts it
 * - `failed`: like `restarting` after several failures in a row; still retried, at the longest backoff
 */
export type DataApiState = 'starting' | 'running' | 'restarting' | 'stopping' | 'sleeping' | 'failed';

export interface DataApiStatus {
  projectId: string;
  driver: DriverKind;
  url: string | null;
  state: DataApiState;
  pid: number | null;
  containerId: string | null;
  /** Crashes (and failed health checks) since the manager started watching it. */
  restarts: number;
  /** The last wake, i.e. the last time the gateway routed traffic to it. */
  lastRequestAt: string | null;
  /** When the instance running now was started. */
  startedAt: string | null;
  /** Why it last crashed or failed to start. */
  lastError: string | null;
  /** When it is retried, in `restarting` and `failed`. */
  nextAttemptAt: string | null;
}

export interface DataApiDetails extends DataApiStatus {
  /** The running instance's last log lines, else the last crashed one's. */
  recentLogs: string[];
}

export type WakeOutcome =
  | { state: 'running'; url: string }
  | { state: 'unavailable'; retryAfterSeconds: number; reason: string }
  | { state: 'unknown' };

export interface DataApiFleetOptions {
  driver: DataApiDriver;
  settings: DataApiSettingsSource;
  logger: Logger;
  /** A data API without a wake for this long is stopped (scale to zero); 0 = never. At least 2 otherwise. */
  idleSeconds?: number;
  /** From start to `/ready`; 20 s by default. */
  startTimeoutMs?: number;
  /** How long a wake waits for a data API that is starting; 20 s by default. */
  wakeTimeoutMs?: number;
  /** How long a replaced data API keeps serving after a reload (the gateway caches URLs for 1 s); at least 1.5 s. */
  drainMs?: number;
  /** Period of the `/live` checks of running data APIs; 2 s by default. */
  healthIntervalMs?: number;
  /** Failed `/live` checks in a row that count as a crash; 3 by default. */
  unhealthyAfter?: number;
  restartBackoff?: RestartBackoffOptions;
  /** Failures in a row after which the state shows `failed`; 5 by default. */
  failedAfter?: number;
  /** Data APIs started at once at boot (idleSeconds = 0); 4 by default. */
  bootConcurrency?: number;
}

const MIN_DRAIN_MS = 1_500;
const READY_POLL_MS = 25;

interface Entry {
  projectId: string;
  state: DataApiState;
  instance: DataApiInstance | undefined;
  restarts: number;
  /** Failures in a row, for the backoff. */
  failures: number;
  healthFailures: number;
  probing: boolean;
  lastRequestAt: number | undefined;
  /** The last wake, start or adoption: what scale to zero measures idleness from. */
  activityAt: number;
  startedAt: number | undefined;
  lastError: string | undefined;
  lastLogs: string[];
  nextAttemptAt: number | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  /** The start under way, which wakes and spawns wait for. */
  launching: Promise<void> | undefined;
  abort: AbortController | undefined;
  /** Lifecycle operations of one project run one at a time, in order. */
  queue: Promise<unknown>;
  /** Stopped and removed from the fleet: whatever was queued for it gives up. */
  forgotten: boolean;
}

/**
 * Every project's data API on this manager: starts them, watches them (exit, health checks),
 * restarts them after crashes with backoff, scales idle ones to zero and wakes them, replaces
 * them without a gap after a key rotation. How they run is the driver's business.
 */
export class DataApiFleet implements DataApiControl, DataApiLocator {
  readonly #driver: DataApiDriver;
  readonly #source: DataApiSettingsSource;
  readonly #logger: Logger;
  readonly #idleMs: number;
  readonly #startTimeoutMs: number;
  readonly #wakeTimeoutMs: number;
  readonly #drainMs: number;
  readonly #healthIntervalMs: number;
  readonly #unhealthyAfter: number;
  readonly #backoff: RestartBackoff;
  readonly #failedAfter: number;
  readonly #bootConcurrency: number;
  readonly #entries = new Map<string, Entry>();
  #healthTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #boot: Promise<void> = Promise.resolve();
  /** Crashes since this manager started, forgotten projects' included (a counter never goes back). */
  #restarts = 0;

  constructor(options: DataApiFleetOptions) {
    const idleSeconds = options.idleSeconds ?? 0;
    // the gateway wakes a data API about once a second while it sends traffic (it caches the URL for 1 s)
    if (idleSeconds !== 0 && !(idleSeconds >= 2)) throw new RangeError('idleSeconds must be 0 (never scale to zero) or at least 2');
    this.#driver = options.driver;
    this.#source = options.settings;
    this.#logger = options.logger;
    this.#idleMs = idleSeconds * 1000;
    this.#startTimeoutMs = options.startTimeoutMs ?? 20_000;
    this.#wakeTimeoutMs = options.wakeTimeoutMs ?? 20_000;
    this.#drainMs = Math.max(MIN_DRAIN_MS, options.drainMs ?? MIN_DRAIN_MS);
    this.#healthIntervalMs = options.healthIntervalMs ?? 2_000;
    this.#unhealthyAfter = options.unhealthyAfter ?? 3;
    this.#backoff = restartBackoff(options.restartBackoff);
    this.#failedAfter = options.failedAfter ?? 5;
    this.#bootConcurrency = options.bootConcurrency ?? 4;
  }

  get driverKind(): DriverKind {
    return this.#driver.kind;
  }

  get idleSeconds(): number {
    return this.#idleMs / 1000;
  }

  /**
   * At boot: adopts the data APIs an earlier manager left running with the project's current
   * settings, removes the others (orphans, stale settings, duplicates), then starts the active
   * projects' data APIs in the background, or, with scale to zero, lets them sleep until their
   * first request. Resolves once adoption is done.
   */
  async start(): Promise<void> {
    const found = await this.#driver.discover();
    const byProject = new Map<string, DiscoveredDataApi[]>();
    for (const one of found) byProject.set(one.projectId, [...(byProject.get(one.projectId) ?? []), one]);
    for (const [projectId, candidates] of byProject) await this.#adoptOrDiscard(projectId, candidates);

    const toStart: Entry[] = [];
    for (const projectId of await this.#source.activeProjects()) {
      if (this.#entries.has(projectId)) continue;
      const entry = this.#entryFor(projectId);
      if (this.#idleMs === 0) toStart.push(entry);
    }
    this.#healthTimer = setInterval(() => this.#checkHealth(), this.#healthIntervalMs);
    this.#healthTimer.unref();
    if (this.#idleMs > 0) {
      this.#idleTimer = setInterval(() => this.#sleepIdle(), Math.min(1_000, this.#idleMs / 2));
      this.#idleTimer.unref();
    }
    this.#boot = this.#startAll(toStart);
    this.#logger.info(
      { driver: this.#driver.kind, adopted: [...this.#entries.values()].filter((entry) => entry.instance).length, starting: toStart.length, idleSeconds: this.idleSeconds },
      'data API fleet started',
    );
  }

  /** Resolves once the data APIs started at boot are running or being retried. */
  whenBooted(): Promise<void> {
    return this.#boot;
  }

  /** Starts the project's data API (or finds it running); resolves once it is ready. */
  async spawn(projectId: string): Promise<void> {
    this.#refuseWhenClosed();
    const entry = this.#entryFor(projectId);
    entry.activityAt = Date.now();
    await this.#ensureRunning(entry);
  }

  /** Stops the project's data API and forgets it; nothing happens when none runs. */
  async stop(projectId: string): Promise<void> {
    const entry = this.#entries.get(projectId);
    if (!entry) return;
    this.#forget(entry);
    await this.#exclusive(entry, async () => {
      entry.state = 'stopping';
      const instance = entry.instance;
      entry.instance = undefined;
      if (instance) {
        await instance.stop();
        this.#logger.info({ project: projectId }, 'data API stopped');
      }
    });
  }

  /**
   * Replaces the running data API by one with the project's current settings: the new one
   * starts beside it, takes over once ready, and the old one stops after a drain. One that is
   * not running picks up the new settings when it next starts.
   */
  async reload(projectId: string): Promise<void> {
    this.#refuseWhenClosed();
    const entry = this.#entries.get(projectId);
    if (!entry) {
      if (!(await this.#source.settingsFor(projectId))) throw ManagerErrors.projectNotFound(projectId);
      // nothing runs: it starts with the new settings, now or at its first request
      if (this.#idleMs === 0) await this.spawn(projectId);
      else this.#entryFor(projectId);
      return;
    }
    await this.#exclusive(entry, () => this.#replace(entry));
  }

  /**
   * What the gateway calls before proxying: records the activity, answers at once for a running
   * data API, starts a sleeping one and waits for it (bounded), and tells the caller to retry
   * later for a crashed one, never making it hang.
   */
  async wake(projectId: string): Promise<WakeOutcome> {
    if (this.#closed) return { state: 'unavailable', retryAfterSeconds: 1, reason: 'postgrest-manager is shutting down' };
    let entry = this.#entries.get(projectId);
    if (!entry) {
      let settings: DataApiSettings | undefined;
      try {
        settings = await this.#source.settingsFor(projectId);
      } catch (error) {
        if (error instanceof LaunchDbError && error.code === 'project_not_ready') return { state: 'unavailable', retryAfterSeconds: 1, reason: error.message };
        throw error;
      }
      if (!settings) return { state: 'unknown' };
      entry = this.#entryFor(projectId);
    }
    const now = Date.now();
    entry.lastRequestAt = now;
    entry.activityAt = now;
    const deadline = now + this.#wakeTimeoutMs;
    for (;;) {
      if (entry.forgotten) return { state: 'unavailable', retryAfterSeconds: 1, reason: 'it was stopped' };
      switch (entry.state) {
        case 'running':
          return { state: 'running', url: entry.instance!.url };
        case 'restarting':
        case 'failed':
          return { state: 'unavailable', retryAfterSeconds: this.#retryAfterSeconds(entry), reason: entry.lastError ?? 'it is restarting' };
        default: {
          const remaining = deadline - Date.now();
          let failure: unknown;
          const started = this.#ensureRunning(entry).catch((error: unknown) => {
            failure = error;
          });
          if (remaining <= 0 || !(await settlesWithin(started, remaining))) {
            return { state: 'unavailable', retryAfterSeconds: 1, reason: 'it is still starting' };
          }
          if (failure instanceof LaunchDbError && failure.code === 'project_not_found') return { state: 'unknown' };
          if (failure instanceof LaunchDbError && failure.code === 'shutting_down') return { state: 'unavailable', retryAfterSeconds: 1, reason: failure.message };
        }
      }
    }
  }

  async locate(projectId: string): Promise<DataApiLocation> {
    const outcome = await this.wake(projectId);
    return outcome.state === 'running' ? { state: 'ready', url: outcome.url } : outcome;
  }

  /** The status kept in memory; undefined when the fleet does not track the project. */
  current(projectId: string): DataApiStatus | undefined {
    const entry = this.#entries.get(projectId);
    return entry ? this.#status(entry) : undefined;
  }

  /** Crashes (exits and failed health checks) of every data API since this manager started. */
  get restartsTotal(): number {
    return this.#restarts;
  }

  list(): DataApiStatus[] {
    return [...this.#entries.values()].map((entry) => this.#status(entry)).sort((a, b) => a.projectId.localeCompare(b.projectId));
  }

  /** Undefined when the project does not exist (or is not provisioning/active) and nothing runs for it. */
  async status(projectId: string): Promise<DataApiDetails | undefined> {
    const entry = this.#entries.get(projectId);
    if (entry) {
      const recentLogs = entry.instance ? await entry.instance.recentLogs().catch(() => entry.lastLogs) : entry.lastLogs;
      return { ...this.#status(entry), recentLogs };
    }
    if (!(await this.#source.settingsFor(projectId))) return undefined;
    return { ...this.#status(this.#newEntry(projectId)), recentLogs: [] };
  }

  /** Stops every data API (the embedded platform leaves no process behind). */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.#stopTimers();
      const entries = [...this.#entries.values()];
      for (const entry of entries) {
        clearTimeout(entry.retryTimer);
        entry.abort?.abort();
      }
      await Promise.all(
        entries.map((entry) =>
          this.#exclusive(entry, async () => {
            const instance = entry.instance;
            entry.instance = undefined;
            entry.state = 'stopping';
            await instance?.stop();
            entry.state = 'sleeping';
          }).catch((error: unknown) => this.#logger.error({ err: error, project: entry.projectId }, 'could not stop a data API')),
        ),
      );
      this.#entries.clear();
      this.#logger.info({ stopped: entries.length }, 'data API fleet closed');
    })();
    return this.#closing;
  }

  /** Stops watching without stopping anything: the data APIs keep serving, for the next manager to adopt. */
  release(): void {
    this.#closed = true;
    this.#stopTimers();
    for (const entry of this.#entries.values()) {
      clearTimeout(entry.retryTimer);
      entry.abort?.abort();
      entry.instance?.release();
      entry.instance = undefined;
    }
    this.#entries.clear();
  }

  /** Synchronous last resort for `process.on('exit')`. */
  killAllNow(): void {
    this.#driver.killAllNow();
  }

  // --- starting and watching

  #ensureRunning(entry: Entry): Promise<void> {
    if (this.#closed) return Promise.reject(ManagerErrors.shuttingDown());
    if (entry.state === 'running' && entry.instance) return Promise.resolve();
    entry.launching ??= this.#exclusive(entry, () => this.#launch(entry)).finally(() => {
      entry.launching = undefined;
    });
    return entry.launching;
  }

  async #launch(entry: Entry): Promise<void> {
    const projectId = entry.projectId;
    if (entry.forgotten) throw ManagerErrors.stopped(projectId);
    this.#refuseWhenClosed();
    if (entry.state === 'running' && entry.instance) return;
    clearTimeout(entry.retryTimer);
    entry.retryTimer = undefined;
    entry.nextAttemptAt = undefined;

    let settings: DataApiSettings | undefined;
    try {
      settings = await this.#source.settingsFor(projectId);
    } catch (error) {
      this.#failed(entry, error instanceof Error ? error.message : String(error));
      throw error instanceof LaunchDbError ? error : ManagerErrors.startFailed(projectId, 'its settings could not be read');
    }
    if (!settings) {
      this.#forget(entry);
      throw ManagerErrors.projectNotFound(projectId);
    }

    entry.state = 'starting';
    const abort = new AbortController();
    entry.abort = abort;
    let instance: DataApiInstance | undefined;
    try {
      instance = await this.#driver.start(settings);
      await this.#waitReady(instance, abort.signal);
    } catch (error) {
      entry.abort = undefined;
      if (instance) {
        entry.lastLogs = await instance.recentLogs().catch(() => entry.lastLogs);
        await instance.stop().catch((stopError: unknown) => this.#logger.error({ err: stopError, project: projectId }, 'could not stop a data API that failed to start'));
      }
      if (this.#closed) throw ManagerErrors.shuttingDown();
      if (entry.forgotten || abort.signal.aborted) throw ManagerErrors.stopped(projectId);
      const reason = error instanceof Error ? error.message : String(error);
      this.#failed(entry, reason);
      throw ManagerErrors.startFailed(projectId, reason);
    }
    entry.abort = undefined;
    if (this.#closed || entry.forgotten) {
      await instance.stop();
      throw this.#closed ? ManagerErrors.shuttingDown() : ManagerErrors.stopped(projectId);
    }
    this.#attach(entry, instance);
    this.#logger.info({ project: projectId, url: instance.url, pid: instance.pid, containerId: instance.containerId }, 'data API running');
  }

  /** Polls `/ready` until it answers 200; gives up when the instance ends, the start is aborted or the timeout passes. */
  async #waitReady(instance: DataApiInstance, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.#startTimeoutMs;
    let exit: string | undefined;
    void instance.exited.then((description) => {
      exit = description;
    });
    for (;;) {
      if (signal.aborted) throw new Error('the start was cancelled');
      if (exit !== undefined) throw new Error(`it ${exit} before it was ready`);
      if (await instance.probe('ready', 1_000)) return;
      if (Date.now() >= deadline) throw new Error(`it was not ready within ${this.#startTimeoutMs} ms`);
      await Promise.race([delay(READY_POLL_MS), instance.exited]);
    }
  }

  #attach(entry: Entry, instance: DataApiInstance): void {
    const now = Date.now();
    clearTimeout(entry.retryTimer);
    entry.retryTimer = undefined;
    entry.nextAttemptAt = undefined;
    entry.instance = instance;
    entry.state = 'running';
    entry.startedAt = instance.startedAt.getTime();
    entry.activityAt = Math.max(entry.activityAt, now);
    entry.healthFailures = 0;
    void instance.exited.then((description) => {
      // an instance we stopped or replaced on purpose is detached first
      if (entry.instance === instance) this.#crashed(entry, instance, description);
    });
  }

  #crashed(entry: Entry, instance: DataApiInstance, reason: string): void {
    entry.instance = undefined;
    entry.restarts += 1;
    this.#restarts += 1;
    if (entry.startedAt !== undefined && Date.now() - entry.startedAt >= this.#backoff.stableAfterMs) entry.failures = 0;
    void instance.recentLogs().then(
      (lines) => {
        entry.lastLogs = lines;
      },
      () => undefined,
    );
    // after failed health checks it may still run: make sure it is gone and cleaned up
    void instance.stop().catch((error: unknown) => this.#logger.error({ err: error, project: entry.projectId }, 'could not stop a crashed data API'));
    this.#failed(entry, `it ${reason}`);
  }

  /** Records a crash or failed start and schedules the next attempt. */
  #failed(entry: Entry, reason: string): void {
    entry.failures += 1;
    entry.lastError = reason;
    const delayMs = restartDelay(this.#backoff, entry.failures);
    entry.state = entry.failures >= this.#failedAfter ? 'failed' : 'restarting';
    entry.nextAttemptAt = Date.now() + delayMs;
    clearTimeout(entry.retryTimer);
    if (this.#closed || entry.forgotten) return;
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = undefined;
      this.#ensureRunning(entry).catch(() => undefined);
    }, delayMs);
    entry.retryTimer.unref();
    this.#logger.warn({ project: entry.projectId, reason, failures: entry.failures, retryInMs: delayMs }, 'data API down; restarting it');
  }

  #checkHealth(): void {
    for (const entry of this.#entries.values()) {
      const instance = entry.instance;
      if (entry.state !== 'running' || !instance || entry.probing) continue;
      entry.probing = true;
      void instance
        .probe('live', Math.min(1_000, this.#healthIntervalMs))
        .then((live) => {
          if (entry.instance !== instance) return;
          if (live) {
            entry.healthFailures = 0;
            return;
          }
          entry.healthFailures += 1;
          if (entry.healthFailures >= this.#unhealthyAfter) this.#crashed(entry, instance, `did not answer ${entry.healthFailures} health checks in a row`);
        })
        .finally(() => {
          entry.probing = false;
        });
    }
  }

  // --- scale to zero

  #sleepIdle(): void {
    const now = Date.now();
    for (const entry of this.#entries.values()) {
      if (entry.state === 'running' && now - entry.activityAt >= this.#idleMs) {
        void this.#exclusive(entry, () => this.#sleep(entry)).catch((error: unknown) =>
          this.#logger.error({ err: error, project: entry.projectId }, 'could not scale a data API to zero'),
        );
      }
    }
  }

  async #sleep(entry: Entry): Promise<void> {
    // checked again: a wake may have come while this waited for its turn
    if (entry.forgotten || entry.state !== 'running' || !entry.instance || Date.now() - entry.activityAt < this.#idleMs) return;
    const instance = entry.instance;
    entry.instance = undefined;
    entry.state = 'stopping';
    this.#logger.info({ project: entry.projectId, idleSeconds: this.idleSeconds }, 'data API idle; scaling it to zero');
    try {
      await instance.stop();
    } finally {
      if (entry.state === 'stopping') entry.state = 'sleeping';
      entry.startedAt = undefined;
    }
  }

  // --- reload

  async #replace(entry: Entry): Promise<void> {
    const projectId = entry.projectId;
    if (entry.forgotten) throw ManagerErrors.stopped(projectId);
    this.#refuseWhenClosed();
    const settings = await this.#source.settingsFor(projectId);
    if (!settings) throw ManagerErrors.projectNotFound(projectId);
    const old = entry.instance;
    // not running: whatever starts it next reads the new settings
    if (entry.state !== 'running' || !old || old.settingsHash === settingsHash(settings)) return;

    const abort = new AbortController();
    entry.abort = abort;
    let next: DataApiInstance | undefined;
    try {
      next = await this.#driver.start(settings, { replacing: old });
      await this.#waitReady(next, abort.signal);
    } catch (error) {
      await next?.stop().catch(() => undefined);
      if (this.#closed) throw ManagerErrors.shuttingDown();
      if (entry.forgotten) throw ManagerErrors.stopped(projectId);
      throw ManagerErrors.reloadFailed(projectId, error instanceof Error ? error.message : String(error));
    } finally {
      entry.abort = undefined;
    }
    if (this.#closed || entry.forgotten) {
      await next.stop();
      throw this.#closed ? ManagerErrors.shuttingDown() : ManagerErrors.stopped(projectId);
    }
    // the old one may have crashed meanwhile; the new one takes over either way
    entry.failures = 0;
    this.#attach(entry, next);
    this.#logger.info({ project: projectId, url: next.url, previous: old.url }, 'data API reloaded with new settings');
    // the gateway may still send to the old URL for a moment: let it serve, then stop it
    await delay(this.#drainMs);
    await old.stop();
  }

  // --- adoption

  async #adoptOrDiscard(projectId: string, candidates: DiscoveredDataApi[]): Promise<void> {
    let settings: DataApiSettings | undefined;
    try {
      settings = await this.#source.settingsFor(projectId);
    } catch (error) {
      if (!(error instanceof LaunchDbError && error.code === 'project_not_ready')) throw error;
    }
    const hash = settings ? settingsHash(settings) : undefined;
    let adopted: DataApiInstance | undefined;
    for (const candidate of [...candidates].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())) {
      if (!adopted && settings && candidate.settingsHash === hash) {
        adopted = await this.#driver.adopt(candidate, settings);
        if (adopted) continue;
      }
      const why = !settings ? 'its project is not active' : candidate.settingsHash !== hash ? 'its settings are out of date' : adopted ? 'another one serves the project' : 'it does not answer';
      this.#logger.info({ project: projectId, found: candidate.description, reason: why }, 'removing a data API left by an earlier manager');
      await this.#driver.discard(candidate);
    }
    if (adopted) this.#attach(this.#entryFor(projectId), adopted);
  }

  // --- bookkeeping

  async #startAll(entries: Entry[]): Promise<void> {
    const queue = [...entries];
    const worker = async (): Promise<void> => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) await this.#ensureRunning(entry).catch(() => undefined);
    };
    await Promise.all(Array.from({ length: Math.min(this.#bootConcurrency, queue.length) }, worker));
  }

  #entryFor(projectId: string): Entry {
    let entry = this.#entries.get(projectId);
    if (!entry) {
      entry = this.#newEntry(projectId);
      this.#entries.set(projectId, entry);
    }
    return entry;
  }

  #newEntry(projectId: string): Entry {
    return {
      projectId,
      state: 'sleeping',
      instance: undefined,
      restarts: 0,
      failures: 0,
      healthFailures: 0,
      probing: false,
      lastRequestAt: undefined,
      activityAt: Date.now(),
      startedAt: undefined,
      lastError: undefined,
      lastLogs: [],
      nextAttemptAt: undefined,
      retryTimer: undefined,
      launching: undefined,
      abort: undefined,
      queue: Promise.resolve(),
      forgotten: false,
    };
  }

  #forget(entry: Entry): void {
    entry.forgotten = true;
    clearTimeout(entry.retryTimer);
    entry.retryTimer = undefined;
    entry.abort?.abort();
    if (this.#entries.get(entry.projectId) === entry) this.#entries.delete(entry.projectId);
  }

  #exclusive<T>(entry: Entry, operation: () => Promise<T>): Promise<T> {
    const run = entry.queue.then(operation, operation);
    entry.queue = run.catch(() => undefined);
    return run;
  }

  #retryAfterSeconds(entry: Entry): number {
    const waitMs = (entry.nextAttemptAt ?? Date.now()) - Date.now();
    return Math.max(1, Math.ceil(waitMs / 1000));
  }

  #refuseWhenClosed(): void {
    if (this.#closed) throw ManagerErrors.shuttingDown();
  }

  #stopTimers(): void {
    clearInterval(this.#healthTimer);
    clearInterval(this.#idleTimer);
  }

  #status(entry: Entry): DataApiStatus {
    const instance = entry.instance;
    return {
      projectId: entry.projectId,
      driver: this.#driver.kind,
      url: instance?.url ?? null,
      state: entry.state,
      pid: instance?.pid ?? null,
      containerId: instance?.containerId ?? null,
      restarts: entry.restarts,
      lastRequestAt: entry.lastRequestAt !== undefined ? new Date(entry.lastRequestAt).toISOString() : null,
      startedAt: instance ? instance.startedAt.toISOString() : null,
      lastError: entry.lastError ?? null,
      nextAttemptAt: entry.nextAttemptAt !== undefined && (entry.state === 'restarting' || entry.state === 'failed') ? new Date(entry.nextAttemptAt).toISOString() : null,
    };
  }
}
