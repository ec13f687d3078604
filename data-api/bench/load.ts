import autocannon, { type AutocannonRequest } from 'autocannon';
import { processCpuSeconds, type ForeignCpu } from './machine-load.ts';
import type { Scenario } from './scenarios.ts';

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
  /** Stop after this many requests instead (smoke mode: autocannon's shortest timed run is a whole second). */
  requests?: number | undefined;
}

export interface LoadResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  /** Latency percentiles in ms, from every response's own timing (autocannon's histogram rounds to whole ms). */
  p50: number;
  p90: number;
  p99: number;
  /** Responses with another status than the scenario expects, and connection errors. */
  unexpected: number;
  errors: number;
  /** Every response's latency in ms, sorted. */
  latencies: number[];
  /** CPU used meanwhile by processes outside the bench, in cores (see machine-load.ts). */
  foreignCores: number;
  /** CPU time of the server process per response, in µs (NaN when not measured). */
  serverCpuMicros: number;
}

/**
 * autocannon against one server with one scenario's requests. The lookup's path changes on
 * every request; the others repeat one request.
 */
export function runLoad(baseUrl: string, scenario: Scenario, options: LoadOptions, foreign?: ForeignCpu, serverPid?: number): Promise<LoadResult> {
  let counter = 0;
  const request: AutocannonRequest = {
    method: scenario.method,
    path: scenario.path(0),
    headers: scenario.headers,
    ...(scenario.body === undefined ? {} : { body: scenario.body }),
  };
  if (scenario.name === 'lookup') request.setupRequest = (current) => ({ ...current, path: scenario.path(counter++) });

  const latencies: number[] = [];
  let unexpected = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections: options.connections,
        // autocannon looks whether a run is over once per sample interval (1 s by default)
        ...(options.requests === undefined ? { duration: options.durationSeconds } : { amount: options.requests, sampleInt: 50 }),
        timeout: 10,
        requests: [request],
      },
      (error, result) => {
        if (error) return reject(error);
        const serverCpu = serverPid === undefined ? Number.NaN : processCpuSeconds(serverPid) - serverCpuBefore;
        resolve(summarise(latencies, result.duration, unexpected, result.errors, foreign?.stop() ?? Number.NaN, (serverCpu * 1e6) / latencies.length));
      },
    );
    foreign?.start();
    const serverCpuBefore = serverPid === undefined ? 0 : processCpuSeconds(serverPid);
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode !== scenario.expectedStatus) unexpected += 1;
      latencies.push(responseTime);
    });
  });
}

/** Several runs of one server as one: requests over the summed durations, percentiles over every response. */
export function combineLoads(results: LoadResult[]): LoadResult {
  const latencies = results.flatMap((result) => result.latencies);
  const sum = (pick: (result: LoadResult) => number): number => results.reduce((total, result) => total + pick(result), 0);
  const durationSeconds = sum((result) => result.durationSeconds);
  const foreignCores = sum((result) => result.foreignCores * result.durationSeconds) / durationSeconds;
  const serverCpuMicros = sum((result) => result.serverCpuMicros * result.requests) / latencies.length;
  return summarise(latencies, durationSeconds, sum((result) => result.unexpected), sum((result) => result.errors), foreignCores, serverCpuMicros);
}

function summarise(latencies: number[], durationSeconds: number, unexpected: number, errors: number, foreignCores: number, serverCpuMicros: number): LoadResult {
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    durationSeconds,
    requestsPerSecond: latencies.length / durationSeconds,
    p50: percentile(latencies, 0.5),
    p90: percentile(latencies, 0.9),
    p99: percentile(latencies, 0.99),
    unexpected,
    errors,
    latencies,
    foreignCores,
    serverCpuMicros,
  };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
