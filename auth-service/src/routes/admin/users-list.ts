import type { FastifyInstance } from 'fastify';
import { assertServiceRole, listAllUsers } from '../../domain/admin-users.ts';
import { contextOf } from '../context.ts';

const schema = {
  querystring: {
    type: 'object',
    // auth-js sends `page=&per_page=` when none is given
    properties: { page: { type: 'string', pattern: '^[0-9]*$' }, per_page: { type: 'string', pattern: '^[0-9]*$' } },
  },
} as const;

const positiveOr = (text: string | undefined, fallback: number, max: number) => Math.min(max, Math.max(1, Number(text) || fallback));

/** GET /admin/users?page&per_page: `{users, aud}`, with GoTrue's x-total-count and link headers for paging. */
export function adminUsersListRoute(scope: FastifyInstance): void {
  scope.get<{ Querystring: { page?: string; per_page?: string } }>('/admin/users', { schema }, async (request, reply) => {
    const ctx = contextOf(request);
    await assertServiceRole(ctx, request.headers.authorization);
    const page = positiveOr(request.query.page, 1, 1_000_000);
    const perPage = positiveOr(request.query.per_page, 50, 1000);
    const { users, total } = await listAllUsers(ctx, page, perPage);
    const base = request.url.split('?')[0];
    const last = Math.max(1, Math.ceil(total / perPage));
    const links = [`<${base}?page=${last}&per_page=${perPage}>; rel="last"`];
    if (page < last) links.unshift(`<${base}?page=${page + 1}&per_page=${perPage}>; rel="next"`);
    reply.header('x-total-count', String(total)).header('link', links.join(', '));
    return { users, aud: 'authenticated' };
  });
}
