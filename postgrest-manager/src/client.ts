import { LaunchDbError, type DataApiControl, type DataApiLocation, type DataApiLocator } from '@launchdb/common';
import type { DataApiDetails, DataApiStatus } from './domain/data-api-fleet.ts';
import { ManagerErrors } from './errors.ts';

export interface PostgrestManagerClientOptions {
  /** e.g. http://127.0.0.1:8081 */
  baseUrl: string;
  /** POSTGREST_MANAGER_INTERNAL_KEY */
  internalKey: string;
  /** For list, status and stop; 10 s by default. */
  timeoutMs?: number;
  /** For spawn, reload and wake, which wait for a data API to start; 60 s by default (the manager gives up on a start after 20 s). */
  startTimeoutMs?: number;
}

/**
 * postgrest-manager over HTTP, for platform-api: the control port (spawn, stop, reload) and the
 * gateway's locator. The manager's errors come back as LaunchDbErrors with its codes
 * (`project_not_found`, `data_api_start_failed`, …); an unreachable manager is
 * `postgrest_manager_unavailable` (503).
 */
export class PostgrestManagerClient implements DataApiControl, DataApiLocator {
  readonly #baseUrl: string;
  readonly #internalKey: string;
  readonly #timeoutMs: number;
  readonly #startTimeoutMs: number;

  constructor(options: PostgrestManagerClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#internalKey = options.internalKey;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#startTimeoutMs = options.startTimeoutMs ?? 60_000;
  }

  /** Resolves once the data API is ready. */
  async spawn(projectId: string): Promise<void> {
    await this.#done(await this.#request('POST', '/internal/postgrest/spawn', this.#startTimeoutMs, { projectId }));
  }

  async stop(projectId: string): Promise<void> {
    await this.#done(await this.#request('DELETE', `/internal/postgrest/${encodeURIComponent(projectId)}`, this.#timeoutMs));
  }

  /** Resolves once the replacement serves and the old one has drained (about 2 s). */
  async reload(projectId: string): Promise<void> {
    await this.#done(await this.#request('POST', `/internal/postgrest/${encodeURIComponent(projectId)}/reload`, this.#startTimeoutMs));
  }

  /** Never throws for a data API that is down or a manager that does not answer: those are `unavailable`. */
  async locate(projectId: string): Promise<DataApiLocation> {
    let response: Response;
    try {
      response = await this.#request('POST', `/internal/postgrest/${encodeURIComponent(projectId)}/wake`, this.#startTimeoutMs);
    } catch (error) {
      return { state: 'unavailable', retryAfterSeconds: 1, reason: (error as Error).message };
    }
    if (response.status === 200) {
      const body = (await response.json()) as { url: string };
      return { state: 'ready', url: body.url };
    }
    const error = await this.#errorOf(response);
    if (error.code === 'project_not_found') return { state: 'unknown' };
    if (response.status === 503) {
      const header = Number(response.headers.get('retry-after'));
      return { state: 'unavailable', retryAfterSeconds: Number.isFinite(header) && header > 0 ? header : 1, reason: error.message };
    }
    throw error;
  }

  async list(): Promise<DataApiStatus[]> {
    const response = await this.#expectOk(await this.#request('GET', '/internal/postgrest', this.#timeoutMs));
    return ((await response.json()) as { dataApis: DataApiStatus[] }).dataApis;
  }

  /** Undefined for no such project. */
  async status(projectId: string): Promise<DataApiDetails | undefined> {
    const response = await this.#request('GET', `/internal/postgrest/${encodeURIComponent(projectId)}`, this.#timeoutMs);
    if (response.status === 404) {
      const error = await this.#errorOf(response);
      if (error.code === 'project_not_found') return undefined;
      throw error;
    }
    return (await (await this.#expectOk(response)).json()) as DataApiDetails;
  }

  async #request(method: string, path: string, timeoutMs: number, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${this.#baseUrl}${path}`, {
        method,
        headers: {
          'x-internal-key': this.#internalKey,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw ManagerErrors.managerUnreachable(this.#baseUrl, reason);
    }
  }

  async #done(response: Response): Promise<void> {
    await (await this.#expectOk(response)).arrayBuffer();
  }

  async #expectOk(response: Response): Promise<Response> {
    if (response.ok) return response;
    throw await this.#errorOf(response);
  }

  async #errorOf(response: Response): Promise<LaunchDbError> {
    const text = await response.text().catch(() => '');
    let parsed: { error?: { code?: unknown; message?: unknown } } | undefined;
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    const code = typeof parsed?.error?.code === 'string' ? parsed.error.code : 'postgrest_manager_error';
    const message = typeof parsed?.error?.message === 'string' ? parsed.error.message : `postgrest-manager answered ${response.status}`;
    const retryAfter = Number(response.headers.get('retry-after'));
    return new LaunchDbError(code, response.status, message, Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : undefined);
  }
}
