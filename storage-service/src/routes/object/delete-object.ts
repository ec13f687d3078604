import type { FastifyInstance } from 'fastify';
import { Objects } from '../../domain/objects.ts';
import { storageContext } from '../storage-request.ts';
import { objectNameOf, refuseRouteWordAsBucket, type ObjectParams } from './object-params.ts';

/** DELETE /object/:bucketId/*: as the caller; NoSuchKey when RLS hides it or it is not there. */
export function deleteObjectRoute(scope: FastifyInstance): void {
  scope.delete<{ Params: ObjectParams }>('/object/:bucketId/*', { onRequest: refuseRouteWordAsBucket }, async (request) => {
    await Objects.remove(storageContext(request), request.params.bucketId, objectNameOf(request.params));
    return { message: 'Successfully deleted' };
  });
}
