import type { FastifyInstance } from 'fastify';
import { Buckets } from '../../domain/buckets.ts';
import type { BucketSortColumn } from '../../sql/list-buckets.ts';
import { storageContext } from '../storage-request.ts';

const querystring = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1 },
    offset: { type: 'integer', minimum: 0 },
    search: { type: 'string' },
    sortColumn: { type: 'string', enum: ['id', 'name', 'created_at', 'updated_at'] },
    sortOrder: { type: 'string', enum: ['asc', 'desc'] },
  },
} as const;

interface Querystring {
  limit?: number;
  offset?: number;
  search?: string;
  sortColumn?: BucketSortColumn;
  sortOrder?: 'asc' | 'desc';
}

/** GET /bucket: the buckets the caller may see. */
export function listBucketsRoute(scope: FastifyInstance): void {
  scope.get<{ Querystring: Querystring }>('/bucket', { schema: { querystring } }, async (request) => {
    const { limit, offset, search, sortColumn = 'name', sortOrder = 'asc' } = request.query;
    return Buckets.list(storageContext(request), { limit, offset, search, sortColumn, sortOrder });
  });
}
