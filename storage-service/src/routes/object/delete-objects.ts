import type { FastifyInstance } from 'fastify';
import { Objects } from '../../domain/objects.ts';
import { storageContext } from '../storage-request.ts';
import { refuseRouteWordAsBucket } from './object-params.ts';

const body = {
  type: 'object',
  properties: { prefixes: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 1000 } },
  required: ['prefixes'],
} as const;

/** DELETE /object/:bucketId {prefixes}: the rows deleted (those the caller may delete), as Supabase answers. */
export function deleteObjectsRoute(scope: FastifyInstance): void {
  scope.delete<{ Params: { bucketId: string }; Body: { prefixes: string[] } }>('/object/:bucketId', { schema: { body }, onRequest: refuseRouteWordAsBucket }, async (request) =>
    Objects.removeMany(storageContext(request), request.params.bucketId, request.body.prefixes),
  );
}
