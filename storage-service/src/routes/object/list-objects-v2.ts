import type { FastifyInstance } from 'fastify';
import { Objects } from '../../domain/objects.ts';
import type { ListV2SortColumn } from '../../sql/list-objects-v2.ts';
import { storageContext } from '../storage-request.ts';

const body = {
  type: 'object',
  properties: {
    prefix: { type: 'string' },
    limit: { type: 'integer', minimum: 1 },
    cursor: { type: 'string' },
    with_delimiter: { type: 'boolean' },
    sortBy: {
      type: 'object',
      properties: {
        column: { type: 'string', enum: ['name', 'updated_at', 'created_at'] },
        order: { type: 'string', enum: ['asc', 'desc'] },
      },
      required: ['column'],
    },
  },
} as const;

interface Body {
  prefix?: string;
  limit?: number;
  cursor?: string;
  with_delimiter?: boolean;
  sortBy?: { column: ListV2SortColumn; order?: 'asc' | 'desc' };
}

/** Supabase's page size, and its largest. */
const MAX_PAGE = 1000;

/** POST /object/list-v2/:bucketId (storage-js listV2): cursor-paged objects, and folders with `with_delimiter`. */
export function listObjectsV2Route(scope: FastifyInstance): void {
  scope.post<{ Params: { bucketId: string }; Body: Body }>('/object/list-v2/:bucketId', { schema: { body } }, async (request) => {
    const { prefix = '', limit = MAX_PAGE, cursor, with_delimiter: withDelimiter = false, sortBy } = request.body ?? {};
    return Objects.listV2(storageContext(request), request.params.bucketId, {
      prefix,
      limit: Math.min(limit, MAX_PAGE),
      cursor,
      withDelimiter,
      sortColumn: sortBy?.column,
      sortOrder: sortBy?.order,
    });
  });
}
