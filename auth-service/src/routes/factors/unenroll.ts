import type { FastifyInstance } from 'fastify';
import { signedInCaller } from '../../domain/current-user.ts';
import { parseFactorId, unenrollFactor } from '../../domain/mfa.ts';
import { contextOf } from '../context.ts';

/** DELETE /factors/:factorId: `{id}`; a verified factor only from an aal2 session. */
export function factorUnenrollRoute(scope: FastifyInstance): void {
  scope.delete<{ Params: { factorId: string } }>('/factors/:factorId', async (request) => {
    const ctx = contextOf(request);
    const { caller } = await signedInCaller(ctx, request.headers.authorization);
    return unenrollFactor(ctx, caller, parseFactorId(request.params.factorId));
  });
}
