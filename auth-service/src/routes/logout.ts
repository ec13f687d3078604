import type { FastifyInstance } from 'fastify';
import { logout, signedInCaller, type LogoutScope } from '../domain/current-user.ts';
import { contextOf } from './context.ts';

const schema = {
  querystring: { type: 'object', properties: { scope: { type: 'string', enum: ['global', 'local', 'others'] } } },
} as const;

/** POST /logout?scope=global|local|others (GoTrue's default: global). 204. */
export function logoutRoute(scope: FastifyInstance): void {
  scope.post<{ Querystring: { scope?: LogoutScope } }>('/logout', { schema }, async (request, reply) => {
    const ctx = contextOf(request);
    const { caller } = await signedInCaller(ctx, request.headers.authorization);
    await logout(ctx, caller, request.query.scope ?? 'global');
    return reply.code(204).send();
  });
}
