import { isIP } from 'node:net';

/**
 * The client's address as a service may store it (an `inet` column) or count it by. Behind a
 * trusted proxy Fastify's `request.ip` is whatever text X-Forwarded-For held — `garbage`,
 * `999.1.1.1` — which PostgreSQL refuses as an inet; the connection's own address is then the
 * one known for certain.
 */
export function clientAddressOf(request: { ip: string; socket: { remoteAddress?: string | undefined } }): string {
  if (isIP(request.ip) !== 0) return request.ip;
  return request.socket.remoteAddress ?? '0.0.0.0';
}
