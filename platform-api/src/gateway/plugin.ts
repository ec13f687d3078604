import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { answerUnroutableUrlsUnder, rejectUnstorableInput, type DataApiLocator, type Pool, type SecretBox } from '@launchdb/common';
import { CachedDataApiLocator } from './cached-data-api-locator.ts';
import { GatewayError, GatewayErrors, renderGatewayError } from './errors.ts';
import { gatewayOptions, type GatewayOptions } from './options.ts';
import { ProjectKeyDirectory } from './project-key-directory.ts';
import { projectOf, proxyRoute } from './proxy-route.ts';
import { GatewayRateLimits } from './rate-limits.ts';
import { DataApiUpstream } from './upstream.ts';

export interface GatewayDependencies {
  /** The platform database: platform.projects, platform.api_keys, platform.secrets. */
  db: Pool;
  /** Decrypts the projects' keys (LAUNCHDB_MASTER_KEY). */
  secrets: SecretBox;
  /** postgrest-manager's client: where each project's data API answers (wakes it when scaled to zero). */
  locator: DataApiLocator;
  options?: Partial<GatewayOptions>;
}

/** What the rest of platform-api needs of the gateway once it is registered. */
export interface Gateway {
  /** Drops what the gateway remembers of a project — call it after a key rotation, a status change or a deletion. */
  forget(projectId: string): void;
  readonly keys: ProjectKeyDirectory;
  readonly locations: CachedDataApiLocator;
  readonly options: Readonly<GatewayOptions>;
}

/**
 * Adds `/db/{project}/*` and `/p/{project}/rest/v1/*` to the platform API, in a scope of their
 * own: its bodies are never parsed (they stream to the data API), and its errors have
 * PostgREST's shape rather than the control plane's. Register it on the root instance, after
 * @fastify/rate-limit (it registers one itself when the app has none).
 */
export async function registerGateway(app: FastifyInstance, deps: GatewayDependencies): Promise<Gateway> {
  const options = gatewayOptions(deps.options);
  const keys = ProjectKeyDirectory.fromDatabase(deps.db, deps.secrets, { ttlMs: options.keyCacheTtlMs });
  const locations = new CachedDataApiLocator(deps.locator, {
    reuseMs: options.locationReuseMs,
    timeoutMs: options.locateTimeoutMs,
    onLocateFailure: (projectId, error) => app.log.warn({ err: error, projectId }, 'locating the data API failed'),
  });
  const upstream = new DataApiUpstream({
    connectTimeoutMs: options.upstreamConnectTimeoutMs,
    headersTimeoutMs: options.upstreamHeadersTimeoutMs,
    bodyTimeoutMs: options.upstreamBodyTimeoutMs,
    connectionsPerOrigin: options.upstreamConnectionsPerDataApi,
  });

  answerUnroutableUrlsUnder(app, /^\/(?:db\/|p\/[^/]+\/rest\/v1(?:[/?]|$))/, (error, _request, reply: FastifyReply) => {
    const rendered = renderGatewayError(GatewayErrors.badRequest(error.statusCode ?? 400, error.message));
    return reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
  });
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    rejectUnstorableInput(scope, GatewayErrors.unstorableInput);
    // any body, of any type, is left unread for the proxy to stream
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.setErrorHandler((error, request, reply) => {
      const known = toGatewayError(error);
      if (known.code === 'internal_error') request.log.error({ err: error }, 'gateway request failed');
      const rendered = renderGatewayError(known);
      // a body the proxy began to read and did not finish leaves the connection unusable for another request
      if (request.raw.readableFlowing !== null && !request.raw.complete) reply.header('connection', 'close');
      return reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
    });
    if (!scope.hasDecorator('createRateLimit')) await scope.register(rateLimit, { global: false });
    const limits = new GatewayRateLimits(scope, options, projectOf);
    proxyRoute(scope, { keys, locations, upstream, limits, bodyLimitBytes: options.bodyLimitBytes });
  });
  app.addHook('onClose', () => upstream.close());

  return {
    forget(projectId) {
      keys.forget(projectId);
      locations.forget(projectId);
    },
    keys,
    locations,
    options,
  };
}

function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const fastifyError = error as Partial<FastifyError>;
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return GatewayErrors.badRequest(fastifyError.statusCode, fastifyError.message ?? 'bad request');
  }
  return GatewayErrors.internal();
}
