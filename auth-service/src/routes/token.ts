import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { passwordGrant, pkceGrant, refreshTokenGrant } from '../domain/token-grants.ts';
import { idTokenGrant } from '../domain/oidc-sign-in.ts';
import { phonePasswordGrant } from '../domain/phone-flows.ts';
import { AuthErrors } from '../errors.ts';
import type { AuthRouteDependencies } from '../plugin.ts';
import { contextOf, countRequest } from './context.ts';

const schema = {
  querystring: { type: 'object', properties: { grant_type: { type: 'string' } } },
  body: {
    type: 'object',
    properties: {
      grant_type: { type: 'string' },
      email: { type: ['string', 'null'] },
      phone: { type: ['string', 'null'] },
      password: { type: ['string', 'null'] },
      refresh_token: { type: ['string', 'null'] },
      auth_code: { type: ['string', 'null'] },
      code_verifier: { type: ['string', 'null'] },
      id_token: { type: ['string', 'null'] },
      provider: { type: ['string', 'null'] },
      client_id: { type: ['string', 'null'] },
      issuer: { type: ['string', 'null'] },
      nonce: { type: ['string', 'null'] },
      access_token: { type: ['string', 'null'] },
    },
  },
} as const;

/** POST /token?grant_type=password|refresh_token|pkce|id_token; web3 answers as GoTrue's with it off. */
export function tokenRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.withTypeProvider<JsonSchemaToTsProvider>().post('/token', { schema }, async (request) => {
    const ctx = contextOf(request);
    const body = request.body;
    const grantType = request.query.grant_type ?? body.grant_type;
    switch (grantType) {
      case 'password': {
        const email = body.email ?? '';
        countRequest(deps, ctx, 'token', email || body.phone);
        if (body.phone && email === '') return phonePasswordGrant(ctx, { phone: body.phone, password: body.password ?? '' });
        return passwordGrant(ctx, { email, password: body.password ?? '' });
      }
      case 'refresh_token': {
        countRequest(deps, ctx, 'token');
        if (!body.refresh_token) throw AuthErrors.invalidTokenRequest('refresh_token required');
        return refreshTokenGrant(ctx, body.refresh_token);
      }
      case 'pkce': {
        countRequest(deps, ctx, 'token');
        if (!body.auth_code || !body.code_verifier) throw AuthErrors.invalidTokenRequest('invalid request: both auth code and code verifier should be non-empty');
        return pkceGrant(ctx, { authCode: body.auth_code, codeVerifier: body.code_verifier });
      }
      case 'id_token': {
        countRequest(deps, ctx, 'token');
        if (!body.id_token) throw AuthErrors.invalidTokenRequest('id_token required');
        const provider = (body.provider ?? '').toLowerCase();
        if (provider === '' && (!body.client_id || !body.issuer)) throw AuthErrors.invalidTokenRequest('provider or client_id and issuer required');
        return idTokenGrant(ctx, deps.services, { idToken: body.id_token, provider, clientId: body.client_id ?? undefined, issuer: body.issuer ?? undefined, nonce: body.nonce ?? undefined, accessToken: body.access_token ?? undefined });
      }
      case 'web3':
        throw AuthErrors.web3Disabled();
      default:
        throw AuthErrors.unsupportedGrantType();
    }
  });
}
