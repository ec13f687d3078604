import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { answerUnroutableUrlsUnder, clientAddressOf, CORS_RESPONSE_HEADERS, preflightHeaders, PROJECT_ID_PATTERN, rejectUnstorableInput, type Logger, type Pool, type ProjectDirectory, type SecretBox } from '@launchdb/common';
import type { AuthServiceSettings } from './config.ts';
import { issuerOf } from './domain/access-tokens.ts';
import type { AuthRequestContext, AuthServices } from './domain/auth-context.ts';
import { AuthMailer } from './domain/mailer.ts';
import { ProjectConfigs } from './domain/project-config.ts';
import { AuthRateLimiter } from './domain/rate-limits.ts';
import { API_VERSION_2024_01_01, API_VERSION_HEADER, AuthError, AuthErrors, renderAuthError } from './errors.ts';
import { authRoutes } from './routes/index.ts';

export interface AuthServiceDependencies {
  projects: ProjectDirectory;
  /** The platform database: per-project auth settings, the SMTP password secret. */
  platformDb: Pool;
  /** Decrypts platform.secrets (the SMTP passwords). */
  secrets: SecretBox;
  /** The platform's public URL: links in mails are `${publicUrl}/auth/${projectId}/verify?…`. */
  publicUrl: string;
  /** Every project's defaults (AUTH_* variables): `authServiceSettingsFromEnv()`. */
  settings: AuthServiceSettings;
  logger?: Logger;
}

export interface AuthService {
  /** Drops the cached settings of a project: call it after changing them (PATCH auth-settings). */
  forget(projectId: string): void;
}

/**
 * CORS on every answer, as for every project API, and GoTrue's exposed headers besides: auth-js
 * in a browser reads X-Supabase-Api-Version to know an error's shape, and the admin API's paging
 * comes in X-Total-Count and Link.
 */
const AUTH_CORS_HEADERS: Readonly<Record<string, string>> = {
  ...CORS_RESPONSE_HEADERS,
  'access-control-expose-headers': `${CORS_RESPONSE_HEADERS['access-control-expose-headers']}, x-supabase-api-version, x-total-count, link`,
};

/** Where the service answers: GoTrue's own path and the one supabase-js builds from `http://host/p/<id>`. */
export const AUTH_PREFIXES = ['/auth/:projectId', '/p/:projectId/auth/v1'] as const;

declare module 'fastify' {
  interface FastifyRequest {
    /** The project and settings of an auth request, set before its handler runs. */
    authContext: AuthRequestContext | null;
  }
  interface FastifyContextConfig {
    /** Reached without an apikey: the link in a mail, as Supabase's gateway lets it through. */
    authPublic?: boolean;
  }
}

export interface AuthRouteDependencies {
  services: AuthServices;
}

/**
 * Adds the GoTrue API under both prefixes, each in a scope of its own: its own JSON parser and
 * body limit, its own error shape (GoTrue's), CORS on every answer. No hook reaches the rest of
 * the app.
 */
export async function registerAuthService(app: FastifyInstance, deps: AuthServiceDependencies): Promise<AuthService> {
  const logger = (deps.logger ?? (app.log as unknown as Logger)).child({ component: 'auth' });
  const configs = new ProjectConfigs(deps.platformDb, deps.secrets, deps.settings);
  const services: AuthServices = { mailer: new AuthMailer(logger, deps.settings.logMailLinks), limiter: new AuthRateLimiter(), logger, secrets: deps.secrets };
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');

  answerUnroutableUrlsUnder(app, /^\/(?:auth\/|p\/[^/]+\/auth\/v1(?:[/?]|$))/, (error, request: FastifyRequest, reply: FastifyReply) =>
    sendError(new AuthError('validation_failed', error.statusCode ?? 400, error.message), request, reply, logger),
  );
  for (const prefix of AUTH_PREFIXES) {
    await app.register(
      async (scope) => {
        scope.removeAllContentTypeParsers();
        const parseJson = scope.getDefaultJsonParser('error', 'remove');
        // auth-js posts some requests (logout, reauthenticate) with a JSON content type and no body
        scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: deps.settings.bodyLimitBytes }, (request, body, done) =>
          (body as string).trim() === '' ? done(null, {}) : parseJson(request, body as string, done),
        );
        // OAuth clients post /token as a form
        scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: deps.settings.bodyLimitBytes }, (_request, body, done) =>
          done(null, Object.fromEntries(new URLSearchParams(body as string))),
        );
        scope.decorateRequest('authContext', null);

        rejectUnstorableInput(scope, (input) => AuthErrors.validationFailed(input.message));
        scope.addHook('onRequest', async (request, reply) => {
          reply.headers(AUTH_CORS_HEADERS);
          reply.header(API_VERSION_HEADER, API_VERSION_2024_01_01);
          const preflight = preflightHeaders(request.method, request.headers);
          if (preflight !== undefined) return reply.code(200).headers(preflight).send();
          request.authContext = await resolveContext(request, deps, configs, publicUrl);
          return undefined;
        });

        scope.setErrorHandler((error, request, reply) => sendError(error, request, reply, logger));
        scope.setNotFoundHandler((request, reply) => sendError(AuthErrors.notFound(), request, reply, logger));
        scope.addHook('onClose', async () => services.mailer.close());

        authRoutes(scope, { services });
      },
      { prefix },
    );
  }
  return { forget: (projectId) => configs.forget(projectId) };
}

