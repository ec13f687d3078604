import type { FastifyInstance } from 'fastify';
import { signedInCaller } from '../../domain/current-user.ts';
import { challengeFactor, parseFactorId } from '../../domain/mfa.ts';
import type { AuthRouteDependencies } from '../../plugin.ts';
import { contextOf, countRequest } from '../context.ts';

/** POST /factors/:factorId/challenge: `{id, type, expires_at}` to verify against. */
export function factorChallengeRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.post<{ Params: { factorId: string } }>('/factors/:factorId/challenge', async (request) => {
    const ctx = contextOf(request);
    const { caller } = await signedInCaller(ctx, request.headers.authorization);
    const factorId = parseFactorId(request.params.factorId);
    countRequest(deps, ctx, 'mfa');
    return challengeFactor(ctx, deps.services, caller, factorId);
  });
}
