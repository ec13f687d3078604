import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { signedInCaller } from '../../domain/current-user.ts';
import { parseFactorId, verifyFactor } from '../../domain/mfa.ts';
import type { AuthRouteDependencies } from '../../plugin.ts';
import { contextOf, countRequest } from '../context.ts';

const schema = {
  params: { type: 'object', properties: { factorId: { type: 'string' } }, required: ['factorId'] },
  body: {
    type: 'object',
    properties: {
      challenge_id: { type: ['string', 'null'] },
      code: { type: ['string', 'null'] },
    },
  },
} as const;

/** POST /factors/:factorId/verify: the code of a challenge; a session at aal2 in return. */
export function factorVerifyRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.withTypeProvider<JsonSchemaToTsProvider>().post('/factors/:factorId/verify', { schema }, async (request) => {
    const ctx = contextOf(request);
    const { caller } = await signedInCaller(ctx, request.headers.authorization);
    const factorId = parseFactorId(request.params.factorId);
    countRequest(deps, ctx, 'mfa');
    return verifyFactor(ctx, deps.services, caller, factorId, { challengeId: request.body.challenge_id ?? '', code: request.body.code ?? '' });
  });
}
