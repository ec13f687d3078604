import type { FastifyInstance } from 'fastify';
import { Objects } from '../../domain/objects.ts';
import { signedPath, verifyDownloadGrant } from '../../domain/signed-urls.ts';
import { StorageErrors } from '../../errors.ts';
import { storageContext } from '../storage-request.ts';
import { objectNameOf, type ObjectParams } from './object-params.ts';
import { sendObject } from './send-object.ts';

interface Querystring {
  token?: string;
  download?: string;
}

/** GET (and HEAD) /object/sign/:bucketId/*?token=: the token is the credential; it names this very object. */
export function getSignedObjectRoutes(scope: FastifyInstance): void {
  for (const method of ['GET', 'HEAD'] as const) {
    scope.route<{ Params: ObjectParams; Querystring: Querystring }>({
      method,
      url: '/object/sign/:bucketId/*',
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const { token, download } = request.query;
        if (token === undefined || token === '') throw StorageErrors.missingParameter('token');
        const context = storageContext(request);
        const name = objectNameOf(request.params);
        const grant = await verifyDownloadGrant(context.project.jwtSecret, token, signedPath(request.params.bucketId, name));
        const row = await Objects.findSigned(context, request.params.bucketId, name);
        return sendObject(request, reply, context, row, { download, expires: new Date(grant.exp * 1000) });
      },
    });
  }
}
