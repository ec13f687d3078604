import type { FastifyInstance } from 'fastify';
import { assertServiceRole, createUser } from '../../domain/admin-users.ts';
import { AuthErrors } from '../../errors.ts';
import { contextOf } from '../context.ts';
import { adminParamsOf, adminUserBodySchema, type AdminUserBody } from './user-schema.ts';

/** POST /admin/users: a user made by the service role; no mail. */
export function adminUsersCreateRoute(scope: FastifyInstance): void {
  scope.post<{ Body: AdminUserBody }>('/admin/users', { schema: { body: adminUserBodySchema } }, async (request) => {
    const ctx = contextOf(request);
    await assertServiceRole(ctx, request.headers.authorization);
    if (request.body.phone) throw AuthErrors.validationFailed('Phone users are not supported');
    return createUser(ctx, adminParamsOf(request.body));
  });
}
