import type { FastifyInstance } from 'fastify';
import { Objects } from '../../domain/objects.ts';
import { storageContext } from '../storage-request.ts';
import { objectInfo } from './object-info.ts';
import { objectNameOf, refuseRouteWordAsBucket, type ObjectParams } from './object-params.ts';

/** GET /object/info/:bucketId/* and /object/info/authenticated/:bucketId/*: as the caller. */
export function getObjectInfoRoutes(scope: FastifyInstance): void {
  for (const url of ['/object/info/:bucketId/*', '/object/info/authenticated/:bucketId/*']) {
    scope.get<{ Params: ObjectParams }>(url, { exposeHeadRoute: false, onRequest: refuseRouteWordAsBucket }, async (request) =>
      objectInfo(await Objects.find(storageContext(request), request.params.bucketId, objectNameOf(request.params))),
    );
  }
}

/** GET /object/info/public/:bucketId/*: anyone, for objects of public buckets. */
export function getPublicObjectInfoRoute(scope: FastifyInstance): void {
  scope.get<{ Params: ObjectParams }>('/object/info/public/:bucketId/*', { exposeHeadRoute: false }, async (request) =>
    objectInfo(await Objects.findPublic(storageContext(request), request.params.bucketId, objectNameOf(request.params))),
  );
}
