import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { PROJECT_ID_PATTERN, type DataApiLocation } from '@launchdb/common';
import type { CachedDataApiLocator } from './cached-data-api-locator.ts';
import { preflightHeaders } from '@launchdb/common';
import { GatewayErrors } from './errors.ts';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './forwarded-headers.ts';
import type { ProjectKeyDirectory } from './project-key-directory.ts';
import type { GatewayRateLimits } from './rate-limits.ts';
import { hasRequestBody, RequestBody } from './request-body.ts';
import { upstreamTarget } from './request-target.ts';
import { classifyUpstreamFailure, type DataApiUpstream, type UpstreamRequest, type UpstreamResponse } from './upstream.ts';

export interface ProxyRouteDependencies {
  keys: ProjectKeyDirectory;
  locations: CachedDataApiLocator;
  upstream: DataApiUpstream;
  limits: GatewayRateLimits;
  bodyLimitBytes: number;
}

const METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Where the gateway answers, and how many path segments name the project's API rather than the resource. */
const MOUNTS = [
  { url: '/db/:projectId', prefixSegments: 2 },
  { url: '/db/:projectId/*', prefixSegments: 2 },
  { url: '/p/:projectId/rest/v1', prefixSegments: 4 },
  { url: '/p/:projectId/rest/v1/*', prefixSegments: 4 },
];

/** Safe to send twice: a read whose connection failed before any answer is retried once on a fresh location. */
const RETRIED_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** No body follows these, whatever the data API says about its length. */
const BODILESS_STATUSES = new Set([204, 304]);

export function projectOf(request: FastifyRequest): string {
  return (request.params as { projectId: string }).projectId;
}

/**
 * `/db/{project}/*` and `/p/{project}/rest/v1/*`: a preflight is answered here; any other
 * request needs one of the project's keys and passes the rate limits, then streams to the
 * project's data API and its answer streams back.
 */
export function proxyRoute(app: FastifyInstance, deps: ProxyRouteDependencies): void {
  // Fastify logs each request at info: too many lines, and time, on the gateway's hot path. A
  // quieter level is kept, a more verbose one (debug, for troubleshooting) too.
  const quieter = app.log.level === 'info' ? { logLevel: 'warn' as const } : {};
  for (const mount of MOUNTS) {
    app.route({
      method: METHODS,
      url: mount.url,
      exposeHeadRoute: false,
      ...quieter,
      handler: (request, reply) => proxy(request, reply, mount.prefixSegments, deps),
    });
  }
}

async function proxy(request: FastifyRequest, reply: FastifyReply, prefixSegments: number, deps: ProxyRouteDependencies): Promise<FastifyReply> {
  const raw = request.raw;
  const method = request.method;
  const preflight = preflightHeaders(method, raw.headers);
  if (preflight !== undefined) return reply.code(200).headers(preflight).send();

  const projectId = projectOf(request);
  const target = upstreamTarget(raw.url ?? '/', prefixSegments);
  const headerKey = raw.headers['apikey'];
  const apikey = typeof headerKey === 'string' && headerKey !== '' ? headerKey : target.queryApiKey;
  if (apikey === undefined || apikey === '') throw GatewayErrors.noApiKey();
  if (!PROJECT_ID_PATTERN.test(projectId)) throw GatewayErrors.projectNotFound(projectId);

  let access;
  try {
    access = await deps.keys.lookup(projectId);
  } catch (error) {
    request.log.error({ err: error, projectId }, 'reading the project and its keys failed');
    throw GatewayErrors.platformUnavailable();
  }
  switch (access.state) {
    case 'active':
      break;
    case 'provisioning':
      throw GatewayErrors.projectProvisioning(projectId);
    case 'failed':
      throw GatewayErrors.projectFailed(projectId);
    case 'missing':
    case 'deleting':
      throw GatewayErrors.projectNotFound(projectId);
  }
  if (!access.accepts(apikey)) throw GatewayErrors.invalidApiKey();

  const declaredLength = raw.headers['content-length'];
  if (declaredLength !== undefined && Number(declaredLength) > deps.bodyLimitBytes) throw GatewayErrors.payloadTooLarge(deps.bodyLimitBytes);

  const limited = await deps.limits.check(request);
  if (limited !== undefined) throw limited;

  const body = hasRequestBody(raw) ? RequestBody.of(raw, deps.bodyLimitBytes) : null;
  const abort = new AbortController();
  // the client left: the data API need not finish (a response already streaming is stopped by
  // Fastify). Only then: abort() is not free, it builds a DOMException.
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  const upstreamRequest: UpstreamRequest = {
    origin: '',
    path: target.path,
    method: method as UpstreamRequest['method'],
    headers: upstreamRequestHeaders(raw.headers, {
      requestId: request.id,
      peerAddress: raw.socket.remoteAddress ?? '',
      protocol: request.protocol,
      host: request.host,
      apikey,
    }),
    body,
    signal: abort.signal,
  };

  const response = await send(request, projectId, upstreamRequest, deps, body);
  // the data API answered before reading all of the body: what is left cannot be skipped on this connection
  if (body !== null && !raw.complete) reply.header('connection', 'close');
  reply.code(response.statusCode).headers(downstreamResponseHeaders(response.headers));
  if (method === 'HEAD' || BODILESS_STATUSES.has(response.statusCode)) {
    response.body.resume();
    return reply.send();
  }
  return reply.send(response.body);
}

async function send(
  request: FastifyRequest,
  projectId: string,
  upstreamRequest: UpstreamRequest,
  deps: ProxyRouteDependencies,
  body: RequestBody | null,
): Promise<UpstreamResponse> {
  let retried = false;
  for (;;) {
    const location = ready(projectId, await deps.locations.locate(projectId));
    try {
      return await deps.upstream.send({ ...upstreamRequest, origin: location.url });
    } catch (error) {
      if (upstreamRequest.signal.aborted || body?.clientGone) throw GatewayErrors.clientGone();
      if (body?.exceeded) throw GatewayErrors.payloadTooLarge(deps.bodyLimitBytes);
      const failure = classifyUpstreamFailure(error);
      if (failure === 'connection') {
        // crashed, stopped or moved: ask the locator again rather than trust this address
        deps.locations.forget(projectId);
        if (!retried && body === null && RETRIED_METHODS.has(upstreamRequest.method)) {
          retried = true;
          continue;
        }
        request.log.warn({ projectId, dataApi: location.url, code: (error as { code?: string }).code }, 'the data API did not answer');
        throw GatewayErrors.dataApiUnavailable(projectId, 'it does not answer', 1);
      }
      if (failure === 'timeout') throw GatewayErrors.dataApiTimeout(projectId);
      request.log.error({ err: error, projectId }, 'proxying to the data API failed');
      throw GatewayErrors.internal();
    }
  }
}

function ready(projectId: string, location: DataApiLocation): Extract<DataApiLocation, { state: 'ready' }> {
  if (location.state === 'ready') return location;
  if (location.state === 'unavailable') throw GatewayErrors.dataApiUnavailable(projectId, location.reason, location.retryAfterSeconds);
  throw GatewayErrors.dataApiUnavailable(projectId, 'it is not running', 1);
}
