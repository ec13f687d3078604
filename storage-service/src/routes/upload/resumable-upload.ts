import type { FastifyInstance } from 'fastify';
import type { ResumableUploads } from '../../upload/resumable-uploads.ts';
import { storageContext } from '../storage-request.ts';

/** /upload/resumable and /upload/resumable/:uploadId: the TUS protocol, answered by @tus/server. */
export function resumableUploadRoutes(scope: FastifyInstance, uploads: ResumableUploads): void {
  scope.route({
    method: ['POST', 'HEAD', 'PATCH', 'DELETE'],
    url: '/upload/resumable',
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      reply.hijack();
      await uploads.handle(request.raw, reply.raw, storageContext(request));
    },
  });
  scope.route({
    method: ['POST', 'HEAD', 'PATCH', 'DELETE'],
    url: '/upload/resumable/*',
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      reply.hijack();
      await uploads.handle(request.raw, reply.raw, storageContext(request));
    },
  });
}
