import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Logger } from '@launchdb/common/logger';
import { REQUEST_ID_OPTIONS } from '@launchdb/common/request-ids';
import type { DataApiConfig } from './config/config.ts';
import { Errors, PgrstError } from './errors.ts';
import { internalError, renderError, type HttpResponse } from './response/response.ts';
import type { BuildPlan, ConfigSource, ParseApiRequest, RawRequest, SchemaCacheSource } from './server/dependencies.ts';
import { lazyChildLogger } from './server/lazy-logger.ts';
import { schemalessController } from './server/schemaless.ts';
import type { ReadPlans } from './server/read-plans.ts';
import { handleApiRequest } from './server/pipeline.ts';

export interface DataApiDependencies {
  /** The settings, or a source of them when `reload config` may replace them while running. */
  config: DataApiConfig | ConfigSource<DataApiConfig>;
  logger: Logger;
  /** Connections as the authenticator (through PgBouncer in production). */
  pool: pg.Pool;
  schemaCache: SchemaCacheSource;
  /** request/ `parseApiRequest`. */
  parseRequest: ParseApiRequest;
  /** plan/ `buildPlan`. */
  plan: BuildPlan;
  /** Largest request body accepted, in bytes (413 beyond); 16 MiB by default. */
  bodyLimit?: number;
  /** Plans of reads kept for the next same request (server/read-plans.ts); none when undefined. */
  readPlans?: ReadPlans;
  /** Told when a request found the database unreachable. */
  onDatabaseUnavailable?: () => void;
}

export type DataApi = FastifyInstance;

const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * The PostgREST-compatible HTTP API: every path and method goes to one handler that hands the
 * raw request (body unparsed, as bytes) to the request pipeline. Fastify parses nothing itself.
 */
export async function buildDataApi(deps: DataApiDependencies): Promise<DataApi> {
  const config: ConfigSource<DataApiConfig> = isConfigSource(deps.config) ? deps.config : constant(deps.config);
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    exposeHeadRoutes: false,
    ...REQUEST_ID_OPTIONS,
    // a URL the router cannot decode still goes to the pipeline, which answers in PostgREST's terms
    frameworkErrors: (_error, request, reply) => {
      void respond(request, reply, undefined);
    },
    clientErrorHandler,
    // the per-request child logger is made only when the request logs something
    childLoggerFactory: lazyChildLogger,
    schemaController: schemalessController,
  });

  const pipeline = {
    config,
    pool: deps.pool,
    schemaCache: deps.schemaCache,
    parseRequest: deps.parseRequest,
    plan: deps.plan,
    readPlans: deps.readPlans,
    logger: deps.logger,
    onDatabaseUnavailable: deps.onDatabaseUnavailable,
  };

  async function respond(request: FastifyRequest, reply: FastifyReply, body: Buffer | undefined): Promise<FastifyReply> {
    const response = await handleApiRequest(rawRequest(request, body), pipeline);
    return send(reply, response);
  }

  // A request in flight when close() began would leave its keep-alive connection open after the
  // response, and close() would wait for it: its response ends the connection instead.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // hooks in callback style: an async hook costs a promise and a tick on every request
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  // Fastify refuses a Content-Type it cannot parse (415) before any route runs; PostgREST reads
  // the header itself. The header is kept aside, Fastify sees a type its catch-all parser takes.
  app.addHook('onRequest', (request, _reply, done) => {
    const contentType = request.headers['content-type'];
    if (contentType !== undefined || request.method === 'QUERY') {
      sentContentType.set(request.raw, contentType);
      request.headers['content-type'] = 'application/octet-stream';
    }
    done();
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.route({
    method: app.supportedMethods,
    url: '*',
    handler: (request, reply) => respond(request, reply, Buffer.isBuffer(request.body) ? request.body : undefined),
  });

  // methods Fastify has no route for (PROPFIND, LOCK, …) still reach the pipeline: 405 PGRST117
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => respond(request, reply, undefined));

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return send(reply, renderError(new PgrstError(413, 'PGRST102', 'Request body is too large', `The limit is ${deps.bodyLimit ?? DEFAULT_BODY_LIMIT} bytes`)));
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return send(reply, renderError(new PgrstError(error.statusCode, 'PGRST102', error.message)));
    }
    request.log.error({ err: error }, 'request failed');
    return send(reply, renderError(internalError()));
  });

  return app;
}

/**
 * Requests Node's HTTP parser refuses never reach a route. A method it does not know is
 * PostgREST's 405 PGRST117; other malformed requests get the status Fastify gives them.
 */
function clientErrorHandler(error: Error & { code?: string; rawPacket?: unknown }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString('latin1') : '';
  const method = error.code === 'HPE_INVALID_METHOD' ? /^([!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}) /.exec(packet)?.[1] : undefined;
  const failure =
    method !== undefined
      ? Errors.unsupportedMethod(method)
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? new PgrstError(431, 'PGRST100', 'Request header fields too large')
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new PgrstError(408, 'PGRST100', 'Request timeout')
          : new PgrstError(400, 'PGRST100', 'Malformed HTTP request');
  const body = JSON.stringify(failure.toJSON());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The Content-Type each request was sent with, while Fastify's copy says octet-stream. */
const sentContentType = new WeakMap<object, string | undefined>();

function rawRequest(request: FastifyRequest, body: Buffer | undefined): RawRequest {
  const url = request.raw.url ?? '/';
  const question = url.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(name === 'cookie' ? '; ' : ', ') : value;
  }
  if (sentContentType.has(request.raw)) {
    const contentType = sentContentType.get(request.raw);
    if (contentType === undefined) delete headers['content-type'];
    else headers['content-type'] = contentType;
  }
  return {
    method: request.method,
    path: question < 0 ? url : url.slice(0, question),
    query: question < 0 ? '' : url.slice(question + 1),
    headers,
    body,
  };
}

function send(reply: FastifyReply, response: HttpResponse): FastifyReply {
  reply.code(response.status);
  const grouped = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of response.headers) {
    const key = name.toLowerCase();
    const entry = grouped.get(key) ?? { name, values: [] };
    entry.values.push(value);
    grouped.set(key, entry);
  }
  for (const { name, values } of grouped.values()) reply.header(name, values.length === 1 ? values[0] : values);
  if (response.body === null) return reply.send();
  return reply.send(response.bytes === undefined ? response.body : Buffer.from(response.body, response.bytes === 'hex' ? 'hex' : 'utf8'));
}

function isConfigSource(config: DataApiConfig | ConfigSource<DataApiConfig>): config is ConfigSource<DataApiConfig> {
  return typeof (config as ConfigSource<DataApiConfig>).current === 'function';
}

function constant<T>(value: T): ConfigSource<T> {
  return { current: () => value };
}
