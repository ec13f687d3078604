import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { sendOtp } from '../domain/mail-flows.ts';
import { pkceOf } from '../domain/mail-links.ts';
import { sendPhoneOtp } from '../domain/phone-flows.ts';
import { AuthErrors } from '../errors.ts';
import type { AuthRouteDependencies } from '../plugin.ts';
import { contextOf, countRequest, objectOr, CONTACT_PROPERTIES, PKCE_PROPERTIES, redirectToOf, USER_DATA_PROPERTY } from './context.ts';

const schema = {
  body: {
    type: 'object',
    properties: {
      ...CONTACT_PROPERTIES,
      create_user: { type: ['boolean', 'null'] },
      ...USER_DATA_PROPERTY,
      ...PKCE_PROPERTIES,
    },
  },
} as const;

/** POST /otp: a magic link with a six-digit code to the address, or a code by SMS to the phone (a new user unless create_user is false). */
export function otpRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.withTypeProvider<JsonSchemaToTsProvider>().post('/otp', { schema }, async (request) => {
    const ctx = contextOf(request);
    const body = request.body;
    const email = body.email ?? '';
    countRequest(deps, ctx, 'otp', email || body.phone);
    if (body.phone && !email) {
      await sendPhoneOtp(ctx, deps.services, { phone: body.phone, createUser: body.create_user ?? true, data: objectOr(body.data) });
      return {};
    }
    if (email === '') throw AuthErrors.validationFailed('An email address or phone number is required');
    await sendOtp(ctx, deps.services, { email, createUser: body.create_user ?? true, data: objectOr(body.data), pkce: pkceOf(body), redirectTo: redirectToOf(request) });
    return {};
  });
}
