import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { createMetricsRegistry } from './metrics.ts';

export interface HttpMetricsOptions {
  /** `platform-api`, `auth-service`, … : the `service` label. */
  service: string;
  /** Projects beyond the busiest `topProjects` are counted as `other`, so series stay bounded. */
  topProjects?: number;
  /** How often the busiest projects are chosen again. */
  rankEveryMs?: number;
  /** The process's registry (`launchdb up`: one for every part); a new one when absent. */
  registry?: Registry;
  /**
   * Whether this app answers GET /metrics itself (true by default): false where the app is
   * public, as in `launchdb up`, whose metrics are served on an internal port instead.
   */
  serve?: boolean;
}

/** `/db/<id>/…`, `/p/<id>/<api>/v1/…`, `/auth/<id>/…`, `/storage/<id>/…`, `/api/…` → group and project. */
export function requestRouteGroup(url: string): { group: string; project: string | undefined } {
  const path = url.split('?', 1)[0]!;
  const supabase = /^\/p\/([^/]+)\/(rest|auth|storage)\/v1(?:\/|$)/.exec(path);
  if (supabase) return { group: supabase[2] === 'rest' ? 'db' : supabase[2]!, project: supabase[1] };
  const own = /^\/(db|auth|storage)\/([^/]+)(?:\/|$)/.exec(path);
  if (own) return { group: own[1]!, project: own[2] };
  if (path === '/api' || path.startsWith('/api/')) return { group: 'api', project: undefined };
  if (path === '/health' || path === '/metrics') return { group: 'internal', project: undefined };
  return { group: 'other', project: undefined };
}

/**
 * Keeps a project label for the busiest projects only: request counts since the last ranking
 * choose the next `size`; every other project is `other`. A thousand idle projects add no series.
 */
export class BusiestProjects {
  readonly #size: number;
  #counts = new Map<string, number>();
  #labelled = new Set<string>();

  constructor(size: number) {
    this.#size = size;
  }

  /** Counts one request (or `weight`: connections in use, for pools) and says how to label it. */
  label(project: string, weight = 1): string {
    this.#counts.set(project, (this.#counts.get(project) ?? 0) + weight);
    // until the first ranking, the first comers hold the places
    if (!this.#labelled.has(project) && this.#labelled.size < this.#size) this.#labelled.add(project);
    return this.#labelled.has(project) ? project : 'other';
  }

  rank(): void {
    const busiest = [...this.#counts].sort((a, b) => b[1] - a[1]).slice(0, this.#size);
    this.#labelled = new Set(busiest.map(([project]) => project));
    this.#counts = new Map();
  }
}

/**
 * Prometheus metrics of one service at GET /metrics on its own (internal) port; Caddy answers
 * /metrics with 404, so they are read inside the network only. Requests by route group, status
 * class and project (busiest N, then `other`), latency by group and status class, and Node's
 * own (event loop lag, heap, GC).
 */
export function registerHttpMetrics(app: FastifyInstance, options: HttpMetricsOptions): Registry {
  const registry = options.registry ?? createMetricsRegistry(options.service);
  const requests = new Counter({
    name: 'launchdb_http_requests_total',
    help: 'HTTP requests answered, by route group, status class and project (the busiest, then other)',
    labelNames: ['group', 'status_class', 'project'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'launchdb_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route group and status class',
    labelNames: ['group', 'status_class'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const projects = new BusiestProjects(options.topProjects ?? 20);
  const ranking = setInterval(() => projects.rank(), options.rankEveryMs ?? 60_000);
  ranking.unref();
  app.addHook('onClose', async () => clearInterval(ranking));

  const started = new WeakMap<FastifyRequest, bigint>();
  app.addHook('onRequest', async (request) => void started.set(request, process.hrtime.bigint()));
  app.addHook('onResponse', async (request, reply) => {
    const { group, project } = requestRouteGroup(request.url);
    if (group === 'internal') return;
    const statusClass = `${Math.floor(reply.statusCode / 100)}xx`;
    requests.inc({ group, status_class: statusClass, project: project === undefined ? '' : projects.label(project) });
    const begin = started.get(request);
    if (begin !== undefined) duration.observe({ group, status_class: statusClass }, Number(process.hrtime.bigint() - begin) / 1e9);
  });
  if (options.serve !== false) serveMetrics(app, registry);
  return registry;
}

/** GET /metrics on this (internal) app, from the registry. */
export function serveMetrics(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
