import type { FastifyInstance } from 'fastify';
import { createBucketRoute } from './create-bucket.ts';
import { deleteBucketRoute } from './delete-bucket.ts';
import { emptyBucketRoute } from './empty-bucket.ts';
import { getBucketRoute } from './get-bucket.ts';
import { listBucketsRoute } from './list-buckets.ts';
import { updateBucketRoute } from './update-bucket.ts';

/** Every /bucket route; the scope authenticates the caller. */
export function bucketRoutes(scope: FastifyInstance): void {
  listBucketsRoute(scope);
  getBucketRoute(scope);
  createBucketRoute(scope);
  updateBucketRoute(scope);
  emptyBucketRoute(scope);
  deleteBucketRoute(scope);
}
