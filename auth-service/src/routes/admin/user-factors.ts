import type { FastifyInstance } from 'fastify';
import { assertServiceRole, parseUserId } from '../../domain/admin-users.ts';
import { adminDeleteFactor, adminListFactors, parseFactorId } from '../../domain/mfa.ts';
import { contextOf } from '../context.ts';

/** GET /admin/users/:userId/factors and DELETE /admin/users/:userId/factors/:factorId (service role). */
export function adminUserFactorsRoutes(scope: FastifyInstance): void {
  scope.get<{ Params: { userId: string } }>('/admin/users/:userId/factors', async (request) => {
    const ctx = contextOf(request);
    await assertServiceRole(ctx, request.headers.authorization);
    return adminListFactors(ctx, parseUserId(request.params.userId));
  });
  scope.delete<{ Params: { userId: string; factorId: string } }>('/admin/users/:userId/factors/:factorId', async (request) => {
    const ctx = contextOf(request);
    await assertServiceRole(ctx, request.headers.authorization);
    return adminDeleteFactor(ctx, parseUserId(request.params.userId), parseFactorId(request.params.factorId));
  });
}
