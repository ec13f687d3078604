import type { FastifyInstance } from 'fastify';
import { Objects } from '../../domain/objects.ts';
import { signDownloadGrant, signedPath } from '../../domain/signed-urls.ts';
import { storageContext } from '../storage-request.ts';

const body = {
  type: 'object',
  properties: {
    expiresIn: { type: 'integer', minimum: 1 },
    paths: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 1000 },
  },
  required: ['expiresIn', 'paths'],
} as const;

/** POST /object/sign/:bucketId {expiresIn, paths}: one entry per path, `error` for those the caller cannot read. */
export function signObjectUrlsRoute(scope: FastifyInstance): void {
  scope.post<{ Params: { bucketId: string }; Body: { expiresIn: number; paths: string[] } }>('/object/sign/:bucketId', { schema: { body } }, async (request) => {
    const context = storageContext(request);
    const { bucketId } = request.params;
    const found = new Set((await Objects.findMany(context, bucketId, request.body.paths)).map((row) => row.name));
    return Promise.all(
      request.body.paths.map(async (name) => {
        if (!found.has(name)) return { error: 'Either the object does not exist or you do not have access to it', path: name, signedURL: null };
        const path = signedPath(bucketId, name);
        const token = await signDownloadGrant(context.project.jwtSecret, path, request.body.expiresIn);
        return { error: null, path: name, signedURL: `/object/sign/${path}?token=${token}` };
      }),
    );
  });
}
