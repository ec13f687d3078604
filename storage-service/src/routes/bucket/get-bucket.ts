import type { FastifyInstance } from 'fastify';
import { Buckets } from '../../domain/buckets.ts';
import { storageContext } from '../storage-request.ts';
import { bucketIdParams, type BucketIdParams } from './schemas.ts';

/** GET /bucket/:bucketId */
export function getBucketRoute(scope: FastifyInstance): void {
  scope.get<{ Params: BucketIdParams }>('/bucket/:bucketId', { schema: { params: bucketIdParams } }, async (request) =>
    Buckets.get(storageContext(request), request.params.bucketId),
  );
}
