import type { FastifyInstance } from 'fastify';
import { allowedRedirect, withFragment, withQuery } from '../domain/redirects.ts';
import { followLink, isVerifyType } from '../domain/verification.ts';
import { AuthErrors } from '../errors.ts';
import type { AuthRouteDependencies } from '../plugin.ts';
import { contextOf, countRequest } from './context.ts';

const schema = {
  querystring: {
    type: 'object',
    properties: { type: { type: 'string' }, token: { type: 'string' }, redirect_to: { type: 'string' } },
  },
} as const;

/**
 * GET /verify: the link in a mail, opened in a browser, so no apikey. It ends at the redirect
 * (checked against the project's allow list) with a session in the fragment, an auth code in
 * the query (PKCE), or `#error=…` as GoTrue words it.
 */
export function verifyGetRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  // the URL carries the token: Fastify's request lines (info) must not log it
  const quiet = scope.log.level === 'info' || scope.log.level === 'debug' || scope.log.level === 'trace' ? { logLevel: 'warn' as const } : {};
  scope.get<{ Querystring: { type?: string; token?: string; redirect_to?: string } }>('/verify', { schema, config: { authPublic: true }, ...quiet }, async (request, reply) => {
    const ctx = contextOf(request);
    countRequest(deps, ctx, 'verify');
    const redirectTo = allowedRedirect(request.query.redirect_to, ctx.config.siteUrl, ctx.config.uriAllowList);
    const type = request.query.type ?? '';
    const token = request.query.token ?? '';
    if (!isVerifyType(type) || token === '') {
      const error = AuthErrors.validationFailed('Verify requires a verification type and a token');
      return reply.redirect(withFragment(redirectTo, { error: 'invalid_request', error_code: error.code, error_description: error.message }), 303);
    }
    const outcome = await followLink(ctx, type, token);
    switch (outcome.kind) {
      case 'code':
        return reply.redirect(withQuery(redirectTo, { code: outcome.authCode }), 303);
      case 'halfway':
        return reply.redirect(withFragment(redirectTo, { message: outcome.message }), 303);
      case 'session': {
        const { session } = outcome;
        return reply.redirect(
          withFragment(redirectTo, {
            access_token: session.access_token,
            expires_at: String(session.expires_at),
            expires_in: String(session.expires_in),
            refresh_token: session.refresh_token,
            token_type: 'bearer',
            type,
          }),
          303,
        );
      }
      case 'error':
        return reply.redirect(
          withFragment(redirectTo, {
            error: outcome.error.status === 403 ? 'access_denied' : 'invalid_request',
            error_code: outcome.error.code,
            error_description: outcome.error.code === 'otp_expired' ? 'Email link is invalid or has expired' : outcome.error.message,
          }),
          303,
        );
    }
  });
}
