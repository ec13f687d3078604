import type { FastifyInstance } from 'fastify';
import { Objects } from '../../domain/objects.ts';
import { signDownloadGrant, signedPath } from '../../domain/signed-urls.ts';
import { storageContext } from '../storage-request.ts';
import { objectNameOf, type ObjectParams } from './object-params.ts';
import { transformQuery, transformSchema, type TransformBody } from './transform-query.ts';

const body = {
  type: 'object',
  properties: { expiresIn: { type: 'integer', minimum: 1 }, transform: transformSchema },
  required: ['expiresIn'],
} as const;

/**
 * POST /object/sign/:bucketId/*: a URL anyone may download the object with until it expires,
 * for an object the caller may read. `{signedURL: "/object/sign/<bucket>/<name>?token=…"}`,
 * or /render/image/sign/… when transformations are asked for (they are part of the grant).
 */
export function signObjectUrlRoute(scope: FastifyInstance): void {
  scope.post<{ Params: ObjectParams; Body: { expiresIn: number; transform?: TransformBody } }>('/object/sign/:bucketId/*', { schema: { body } }, async (request) => {
    const context = storageContext(request);
    const row = await Objects.find(context, request.params.bucketId, objectNameOf(request.params));
    const path = signedPath(row.bucket_id, row.name);
    const transformations = transformQuery(request.body.transform);
    const token = await signDownloadGrant(context.project.jwtSecret, path, request.body.expiresIn, transformations || undefined);
    return { signedURL: `${transformations ? '/render/image/sign' : '/object/sign'}/${path}?token=${token}` };
  });
}
