import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ManagerErrors } from '../errors.ts';

/**
 * An onRequest hook admitting only requests whose X-Internal-Key is the manager's key. Both
 * sides are hashed first, so the comparison takes the same time whatever the given key's length.
 */
export function internalKeyGuard(internalKey: string): (request: FastifyRequest) => Promise<void> {
  const expected = digest(internalKey);
  return async (request) => {
    const given = request.headers['x-internal-key'];
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) throw ManagerErrors.unauthorized();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
