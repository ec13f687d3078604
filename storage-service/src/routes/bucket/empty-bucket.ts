import type { FastifyInstance } from 'fastify';
import { Buckets } from '../../domain/buckets.ts';
import { storageContext } from '../storage-request.ts';
import { bucketIdParams, type BucketIdParams } from './schemas.ts';

/** POST /bucket/:bucketId/empty: deletes the objects the caller may delete. */
export function emptyBucketRoute(scope: FastifyInstance): void {
  scope.post<{ Params: BucketIdParams }>('/bucket/:bucketId/empty', { schema: { params: bucketIdParams } }, async (request) => {
    await Buckets.empty(storageContext(request), request.params.bucketId);
    // Supabase empties in the background and says so; here it is done when this answers
    return { message: 'Empty bucket has been queued. Completion may take up to an hour.' };
  });
}
