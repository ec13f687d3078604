import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { passwordGrant, pkceGrant, refreshTokenGrant } from '../domain/token-grants.ts';
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
    },
  },
} as const;

/** POST /token?grant_type=password|refresh_token|pkce. */
export function tokenRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.withTypeProvider<JsonSchemaToTsProvider>().post('/token', { schema }, async (request) => {
    const ctx = contextOf(request);
    const body = request.body;
    const grantType = request.query.grant_type ?? body.grant_type;
    switch (grantType) {
      case 'password': {
        const email = body.email ?? '';
        countRequest(deps, ctx, 'token', email);
        if (body.phone) throw AuthErrors.invalidCredentials();
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
      default:
        throw AuthErrors.unsupportedGrantType();
    }
  });
}
