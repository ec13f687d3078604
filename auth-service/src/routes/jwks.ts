import type { FastifyInstance } from 'fastify';
import { contextOf } from './context.ts';

/**
 * GET /.well-known/jwks.json: the project's public signing keys (in use, standing by, previously
 * used), never its HS256 secret; `{"keys": []}` while it signs with that secret alone. Reached
 * without an apikey, as verifiers fetch it.
 */
export function jwksRoute(scope: FastifyInstance): void {
  scope.get('/.well-known/jwks.json', { config: { authPublic: true } }, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=600');
    return { keys: contextOf(request).project.signingKeys.jwks };
  });
}
