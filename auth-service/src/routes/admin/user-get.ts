import type { FastifyInstance } from 'fastify';
import { assertServiceRole, getUser } from '../../domain/admin-users.ts';
import { contextOf } from '../context.ts';

/** GET /admin/users/:userId. */
export function adminUserGetRoute(scope: FastifyInstance): void {
  scope.get<{ Params: { userId: string } }>('/admin/users/:userId', async (request) => {
    const ctx = contextOf(request);
    await assertServiceRole(ctx, request.headers.authorization);
    return getUser(ctx, request.params.userId);
  });
}
