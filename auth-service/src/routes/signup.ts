import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { pkceOf } from '../domain/mail-links.ts';
import { signUpWithPhone } from '../domain/phone-flows.ts';
import { signUp, signUpAnonymously } from '../domain/sign-up.ts';
import { AuthErrors } from '../errors.ts';
import type { AuthRouteDependencies } from '../plugin.ts';
import { contextOf, countRequest, objectOr, CONTACT_PROPERTIES, PKCE_PROPERTIES, redirectToOf, USER_DATA_PROPERTY } from './context.ts';

const schema = {
  body: {
    type: 'object',
    properties: {
      ...CONTACT_PROPERTIES,
      password: { type: ['string', 'null'] },
      ...USER_DATA_PROPERTY,
      ...PKCE_PROPERTIES,
    },
  },
} as const;

/** POST /signup: email and password, or nothing at all for an anonymous user. */
export function signupRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.withTypeProvider<JsonSchemaToTsProvider>().post('/signup', { schema }, async (request) => {
    const ctx = contextOf(request);
    const body = request.body;
    const email = body.email ?? '';
    countRequest(deps, ctx, 'signup', email || body.phone);
    if (body.phone && email === '') return signUpWithPhone(ctx, deps.services, { phone: body.phone, password: body.password ?? '', data: objectOr(body.data) });
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
