import type { FastifyInstance } from 'fastify';
import { oauthCallback } from '../../domain/oidc-sign-in.ts';
import { withFragment, withQuery } from '../../domain/redirects.ts';
import type { AuthRouteDependencies } from '../../plugin.ts';
import { contextOf, countRequest } from '../context.ts';

interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
}

/**
 * GET /callback: where the provider sends the browser back. It ends at the sign-in's redirect
 * with a session in the fragment, an auth code in the query (PKCE), or GoTrue's `error`,
 * `error_code` and `error_description` (in both, as clients read either).
 */
export function callbackRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  // the URL carries the provider's code: request lines at info must not log it
  const quiet = scope.log.level === 'info' || scope.log.level === 'debug' || scope.log.level === 'trace' ? { logLevel: 'warn' as const } : {};
  scope.get<{ Querystring: CallbackQuery }>('/callback', { config: { authPublic: true }, ...quiet }, async (request, reply) => {
    const ctx = contextOf(request);
    countRequest(deps, ctx, 'verify');
    const outcome = await oauthCallback(ctx, deps.services, request.query);
    switch (outcome.kind) {
      case 'code':
        return reply.redirect(withQuery(outcome.redirectTo, { code: outcome.authCode }), 302);
      case 'session': {
        const { session } = outcome;
        return reply.redirect(
          withFragment(outcome.redirectTo, {
            access_token: session.access_token,
            expires_at: String(session.expires_at),
            expires_in: String(session.expires_in),
            ...(outcome.providerToken !== null ? { provider_token: outcome.providerToken } : {}),
            ...(outcome.providerRefreshToken !== null ? { provider_refresh_token: outcome.providerRefreshToken } : {}),
            refresh_token: session.refresh_token,
            token_type: 'bearer',
          }),
          302,
        );
      }
      case 'error': {
        const params = { error: outcome.error, error_code: outcome.errorCode, error_description: outcome.description };
        return reply.redirect(withFragment(withQuery(outcome.redirectTo, params), params), 302);
      }
    }
  });
}
