import type { FastifyInstance } from 'fastify';
import { recover } from '../domain/mail-flows.ts';
import { pkceOf } from '../domain/mail-links.ts';
import { AuthErrors } from '../errors.ts';
import type { AuthRouteDependencies } from '../plugin.ts';
import { contextOf, countRequest, PKCE_PROPERTIES, redirectToOf } from './context.ts';

const schema = {
  body: { type: 'object', properties: { email: { type: ['string', 'null'] }, ...PKCE_PROPERTIES } },
} as const;

/** POST /recover: a password reset mail; `{}` whether or not the address has an account. */
export function recoverRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.post<{ Body: { email?: string | null; code_challenge?: string | null; code_challenge_method?: string | null } }>('/recover', { schema }, async (request) => {
    const ctx = contextOf(request);
    const email = request.body.email ?? '';
    countRequest(deps, ctx, 'recover', email);
    if (email === '') throw AuthErrors.validationFailed('Password recovery requires an email');
    await recover(ctx, deps.services, { email, pkce: pkceOf(request.body), redirectTo: redirectToOf(request) });
    return {};
  });
}
