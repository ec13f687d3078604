import type { FastifyInstance } from 'fastify';

/** GET /health: GoTrue's answer; reaching it proves the project exists and the key is live. */
export function healthRoute(scope: FastifyInstance): void {
  scope.get('/health', async () => ({ version: 'launchdb', name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' }));
}
