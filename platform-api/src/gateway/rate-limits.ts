import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CreateRateLimitOptions } from '@fastify/rate-limit';
import { GatewayErrors, type GatewayError } from './errors.ts';

const ONE_MINUTE_MS = 60_000;
/** How many keys each limit counts at once; the least recently seen are dropped first. */
const COUNTED_KEYS = 100_000;

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

export interface RateLimitSettings {
  requestsPerMinutePerProject: number;
  requestsPerMinutePerClient: number;
}

/**
 * The gateway's two limits, on @fastify/rate-limit's counters: one per client address within
 * a project, one per project for all its clients. Both are checked by hand rather than as
 * route hooks because the plugin runs only the first of its hooks on a request; the client's
 * limit is checked first so that a client over its own limit does not use up its project's.
 */
export class GatewayRateLimits {
  readonly #perClient: Limiter | undefined;
  readonly #perProject: Limiter | undefined;

  constructor(app: FastifyInstance, settings: RateLimitSettings, projectOf: (request: FastifyRequest) => string) {
    this.#perClient = limiter(app, settings.requestsPerMinutePerClient, (request) => `${projectOf(request)} ${request.ip}`);
    this.#perProject = limiter(app, settings.requestsPerMinutePerProject, projectOf);
  }

  /** Counts the request; the error to answer with when it is over a limit. */
  async check(request: FastifyRequest): Promise<GatewayError | undefined> {
    if (this.#perClient !== undefined) {
      const client = await this.#perClient(request);
      if (!client.isAllowed && client.isExceeded) return GatewayErrors.rateLimited('client', Math.max(1, client.ttlInSeconds));
    }
    if (this.#perProject !== undefined) {
      const project = await this.#perProject(request);
      if (!project.isAllowed && project.isExceeded) return GatewayErrors.rateLimited('project', Math.max(1, project.ttlInSeconds));
    }
    return undefined;
  }
}

function limiter(app: FastifyInstance, perMinute: number, keyGenerator: (request: FastifyRequest) => string): Limiter | undefined {
  if (perMinute === 0) return undefined;
  // createRateLimit reads `cache` like the plugin's own options, though its type leaves it out
  const options: CreateRateLimitOptions & { cache: number } = { max: perMinute, timeWindow: ONE_MINUTE_MS, keyGenerator, cache: COUNTED_KEYS };
  return app.createRateLimit(options);
}
