import type { FastifyInstance } from 'fastify';
import { assertServiceRole, inviteUser } from '../domain/admin-users.ts';
import { AuthErrors } from '../errors.ts';
import type { AuthRouteDependencies } from '../plugin.ts';
import { contextOf, objectOr, redirectToOf } from './context.ts';

const schema = {
  body: { type: 'object', properties: { email: { type: ['string', 'null'] }, data: { type: ['object', 'null'] } } },
} as const;

/** POST /invite (service role): a user and an invitation mail. */
export function inviteRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.post<{ Body: { email?: string | null; data?: Record<string, unknown> | null } }>('/invite', { schema }, async (request) => {
    const ctx = contextOf(request);
    await assertServiceRole(ctx, request.headers.authorization);
    if (!request.body.email) throw AuthErrors.validationFailed('Invite requires an email');
    return inviteUser(ctx, deps.services, { email: request.body.email, data: objectOr(request.body.data), redirectTo: redirectToOf(request) });
  });
}
