import type { FastifyInstance } from 'fastify';
import { Buckets } from '../../domain/buckets.ts';
import { storageContext } from '../storage-request.ts';
import { bucketSettingsProperties, type BucketSettingsBody } from './schemas.ts';

const body = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, type: { type: 'string' }, ...bucketSettingsProperties },
  required: ['name'],
} as const;

interface Body extends BucketSettingsBody {
  id?: string;
  name: string;
}

/** POST /bucket: `{name}` once created; the caller's policies on storage.buckets decide. */
export function createBucketRoute(scope: FastifyInstance): void {
  scope.post<{ Body: Body }>('/bucket', { schema: { body } }, async (request) => {
    const { id, name } = request.body;
    await Buckets.create(storageContext(request), id ?? name, name, {
      public: request.body.public,
      fileSizeLimit: request.body.file_size_limit,
      allowedMimeTypes: request.body.allowed_mime_types,
    });
    return { name };
  });
}
