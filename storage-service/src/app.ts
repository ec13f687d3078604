import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { answerUnroutableUrls, createLogger, echoRequestId, REQUEST_ID_OPTIONS } from '@launchdb/common';
import { registerHttpMetrics } from '@launchdb/common/http-metrics';
import { registerStorageService, type StorageService, type StorageServiceDependencies } from './plugin.ts';

export interface StorageApp {
  app: FastifyInstance;
  service: StorageService;
}


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
    ...REQUEST_ID_OPTIONS,
    frameworkErrors: answerUnroutableUrls((error, _request, reply: FastifyReply) => reply.code(error.statusCode ?? 400).send({ message: error.message })),
  });
  app.addHook('onRequest', echoRequestId);
  app.get('/health', async () => ({ status: 'ok' }));
  registerHttpMetrics(app, { service: 'storage-service' });
  const service = await registerStorageService(app, { ...deps, logger });
  app.decorate('storageService', service);
  return app;
}

/** The service registered by buildStorageApp (forget, deleteProject). */
export function storageServiceOf(app: FastifyInstance): StorageService {
  return (app as unknown as { storageService: StorageService }).storageService;
}
