import type { FastifyInstance } from 'fastify';
import { assertServiceRole, removeUser } from '../../domain/admin-users.ts';
import { contextOf } from '../context.ts';

const schema = { body: { type: 'object', properties: { should_soft_delete: { type: ['boolean', 'null'] } } } } as const;

/** DELETE /admin/users/:userId (`should_soft_delete` keeps the row, anonymised): `{}`. */
export function adminUserDeleteRoute(scope: FastifyInstance): void {
  scope.delete<{ Params: { userId: string }; Body: { should_soft_delete?: boolean | null } | undefined }>(
    '/admin/users/:userId',
    { schema },
    async (request) => {
      const ctx = contextOf(request);
      await assertServiceRole(ctx, request.headers.authorization);
      await removeUser(ctx, request.params.userId, request.body?.should_soft_delete === true);
      return {};
    },
  );
}
