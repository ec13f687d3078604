import type { DataApiLocation, DataApiLocator } from '@launchdb/common';

export interface CachedDataApiLocatorOptions {
  /** How long a `ready` location is reused without asking again. */
  reuseMs: number;
  /** The longest a caller waits for one locate (a wake from zero included). */
  timeoutMs: number;
  now?: () => number;
  /** Told when the locator fails or times out (the caller still gets `unavailable`). */
  onLocateFailure?: (projectId: string, error: unknown) => void;
}

interface Ready {
  location: Extract<DataApiLocation, { state: 'ready' }>;
  until: number;
}

/**
 * postgrest-manager's locator with a short memory: a `ready` location is reused for `reuseMs`
 * (postgrest-manager scales an API to zero only after ≥ 2 s without a locate, so reusing for
 * 1 s never sends a request to a stopped API), callers asking for the same project at the same
 * time share one locate, and a locate that fails or outlasts `timeoutMs` becomes `unavailable`
 * rather than an error or a hang. forget() is for when a located API turned out not to answer.
 */
export class CachedDataApiLocator implements DataApiLocator {
  readonly #inner: DataApiLocator;
  readonly #reuseMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #onLocateFailure: ((projectId: string, error: unknown) => void) | undefined;
  readonly #ready = new Map<string, Ready>();
  readonly #inFlight = new Map<string, Promise<DataApiLocation>>();

  constructor(inner: DataApiLocator, options: CachedDataApiLocatorOptions) {
    this.#inner = inner;
    this.#reuseMs = options.reuseMs;
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now ?? Date.now;
    this.#onLocateFailure = options.onLocateFailure;
  }

  locate(projectId: string): Promise<DataApiLocation> {
    const ready = this.#ready.get(projectId);
    if (ready !== undefined && ready.until > this.#now()) return Promise.resolve(ready.location);
    const pending = this.#inFlight.get(projectId);
    if (pending !== undefined) return pending;
    const located = this.#locate(projectId).finally(() => this.#inFlight.delete(projectId));
    this.#inFlight.set(projectId, located);
    return located;
  }

  forget(projectId: string): void {
    this.#ready.delete(projectId);
  }

  async #locate(projectId: string): Promise<DataApiLocation> {
    this.#ready.delete(projectId);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#timeoutMs);
    });
    let location: DataApiLocation | 'timeout';
    try {
      location = await Promise.race([this.#inner.locate(projectId), timeout]);
    } catch (error) {
      this.#onLocateFailure?.(projectId, error);
      return { state: 'unavailable', retryAfterSeconds: 1, reason: 'its manager did not answer' };
    } finally {
      clearTimeout(timer);
    }
    if (location === 'timeout') {
      this.#onLocateFailure?.(projectId, new Error(`locate took longer than ${this.#timeoutMs} ms`));
      return { state: 'unavailable', retryAfterSeconds: 1, reason: 'it did not start in time' };
    }
    if (location.state === 'ready') this.#ready.set(projectId, { location, until: this.#now() + this.#reuseMs });
    return location;
  }
}
