import type { FastifyInstance } from 'fastify';
import { Objects } from '../../domain/objects.ts';
import type { ObjectSortColumn } from '../../sql/list-objects.ts';
import { storageContext } from '../storage-request.ts';

const body = {
  type: 'object',
  properties: {
    prefix: { type: 'string' },
    limit: { type: 'integer', minimum: 1 },
    offset: { type: 'integer', minimum: 0 },
    search: { type: 'string' },
    sortBy: {
      type: 'object',
      properties: {
        column: { type: 'string', enum: ['name', 'created_at', 'updated_at', 'last_accessed_at'] },
        order: { type: 'string', enum: ['asc', 'desc', 'ASC', 'DESC'] },
      },
    },
  },
  required: ['prefix'],
} as const;

interface Body {
  prefix: string;
  limit?: number;
  offset?: number;
  search?: string;
  sortBy?: { column?: ObjectSortColumn; order?: 'asc' | 'desc' | 'ASC' | 'DESC' };
}

/** POST /object/list/:bucketId: the folders and files of one folder the caller may see. */
export function listObjectsRoute(scope: FastifyInstance): void {
  scope.post<{ Params: { bucketId: string }; Body: Body }>('/object/list/:bucketId', { schema: { body } }, async (request) => {
    const { prefix, limit = 100, offset = 0, search = '', sortBy = {} } = request.body;
    return Objects.list(storageContext(request), request.params.bucketId, {
      prefix,
      limit: Math.min(limit, 1000),
      offset,
      search,
      sortColumn: sortBy.column ?? 'name',
      sortOrder: sortBy.order?.toLowerCase() === 'desc' ? 'desc' : 'asc',
    });
  });
}
