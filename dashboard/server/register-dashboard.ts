import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

type NodeHandler = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/** Where the dashboard answers on the platform's port; everything else stays the services'. */
export const DASHBOARD_ROUTES = ['/', '/console', '/console/*', '/app/*', '/_dashboard/*', '/service-worker.js', '/icon.svg', '/icon-192.png', '/icon-512.png'] as const;

/**
 * Serves the built dashboard (adapter-node's request handler) from the platform's Fastify app,
 * so `launchdb up` answers the console and Haven on its one port. The request is handed over
 * whole: SvelteKit streams its own answer.
 */
export async function registerDashboard(app: FastifyInstance, buildFolder: string): Promise<void> {
  const { handler } = (await import(pathToFileURL(join(buildFolder, 'handler.js')).href)) as { handler: NodeHandler };
  const serve = (request: FastifyRequest, reply: FastifyReply): void => {
    reply.hijack();
    handler(request.raw, reply.raw, () => {
      reply.raw.statusCode = 404;
      reply.raw.setHeader('content-type', 'text/plain; charset=utf-8');
      reply.raw.end('Not Found');
    });
  };
  for (const url of DASHBOARD_ROUTES) app.route({ method: ['GET', 'HEAD'], url, handler: serve });
}
