import type { FastifyInstance } from 'fastify';
import { signedInCaller } from '../domain/current-user.ts';
import { userJson } from '../domain/user-json.ts';
import { contextOf } from './context.ts';

/** GET /user: the user of the Bearer token. */
export function userGetRoute(scope: FastifyInstance): void {
  scope.get('/user', async (request) => {
    const { user } = await signedInCaller(contextOf(request), request.headers.authorization);
    return userJson(user);
  });
}
