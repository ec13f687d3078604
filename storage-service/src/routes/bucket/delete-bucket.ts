import type { FastifyInstance } from 'fastify';
import { Buckets } from '../../domain/buckets.ts';
import { storageContext } from '../storage-request.ts';
import { bucketIdParams, type BucketIdParams } from './schemas.ts';

/** DELETE /bucket/:bucketId: only an empty bucket (409 ResourceNotEmpty otherwise, as Supabase). */
export function deleteBucketRoute(scope: FastifyInstance): void {
  scope.delete<{ Params: BucketIdParams }>('/bucket/:bucketId', { schema: { params: bucketIdParams } }, async (request) => {
    await Buckets.remove(storageContext(request), request.params.bucketId);
    return { message: 'Successfully deleted' };
  });
}
