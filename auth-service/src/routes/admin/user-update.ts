import type { FastifyInstance } from 'fastify';
import { assertServiceRole, updateUser } from '../../domain/admin-users.ts';
import { contextOf } from '../context.ts';
import { adminParamsOf, adminUserBodySchema, type AdminUserBody } from './user-schema.ts';

/** PUT /admin/users/:userId: email, password, confirmation, metadata, ban. */
export function adminUserUpdateRoute(scope: FastifyInstance): void {
  scope.put<{ Params: { userId: string }; Body: AdminUserBody }>('/admin/users/:userId', { schema: { body: adminUserBodySchema } }, async (request) => {
    const ctx = contextOf(request);
    await assertServiceRole(ctx, request.headers.authorization);
    return updateUser(ctx, request.params.userId, adminParamsOf(request.body));
  });
}
