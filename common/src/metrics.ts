import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

/**
 * The registry a service's /metrics answers from: Node's own metrics (event loop lag, heap,
 * GC) and a `service` label on every series. `launchdb up` makes one for the whole process
 * and hands it to each part, so every part adds its collectors the same way in both topologies.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Answers GET /metrics from the registry on a plain node:http server (services without Fastify:
 * the worker, backup). Returns true when it answered.
 */
export function answerMetrics(registry: Registry, request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== 'GET' || request.url?.split('?', 1)[0] !== '/metrics') return false;
  registry.metrics().then(
    (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
    (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error.message}\n`),
  );
  return true;
}

/** A server answering only GET /metrics (and GET /health with `{"status":"ok"}`), for a service with no HTTP of its own. */
export function startMetricsServer(registry: Registry, address: { host: string; port: number }): Promise<Server> {
  const server = createServer((request, response) => {
    if (answerMetrics(registry, request, response)) return;
    if (request.method === 'GET' && request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/**
 * What `read` gives within `ms`, else `fallback()`: a scrape never waits on a slow database or
 * console longer than its budget (Prometheus' own scrape timeout is 10 s by default).
 */
export async function withinBudget<T>(read: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), ms);
    timer.unref();
  });
  read.catch(() => undefined);
  try {
    return await Promise.race([read.catch(() => fallback()), late]);
  } finally {
    clearTimeout(timer);
  }
}
