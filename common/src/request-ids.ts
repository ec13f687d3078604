import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The request id of every service: a caller's (or Caddy's) `X-Request-Id` is kept when it is a
 * plain token, so one id follows a request across services and their logs; otherwise a new UUID.
 * Spread into `Fastify({...})`.
 */
export const REQUEST_ID_OPTIONS = {
  requestIdHeader: false,
  genReqId(request: IncomingMessage): string {
    const given = request.headers['x-request-id'];
    return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
  },
} as const;

/** An onRequest hook: every answer carries the id its log lines have as `reqId`. */
export async function echoRequestId(request: { id: string }, reply: { header(name: string, value: string): unknown }): Promise<void> {
  reply.header('x-request-id', request.id);
}
