import type { FastifyInstance } from 'fastify';
import { Objects } from '../../domain/objects.ts';
import { storageContext } from '../storage-request.ts';
import { transferBody, type TransferBody } from './transfer-body.ts';

/** POST /object/copy: `{Id, Key}` of the copy; `x-upsert: true` overwrites the destination. */
export function copyObjectRoute(scope: FastifyInstance): void {
  scope.post<{ Body: TransferBody }>('/object/copy', { schema: { body: transferBody } }, async (request) => {
    const { bucketId, sourceKey, destinationKey, destinationBucket } = request.body;
    const copied = await Objects.copy(
      storageContext(request),
      { bucketId, sourceKey, destinationKey, destinationBucket: destinationBucket ?? bucketId },
      request.headers['x-upsert'] === 'true',
    );
    return { Id: copied.id, Key: copied.key };
  });
}
