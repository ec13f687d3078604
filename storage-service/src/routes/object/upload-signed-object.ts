import type { FastifyInstance } from 'fastify';
import { signedPath, verifyUploadGrant } from '../../domain/signed-urls.ts';
import { withServiceRole } from '../../domain/storage-context.ts';
import { StorageErrors } from '../../errors.ts';
import { storageContext } from '../storage-request.ts';
import { objectNameOf, type ObjectParams } from './object-params.ts';
import { receiveUpload } from './upload-body.ts';

/**
 * PUT /object/upload/sign/:bucketId/*?token=: the token is the credential, for this one name;
 * the row is written as service_role with the signer as its owner.
 */
export function uploadSignedObjectRoute(scope: FastifyInstance): void {
  scope.put<{ Params: ObjectParams; Querystring: { token?: string } }>('/object/upload/sign/:bucketId/*', async (request) => {
    const { token } = request.query;
    if (token === undefined || token === '') throw StorageErrors.missingParameter('token');
    const context = storageContext(request);
    const name = objectNameOf(request.params);
    const grant = await verifyUploadGrant(context.project.jwtSecret, token, signedPath(request.params.bucketId, name));
    const { id, key } = await receiveUpload(request, withServiceRole(context, grant.owner), { bucketId: request.params.bucketId, name, upsert: grant.upsert });
    return { Id: id, Key: key };
  });
}
