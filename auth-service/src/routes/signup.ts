import type { FastifyInstance } from 'fastify';
import { pkceOf } from '../domain/mail-links.ts';
import { signUp, signUpAnonymously } from '../domain/sign-up.ts';
import { AuthErrors } from '../errors.ts';
import type { AuthRouteDependencies } from '../plugin.ts';
import { contextOf, countRequest, objectOr, PKCE_PROPERTIES, redirectToOf } from './context.ts';

const schema = {
  body: {
    type: 'object',
    properties: {
      email: { type: ['string', 'null'] },
      phone: { type: ['string', 'null'] },
      password: { type: ['string', 'null'] },
      data: { type: ['object', 'null'] },
      ...PKCE_PROPERTIES,
    },
  },
} as const;

interface SignUpBody {
  email?: string | null;
  phone?: string | null;
  password?: string | null;
  data?: Record<string, unknown> | null;
  code_challenge?: string | null;
  code_challenge_method?: string | null;
}

/** POST /signup: email and password, or nothing at all for an anonymous user. */
export function signupRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.post<{ Body: SignUpBody }>('/signup', { schema }, async (request) => {
    const ctx = contextOf(request);
    const body = request.body;
    const email = body.email ?? '';
    countRequest(deps, ctx, 'signup', email);
    if (body.phone) throw AuthErrors.validationFailed('Phone signups are disabled');
    if (email === '' && !body.password) return signUpAnonymously(ctx, objectOr(body.data));
    if (email === '') throw AuthErrors.unprocessable('To signup, please provide your email');
    return signUp(ctx, deps.services, {
      email,
      password: body.password ?? '',
      data: objectOr(body.data),
      pkce: pkceOf(body),
      redirectTo: redirectToOf(request),
    });
  });
}
