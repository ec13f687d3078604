import type { FastifyInstance, FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';
import { answerUnroutableUrlsUnder, CORS_RESPONSE_HEADERS, preflightHeaders, rejectUnstorableInput, type Logger, type ProjectDirectory } from '@launchdb/common';
import type { StorageBackend } from './backends/storage-backend.ts';
import { RemovedObjectsSweeper } from './domain/removed-objects.ts';
import { StorageErrors, renderStorageError, storageErrorOfUnstorable, toStorageError } from './errors.ts';
import { bucketRoutes } from './routes/bucket/index.ts';
import { authenticatedObjectRoutes, authenticatedUploadRoutes, publicObjectRoutes, publicUploadRoutes } from './routes/object/index.ts';
import { authenticatedRenderRoutes, publicRenderRoutes } from './routes/render/index.ts';
import { authenticateCaller, resolveProject, type StorageRouteDependencies } from './routes/storage-request.ts';
import { resumableUploadRoutes } from './routes/upload/resumable-upload.ts';
import type { S3Credentials } from './s3/s3-credentials.ts';
import { S3MultipartUploads } from './s3/s3-multipart.ts';
import { s3Routes, type S3RouteDependencies } from './s3/s3-routes.ts';
import type { StorageServiceSettings } from './settings.ts';
import { ResumableUploads } from './upload/resumable-uploads.ts';

export interface StorageServiceDependencies {
  /** Active projects: JWT secret, live keys, a pool as the project's authenticator. */
  projects: ProjectDirectory;
  backend: StorageBackend;
  settings: StorageServiceSettings;
  logger?: Logger;
  /** The projects' S3 access keys, for `/s3` (PlatformS3Credentials); absent, S3 requests are refused. */
  s3Credentials?: S3Credentials | undefined;
}

export interface StorageService {
  /** Drops what is remembered of a project (keys, secret): after a key rotation or status change. */
  forget(projectId: string): void;
  /** Deletes every stored byte of a project and its staged resumable uploads: after the project is deleted. */
  deleteProject(projectId: string): Promise<void>;
  /** Deletes now the files of objects whose rows were deleted outside the storage API (as the periodic sweep does); resolves with their count. */
  sweepRemovedObjects(): Promise<number>;
}

/** supabase-js's path (`/p/<project>/storage/v1`) and our own (`/storage/<project>`). */
export const STORAGE_PREFIXES = ['/storage/:projectId', '/p/:projectId/storage/v1'] as const;

/** JSON bodies (bucket settings, lists of names) are small; object bytes never go through this parser. */
const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Adds the Supabase Storage protocol under both prefixes, each in a scope of its own: its own
 * error shape, content parsers (object bodies stream, never buffered) and CORS; nothing is
 * added to the root instance.
 */
export async function registerStorageService(app: FastifyInstance, deps: StorageServiceDependencies): Promise<StorageService> {
  const logger = deps.logger ?? (app.log as Logger);
  const routeDeps: StorageRouteDependencies = { projects: deps.projects, backend: deps.backend, settings: deps.settings, logger };
  const s3: S3RouteDependencies = {
    credentials: deps.s3Credentials,
    multipart: new S3MultipartUploads(deps.settings.STORAGE_UPLOADS_DIR, {
      expiresInSeconds: deps.settings.STORAGE_TUS_EXPIRES_SECONDS,
      onCleanupError: (error) => logger.warn({ err: error }, 'dropping expired S3 multipart uploads failed'),
    }),
  };
  const resumable = new ResumableUploads({ uploadsDir: deps.settings.STORAGE_UPLOADS_DIR, expiresInSeconds: deps.settings.STORAGE_TUS_EXPIRES_SECONDS, logger });
  const removals = new RemovedObjectsSweeper({ projects: deps.projects, backend: deps.backend, logger, intervalMs: deps.settings.STORAGE_REMOVALS_SWEEP_SECONDS * 1000 });
  removals.start();
  answerUnroutableUrlsUnder(app, /^\/(?:storage\/|p\/[^/]+\/storage\/v1(?:[/?]|$))/, (error, _request, reply: FastifyReply) => {
    const rendered = renderStorageError(StorageErrors.invalidRequest(error.message, error.statusCode ?? 400));
    return reply.code(rendered.status).headers(rendered.headers).headers(CORS_RESPONSE_HEADERS).send(rendered.body);
  });
  await app.register(async (storage) => {
    storage.addHook('onClose', async () => {
      s3.multipart.close();
      await removals.close();
      await resumable.close();
    });
    for (const prefix of STORAGE_PREFIXES) {
      await storage.register((scope) => storageScope(scope, routeDeps, resumable, s3), { prefix });
    }
  });
  return {
    forget(projectId) {
      deps.projects.forget(projectId);
    },
    async deleteProject(projectId) {
      await deps.backend.deleteProject(projectId);
      await resumable.deleteProject(projectId);
      await s3.multipart.deleteProject(projectId);
    },
    sweepRemovedObjects: () => removals.sweep(),
  };
}

async function storageScope(scope: FastifyInstance, deps: StorageRouteDependencies, resumable: ResumableUploads, s3: S3RouteDependencies): Promise<void> {
  scope.removeAllContentTypeParsers();
  rejectUnstorableInput(scope, storageErrorOfUnstorable);
  scope.setErrorHandler((error, request, reply) => {
    const known = toStorageError(error);
    if (known.status >= 500 && known.status !== 503) request.log.error({ err: error }, 'storage request failed');
    const rendered = renderStorageError(known);
    // an unread upload body cannot be followed by another request on this connection
    if (!request.raw.complete) reply.header('connection', 'close');
    return reply.code(rendered.status).headers(rendered.headers).type('application/json; charset=utf-8').send(rendered.body);
  });
  scope.setNotFoundHandler((request, reply) => {
    const rendered = renderStorageError(StorageErrors.invalidRequest(`Route ${request.method}:${request.url.split('?')[0]} not found`, 404));
    return reply.code(404).headers(rendered.headers).headers(CORS_RESPONSE_HEADERS).send(rendered.body);
  });
  scope.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(CORS_RESPONSE_HEADERS);
    return payload;
  });
  // a browser's preflight carries no credentials: answered before any project or caller check
  scope.options('/*', async (request, reply) => {
    const headers = preflightHeaders(request.method, request.headers);
    return reply.code(204).headers(headers ?? {}).send();
  });
  resolveProject(scope, deps);

  await scope.register(async (json) => {
    json.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT_BYTES }, (_request, body, done) => {
      const text = (body as string).trim();
      if (text === '') return done(null, {});
      try {
        done(null, JSON.parse(text));
      } catch {
        done(StorageErrors.invalidRequest('Body is not valid JSON'));
      }
    });
    authenticateCaller(json);
    bucketRoutes(json);
    authenticatedObjectRoutes(json);
    authenticatedRenderRoutes(json);
  });

  await scope.register(async (uploads) => {
    await streamingBodies(uploads);
    authenticateCaller(uploads);
    authenticatedUploadRoutes(uploads);
    resumableUploadRoutes(uploads, resumable);
  });

  // S3 clients sign with an access key: no Storage caller, their own bodies, errors in XML
  await scope.register(async (protocol) => s3Routes(protocol, s3));

  await scope.register(async (open) => {
    await streamingBodies(open);
    publicObjectRoutes(open);
    publicUploadRoutes(open);
    publicRenderRoutes(open);
  });
}

/** Bodies of any type are left unread for the route to stream; multipart forms are parsed as they stream. */
async function streamingBodies(scope: FastifyInstance): Promise<void> {
  scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
  await scope.register(multipart, { throwFileSizeLimit: true });
}
