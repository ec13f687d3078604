import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createLogger } from '@launchdb/common';
import { registerStorageService, type StorageService, type StorageServiceDependencies } from './plugin.ts';

export interface StorageApp {
  app: FastifyInstance;
  service: StorageService;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The storage service on a Fastify instance of its own, with /health: what main.ts runs in a
 * container, and what tests and the benchmark listen on.
 */
export async function buildStorageApp(deps: StorageServiceDependencies & { trustProxy?: boolean }): Promise<FastifyInstance> {
  // createLogger's request serializer keeps signed URLs' tokens and browsers' apikeys out of the log
  const logger = deps.logger ?? createLogger({ level: 'silent', name: 'storage-service' });
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: 64 * 1024,
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    },
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.get('/health', async () => ({ status: 'ok' }));
  const service = await registerStorageService(app, { ...deps, logger });
  app.decorate('storageService', service);
  return app;
}

/** The service registered by buildStorageApp (forget, deleteProject). */
export function storageServiceOf(app: FastifyInstance): StorageService {
  return (app as unknown as { storageService: StorageService }).storageService;
}
