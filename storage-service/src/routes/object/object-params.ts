import type { FastifyRequest } from 'fastify';
import { OBJECT_ROUTE_WORDS } from '../../domain/buckets.ts';
import { StorageErrors } from '../../errors.ts';

/** `/…/:bucketId/*`: the bucket and the object's name (the wildcard), already URL-decoded. */
export interface ObjectParams {
  bucketId: string;
  '*': string;
}

export function objectNameOf(params: ObjectParams): string {
  return params['*'];
}

/**
 * onRequest of the routes whose bucket is the first segment after /object (or /object/info):
 * there a route word (`list-v2`, `sign`…) is a route that does not exist, never a bucket — even
 * one made by hand in SQL — so nothing is stored, read or deleted under it.
 */
export async function refuseRouteWordAsBucket(request: FastifyRequest): Promise<void> {
  const { bucketId } = request.params as { bucketId?: string };
  if (bucketId !== undefined && OBJECT_ROUTE_WORDS.has(bucketId)) throw StorageErrors.routeNotFound(request.method, request.url.split('?')[0]!);
}