async function resolveContext(request: FastifyRequest, deps: AuthServiceDependencies, configs: ProjectConfigs, publicUrl: string): Promise<AuthRequestContext | null> {
  const projectId = (request.params as { projectId?: string }).projectId ?? '';
  const isPublic = request.routeOptions.config?.authPublic === true;
  const apikey = apiKeyOf(request);
  if (!isPublic && apikey === undefined) throw AuthErrors.noApiKey();
  if (!PROJECT_ID_PATTERN.test(projectId)) throw AuthErrors.projectNotFound(projectId);
  let lookup;
  try {
    lookup = await deps.projects.lookup(projectId);
  } catch (error) {
    request.log.error({ err: error, projectId }, 'reading the project failed');
    throw AuthErrors.platformUnavailable();
  }
  switch (lookup.state) {
    case 'active':
      break;
    case 'provisioning':
      throw AuthErrors.projectUnavailable(projectId, 2);
    case 'failed':
      throw AuthErrors.projectUnavailable(projectId, 60);
    default:
      throw AuthErrors.projectNotFound(projectId);
  }
  const project = lookup.project;
  if (!isPublic && project.apiKeyRole(apikey!) === undefined) throw AuthErrors.invalidApiKey();
  let config;
  try {
    config = await configs.get(projectId);
  } catch (error) {
    request.log.error({ err: error, projectId }, 'reading the project auth settings failed');
    throw AuthErrors.platformUnavailable();
  }
  const userAgent = request.headers['user-agent'];
  return {
    project,
    config,
    issuer: issuerOf(publicUrl, projectId),
    authUrl: `${publicUrl}/auth/${projectId}`,
    ip: clientAddressOf(request),
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 500) : undefined,
  };
}

function apiKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['apikey'];
  if (typeof header === 'string' && header !== '') return header;
  const query = (request.query as Record<string, unknown> | undefined)?.['apikey'];
  return typeof query === 'string' && query !== '' ? query : undefined;
}

function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): FastifyReply {
  const known = toAuthError(error);
  if (known.status >= 500 && known.code === 'unexpected_failure' && known.status === 500) logger.error({ err: error, reqId: request.id }, 'auth request failed');
  const version = request.headers[API_VERSION_HEADER];
  const rendered = renderAuthError(known, typeof version === 'string' ? version : undefined);
  return reply.code(rendered.status).headers(AUTH_CORS_HEADERS).header(API_VERSION_HEADER, API_VERSION_2024_01_01).headers(rendered.headers).send(rendered.body);
}

/** Fastify's own failures (parsing, size, schema) in GoTrue's words; anything unknown is our bug (500). */
export function toAuthError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  const framework = error as Partial<FastifyError> & { validation?: unknown };
  if (framework.validation) return AuthErrors.validationFailed(framework.message ?? 'invalid request');
  switch (framework.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return AuthErrors.unsupportedMediaType();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return AuthErrors.payloadTooLarge();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return AuthErrors.badJson('Could not parse request body as JSON: the body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return AuthErrors.badJson();
  }
  if (error instanceof SyntaxError || framework.statusCode === 400) return AuthErrors.badJson();
  if (typeof framework.statusCode === 'number' && framework.statusCode >= 400 && framework.statusCode < 500) {
    return new AuthError('validation_failed', framework.statusCode, framework.message ?? 'bad request');
  }
  return AuthErrors.internal();
}
