import type { FastifyInstance } from 'fastify';
import { pkceOf } from '../../domain/mail-links.ts';
import { authorizeUrl, providerQueryParams } from '../../domain/oidc-sign-in.ts';
import { contextOf } from '../context.ts';

interface AuthorizeQuery {
  provider?: string;
  redirect_to?: string;
  scopes?: string;
  code_challenge?: string;
  code_challenge_method?: string;
}

/**
 * GET /authorize?provider=…: the browser is sent to the provider (302), as supabase-js's
 * signInWithOAuth expects. Opened by a browser, so no apikey.
 */
export function authorizeRoute(scope: FastifyInstance): void {
  scope.get<{ Querystring: AuthorizeQuery }>('/authorize', { config: { authPublic: true } }, async (request, reply) => {
    const ctx = contextOf(request);
    const query = request.query;
    const location = await authorizeUrl(ctx, {
      provider: (query.provider ?? '').toLowerCase(),
      redirectTo: query.redirect_to,
      scopes: query.scopes,
      pkce: pkceOf(query),
      queryParams: providerQueryParams(query as Record<string, unknown>),
    });
    return reply.redirect(location, 302);
  });
}
