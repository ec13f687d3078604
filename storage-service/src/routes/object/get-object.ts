import type { FastifyInstance } from 'fastify';
import { Objects } from '../../domain/objects.ts';
import { storageContext } from '../storage-request.ts';
import { objectNameOf, refuseRouteWordAsBucket, type ObjectParams } from './object-params.ts';
import { sendObject } from './send-object.ts';

interface Querystring {
  download?: string;
}

/** GET and HEAD /object/:bucketId/* and /object/authenticated/:bucketId/*: as the caller (RLS). */
export function getObjectRoutes(scope: FastifyInstance): void {
  for (const url of ['/object/:bucketId/*', '/object/authenticated/:bucketId/*']) {
    for (const method of ['GET', 'HEAD'] as const) {
      scope.route<{ Params: ObjectParams; Querystring: Querystring }>({
        method,
        url,
        exposeHeadRoute: false,
        onRequest: refuseRouteWordAsBucket,
        handler: async (request, reply) => {
          const context = storageContext(request);
          const row = await Objects.find(context, request.params.bucketId, objectNameOf(request.params));
          return sendObject(request, reply, context, row, { download: request.query.download });
        },
      });
    }
  }
}
