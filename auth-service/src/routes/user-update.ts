import type { FastifyInstance } from 'fastify';
import { signedInCaller, updateCurrentUser } from '../domain/current-user.ts';
import { pkceOf } from '../domain/mail-links.ts';
import { AuthErrors } from '../errors.ts';
import type { AuthRouteDependencies } from '../plugin.ts';
import { contextOf, PKCE_PROPERTIES, redirectToOf } from './context.ts';

const schema = {
  body: {
    type: 'object',
    properties: {
      email: { type: ['string', 'null'] },
      phone: { type: ['string', 'null'] },
      password: { type: ['string', 'null'] },
      data: { type: ['object', 'null'] },
      nonce: { type: ['string', 'null'] },
      ...PKCE_PROPERTIES,
    },
  },
} as const;

interface UserUpdateBody {
  email?: string | null;
  phone?: string | null;
  password?: string | null;
  data?: Record<string, unknown> | null;
  code_challenge?: string | null;
  code_challenge_method?: string | null;
}

/** PUT /user: email (confirmed by mail), password, metadata of the signed-in user. */
export function userUpdateRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.put<{ Body: UserUpdateBody }>('/user', { schema }, async (request) => {
    const ctx = contextOf(request);
    const { user } = await signedInCaller(ctx, request.headers.authorization);
    const body = request.body;
    if (body.phone) throw AuthErrors.validationFailed('Phone changes are disabled');
    return updateCurrentUser(ctx, deps.services, user, {
      email: body.email ?? undefined,
      password: body.password ?? undefined,
      data: body.data ?? undefined,
      pkce: pkceOf(body),
      redirectTo: redirectToOf(request),
    });
  });
}
