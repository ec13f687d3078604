import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { resend } from '../domain/mail-flows.ts';
import { pkceOf } from '../domain/mail-links.ts';
import { AuthErrors } from '../errors.ts';
import type { AuthRouteDependencies } from '../plugin.ts';
import { contextOf, countRequest, PKCE_PROPERTIES, redirectToOf } from './context.ts';

const schema = {
  body: {
    type: 'object',
    properties: { type: { type: ['string', 'null'] }, email: { type: ['string', 'null'] }, phone: { type: ['string', 'null'] }, ...PKCE_PROPERTIES },
  },
} as const;

/** POST /resend: the sign-up confirmation, or the pending email change's, once more; `{}` either way. */
export function resendRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.withTypeProvider<JsonSchemaToTsProvider>().post('/resend', { schema }, async (request) => {
    const ctx = contextOf(request);
    const body = request.body;
    const email = body.email ?? '';
    countRequest(deps, ctx, 'otp', email);
    if (email === '') throw AuthErrors.validationFailed('Resend requires an email');
    await resend(ctx, deps.services, { type: body.type ?? '', email, pkce: pkceOf(body), redirectTo: redirectToOf(request) });
    return {};
  });
}
