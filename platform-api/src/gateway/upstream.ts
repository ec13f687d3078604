import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';

export interface DataApiUpstreamOptions {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  connectionsPerOrigin: number;
}

export interface UpstreamRequest {
  /** The data API's base URL (scheme, host, port), as its locator gave it. */
  origin: string;
  path: string;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string | string[]>;
  body: Readable | null;
  signal: AbortSignal;
}

export type UpstreamResponse = Dispatcher.ResponseData;

/**
 * HTTP to the data APIs: one undici Agent, which keeps a keep-alive pool per data API origin
 * and drops it once its connections are gone (an API that moved after a restart leaves nothing
 * behind). Bodies stream both ways; nothing here buffers one.
 */
export class DataApiUpstream {
  readonly #agent: Agent;

  constructor(options: DataApiUpstreamOptions) {
    this.#agent = new Agent({
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      connections: options.connectionsPerOrigin,
    });
  }

  send(request: UpstreamRequest): Promise<UpstreamResponse> {
    return this.#agent.request({
      origin: request.origin,
      path: request.path,
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
    });
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

/**
 * What went wrong before the data API answered:
 * - `connection`: it could not be reached or dropped the connection (crashed, stopped, moved);
 * - `timeout`: it took the connection but did not answer in time;
 * - `aborted`: we gave up (the client left, or its body was refused);
 * - `other`: a bug of ours.
 */
export type UpstreamFailure = 'connection' | 'timeout' | 'aborted' | 'other';

const CONNECTION_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

export function classifyUpstreamFailure(error: unknown): UpstreamFailure {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (CONNECTION_FAILURES.has(code)) return 'connection';
    if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'timeout';
    if (code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') return 'aborted';
  }
  if ((error as { name?: unknown } | null)?.name === 'AbortError') return 'aborted';
  return 'other';
}
