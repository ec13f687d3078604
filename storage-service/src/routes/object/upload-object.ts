import type { FastifyInstance } from 'fastify';
import { storageContext } from '../storage-request.ts';
import { objectNameOf, refuseRouteWordAsBucket, type ObjectParams } from './object-params.ts';
import { receiveUpload } from './upload-body.ts';

/**
 * POST /object/:bucketId/* (create; `x-upsert: true` overwrites) and PUT (update: always
 * overwrites), multipart or raw. `{Id, Key}` as Supabase answers.
 */
export function uploadObjectRoutes(scope: FastifyInstance): void {
  scope.post<{ Params: ObjectParams }>('/object/:bucketId/*', { onRequest: refuseRouteWordAsBucket }, async (request) => {
    const { id, key } = await receiveUpload(request, storageContext(request), {
      bucketId: request.params.bucketId,
      name: objectNameOf(request.params),
      upsert: request.headers['x-upsert'] === 'true',
    });
    return { Id: id, Key: key };
  });
  scope.put<{ Params: ObjectParams }>('/object/:bucketId/*', { onRequest: refuseRouteWordAsBucket }, async (request) => {
    const { id, key } = await receiveUpload(request, storageContext(request), {
      bucketId: request.params.bucketId,
      name: objectNameOf(request.params),
      upsert: true,
    });
    return { Id: id, Key: key };
  });
}
