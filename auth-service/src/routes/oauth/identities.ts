import type { FastifyInstance } from 'fastify';
import { signedInCaller } from '../../domain/current-user.ts';
import { pkceOf } from '../../domain/mail-links.ts';
import { authorizeUrl, providerQueryParams, unlinkIdentity } from '../../domain/oidc-sign-in.ts';
import { AuthErrors } from '../../errors.ts';
import { contextOf } from '../context.ts';

interface LinkQuery {
  provider?: string;
  redirect_to?: string;
  scopes?: string;
  skip_http_redirect?: string;
  code_challenge?: string;
  code_challenge_method?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Manual linking (GoTrue's, when the project turns on security_manual_linking_enabled): a signed-in
 * user sends the browser to a provider and the identity it comes back with joins that user;
 * DELETE unlinks one of several. Off: 404 "Manual linking is disabled".
 */
export function identityLinkingRoutes(scope: FastifyInstance): void {
  scope.get<{ Querystring: LinkQuery }>('/user/identities/authorize', async (request, reply) => {
    const ctx = contextOf(request);
    const { user } = await signedInCaller(ctx, request.headers.authorization);
    if (!ctx.config.manualLinkingEnabled) throw AuthErrors.manualLinkingDisabled();
    const query = request.query;
    const url = await authorizeUrl(ctx, {
      provider: (query.provider ?? '').toLowerCase(),
      redirectTo: query.redirect_to,
      scopes: query.scopes,
      pkce: pkceOf(query),
      linkingTargetId: user.id,
      queryParams: providerQueryParams(query as Record<string, unknown>),
    });
    // auth-js asks for the URL and sends the browser itself
    if (query.skip_http_redirect === 'true') return { url };
    return reply.redirect(url, 302);
  });

  scope.delete<{ Params: { identityId: string } }>('/user/identities/:identityId', async (request) => {
    const ctx = contextOf(request);
    const { user } = await signedInCaller(ctx, request.headers.authorization);
    if (!ctx.config.manualLinkingEnabled) throw AuthErrors.manualLinkingDisabled();
    if (!UUID.test(request.params.identityId)) throw AuthErrors.identityIdInvalid();
    return unlinkIdentity(ctx, user, request.params.identityId);
  });
}
