import type { FastifyInstance } from 'fastify';
import { Objects } from '../../domain/objects.ts';
import { signUploadGrant, signedPath } from '../../domain/signed-urls.ts';
import { storageContext } from '../storage-request.ts';
import { objectNameOf, type ObjectParams } from './object-params.ts';

/**
 * POST /object/upload/sign/:bucketId/*: a URL that lets anyone upload this one object (once
 * the caller's policies would allow the caller to), `x-upsert: true` to allow overwriting.
 * `{url: "/object/upload/sign/<bucket>/<name>?token=…", token}`.
 */
export function signUploadUrlRoute(scope: FastifyInstance): void {
  scope.post<{ Params: ObjectParams }>('/object/upload/sign/:bucketId/*', async (request) => {
    const context = storageContext(request);
    const { bucketId } = request.params;
    const name = objectNameOf(request.params);
    const upsert = request.headers['x-upsert'] === 'true';
    await Objects.mustBeUploadable(context, bucketId, name, upsert);
    const path = signedPath(bucketId, name);
    const token = await signUploadGrant(context.project.jwtSecret, { url: path, owner: context.caller.owner, upsert }, context.settings.STORAGE_UPLOAD_SIGNED_URL_EXPIRES_SECONDS);
    return { url: `/object/upload/sign/${path}?token=${token}`, token };
  });
}
