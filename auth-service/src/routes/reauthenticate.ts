import type { FastifyInstance } from 'fastify';
import { signedInCaller } from '../domain/current-user.ts';
import { requestReauthentication } from '../domain/reauthentication.ts';
import type { AuthRouteDependencies } from '../plugin.ts';
import { contextOf, countRequest } from './context.ts';

/** GET /reauthenticate: mails the signed-in user a nonce for a sensitive change (`{}`). */
export function reauthenticateRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.get('/reauthenticate', async (request) => {
    const ctx = contextOf(request);
    const { user } = await signedInCaller(ctx, request.headers.authorization);
    countRequest(deps, ctx, 'otp', user.email);
    return requestReauthentication(ctx, deps.services, user);
  });
}
