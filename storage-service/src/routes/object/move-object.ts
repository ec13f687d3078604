import type { FastifyInstance } from 'fastify';
import { Objects } from '../../domain/objects.ts';
import { storageContext } from '../storage-request.ts';
import { transferBody, type TransferBody } from './transfer-body.ts';

/** POST /object/move: renames an object, within or across buckets, as the caller. */
export function moveObjectRoute(scope: FastifyInstance): void {
  scope.post<{ Body: TransferBody }>('/object/move', { schema: { body: transferBody } }, async (request) => {
    const { bucketId, sourceKey, destinationKey, destinationBucket } = request.body;
    await Objects.move(storageContext(request), { bucketId, sourceKey, destinationKey, destinationBucket: destinationBucket ?? bucketId });
    return { message: 'Successfully moved' };
  });
}
