import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { signedInCaller, updateCurrentUser } from '../domain/current-user.ts';
import { pkceOf } from '../domain/mail-links.ts';
import { requestPhoneChange } from '../domain/phone-flows.ts';
import { AuthErrors } from '../errors.ts';
import type { AuthRouteDependencies } from '../plugin.ts';
import { contextOf, CONTACT_PROPERTIES, PKCE_PROPERTIES, redirectToOf, USER_DATA_PROPERTY } from './context.ts';

const schema = {
  body: {
    type: 'object',
    properties: {
      ...CONTACT_PROPERTIES,
      password: { type: ['string', 'null'] },
      nonce: { type: ['string', 'null'] },
      ...USER_DATA_PROPERTY,
      ...PKCE_PROPERTIES,
    },
  },
} as const;

/** PUT /user: email (confirmed by mail), password, metadata of the signed-in user. */
export function userUpdateRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.withTypeProvider<JsonSchemaToTsProvider>().put('/user', { schema }, async (request) => {
    const ctx = contextOf(request);
    const { caller, user } = await signedInCaller(ctx, request.headers.authorization);
    const body = request.body;
    if (body.phone) {
      if (!ctx.config.phoneEnabled) throw AuthErrors.validationFailed('Phone changes are disabled');
      await requestPhoneChange(ctx, deps.services, user, body.phone);
    }
    return updateCurrentUser(ctx, deps.services, user, {
      email: body.email ?? undefined,
      password: body.password ?? undefined,
      data: body.data ?? undefined,
      pkce: pkceOf(body),
      redirectTo: redirectToOf(request),
      nonce: body.nonce ?? undefined,
      sessionId: caller.sessionId,
    });
  });
}
