import type { FastifyInstance } from 'fastify';
import { sendOtp } from '../domain/mail-flows.ts';
import { pkceOf } from '../domain/mail-links.ts';
import { AuthErrors } from '../errors.ts';
import type { AuthRouteDependencies } from '../plugin.ts';
import { contextOf, countRequest, objectOr, PKCE_PROPERTIES, redirectToOf } from './context.ts';

const schema = {
  body: {
    type: 'object',
    properties: {
      email: { type: ['string', 'null'] },
      phone: { type: ['string', 'null'] },
      create_user: { type: ['boolean', 'null'] },
      data: { type: ['object', 'null'] },
      ...PKCE_PROPERTIES,
    },
  },
} as const;

interface OtpBody {
  email?: string | null;
  phone?: string | null;
  create_user?: boolean | null;
  data?: Record<string, unknown> | null;
  code_challenge?: string | null;
  code_challenge_method?: string | null;
}

/** POST /otp: a magic link with a six-digit code to the address (a new user unless create_user is false). */
export function otpRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.post<{ Body: OtpBody }>('/otp', { schema }, async (request) => {
    const ctx = contextOf(request);
    const body = request.body;
    const email = body.email ?? '';
    countRequest(deps, ctx, 'otp', email);
    if (body.phone) throw AuthErrors.validationFailed('Phone logins are disabled');
    if (email === '') throw AuthErrors.validationFailed('An email address or phone number is required');
    await sendOtp(ctx, deps.services, { email, createUser: body.create_user ?? true, data: objectOr(body.data), pkce: pkceOf(body), redirectTo: redirectToOf(request) });
    return {};
  });
}
