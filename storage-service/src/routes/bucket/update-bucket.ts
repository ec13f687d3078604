import type { FastifyInstance } from 'fastify';
import { Buckets } from '../../domain/buckets.ts';
import { storageContext } from '../storage-request.ts';
import { bucketIdParams, bucketSettingsProperties, type BucketIdParams, type BucketSettingsBody } from './schemas.ts';

const body = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, ...bucketSettingsProperties },
} as const;

/** PUT /bucket/:bucketId: public flag, size limit, MIME allow-list. */
export function updateBucketRoute(scope: FastifyInstance): void {
  scope.put<{ Params: BucketIdParams; Body: BucketSettingsBody }>('/bucket/:bucketId', { schema: { params: bucketIdParams, body } }, async (request) => {
    await Buckets.update(storageContext(request), request.params.bucketId, {
      public: request.body.public,
      fileSizeLimit: request.body.file_size_limit,
      allowedMimeTypes: request.body.allowed_mime_types,
    });
    return { message: 'Successfully updated' };
  });
}
