import type { FastifyInstance } from 'fastify';
import type { OperatorAuthentication } from './operator-authentication.ts';

export function meRoute(app: FastifyInstance, authenticate: OperatorAuthentication): void {
  app.get('/me', { preHandler: authenticate }, async (request) => {
    const operator = request.operator!;
    return {
      id: operator.id,
      email: operator.email,
      created_at: operator.createdAt,
      last_login_at: operator.lastLoginAt,
    };
  });
}
