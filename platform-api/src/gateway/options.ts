import { ConfigError } from '@launchdb/common';

/** The gateway's limits and timeouts; every one has a default. */
export interface GatewayOptions {
  /** Largest request body passed to a data API, in bytes; a larger one gets 413 and never reaches it. */
  bodyLimitBytes: number;
  /** Requests per minute to one project from all clients together; 0 turns the limit off. */
  requestsPerMinutePerProject: number;
  /** Requests per minute from one client address to one project; 0 turns the limit off. */
  requestsPerMinutePerClient: number;
  /** Opening a connection to a data API (on this machine or the compose network: short). */
  upstreamConnectTimeoutMs: number;
  /** From the request sent to the response headers: the longest query a data API may run. */
  upstreamHeadersTimeoutMs: number;
  /** The longest pause between two chunks of a response body. */
  upstreamBodyTimeoutMs: number;
  /** Keep-alive connections per data API. */
  upstreamConnectionsPerDataApi: number;
  /** The longest wait for a data API to be located, a wake from zero included. */
  locateTimeoutMs: number;
  /** How long a `ready` location is reused before the locator is asked again (postgrest-manager counts those asks as activity). */
  locationReuseMs: number;
  /** How long a project's status and keys are trusted before they are read again (forget() ends it sooner). */
  keyCacheTtlMs: number;
}

export const DEFAULT_GATEWAY_OPTIONS: Readonly<GatewayOptions> = {
  bodyLimitBytes: 10 * 1024 * 1024,
  requestsPerMinutePerProject: 60_000,
  requestsPerMinutePerClient: 6_000,
  upstreamConnectTimeoutMs: 2_000,
  upstreamHeadersTimeoutMs: 60_000,
  upstreamBodyTimeoutMs: 60_000,
  upstreamConnectionsPerDataApi: 128,
  locateTimeoutMs: 15_000,
  locationReuseMs: 1_000,
  keyCacheTtlMs: 5_000,
};

export function gatewayOptions(given: Partial<GatewayOptions> = {}): GatewayOptions {
  const options = { ...DEFAULT_GATEWAY_OPTIONS };
  for (const [key, value] of Object.entries(given) as Array<[keyof GatewayOptions, number | undefined]>) {
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) throw new ConfigError(`gateway option ${key}: expected a non-negative number, got ${value}`);
    options[key] = value;
  }
  return options;
}
