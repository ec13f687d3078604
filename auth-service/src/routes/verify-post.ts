import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { verifyPhoneChange, verifyPhoneOtp } from '../domain/phone-flows.ts';
import { normalizePhone } from '../domain/sms.ts';
import { isVerifyType, verifyAndSignIn } from '../domain/verification.ts';
import { AuthErrors } from '../errors.ts';
import type { AuthRouteDependencies } from '../plugin.ts';
import { contextOf, countRequest } from './context.ts';

const schema = {
  body: {
    type: 'object',
    properties: {
      type: { type: ['string', 'null'] },
      token: { type: ['string', 'null'] },
      token_hash: { type: ['string', 'null'] },
      email: { type: ['string', 'null'] },
      phone: { type: ['string', 'null'] },
      redirect_to: { type: ['string', 'null'] },
    },
  },
} as const;

/** POST /verify: a code with its address, or a link's token hash; the session begins here. */
export function verifyPostRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.withTypeProvider<JsonSchemaToTsProvider>().post('/verify', { schema }, async (request) => {
    const ctx = contextOf(request);
    const body = request.body;
    countRequest(deps, ctx, 'verify', body.email || body.phone);
    const type = body.type ?? '';
    if (type === '') throw AuthErrors.validationFailed('Verify requires a verification type');
    if ((!body.token && !body.token_hash) || (body.token && body.token_hash)) throw AuthErrors.validationFailed('Verify requires either a token or a token hash');
    if (body.phone && body.token) {
      if (normalizePhone(body.phone) === undefined) throw AuthErrors.invalidPhone();
      if (type === 'sms' && ctx.config.phoneEnabled && ctx.config.sms !== null) return verifyPhoneOtp(ctx, { phone: body.phone, token: body.token });
      if (type === 'phone_change' && ctx.config.phoneEnabled && ctx.config.sms !== null) return verifyPhoneChange(ctx, { phone: body.phone, token: body.token });
      // without phone sign-in no code was ever sent to a phone, so none matches: GoTrue's answer to a wrong code
      if (type === 'sms' || type === 'phone_change' || isVerifyType(type)) throw AuthErrors.otpExpired();
    }
    if (!isVerifyType(type)) throw AuthErrors.unsupportedVerifyType();
    if (body.token_hash) return verifyAndSignIn(ctx, type, { tokenHash: body.token_hash });
    if (!body.token) throw AuthErrors.validationFailed('Verify requires either a token or a token hash');
    if (body.email) return verifyAndSignIn(ctx, type, { email: body.email, otp: body.token });
    // without an address, GoTrue takes the token for a link's hash
    return verifyAndSignIn(ctx, type, { tokenHash: body.token });
  });
}
