import type { FastifyRequest } from 'fastify';
import type { AuthRequestContext } from '../domain/auth-context.ts';
import type { LimitedEndpoint } from '../domain/rate-limits.ts';
import type { AuthRouteDependencies } from '../plugin.ts';

/** The project and settings the scope's hook resolved for this request. */
export function contextOf(request: FastifyRequest): AuthRequestContext {
  const ctx = request.authContext;
  if (ctx === null) throw new Error('auth request without a resolved project');
  return ctx;
}

/** Counts the request against the endpoint's limits (per address, per email); 429 when over. */
export function countRequest(deps: AuthRouteDependencies, ctx: AuthRequestContext, endpoint: LimitedEndpoint, email?: string | null): void {
  deps.services.limiter.checkRequest(ctx.project.id, endpoint, ctx.ip, email ?? undefined, ctx.config.rateLimits);
}

/** `redirect_to` as auth-js sends it: in the query string (and, from some clients, in the body). */
export function redirectToOf(request: FastifyRequest, body?: { redirect_to?: unknown }): string | undefined {
  const query = (request.query as Record<string, unknown>)['redirect_to'];
  if (typeof query === 'string' && query !== '') return query;
  return typeof body?.redirect_to === 'string' && body.redirect_to !== '' ? body.redirect_to : undefined;
}

/** A JSON object (user metadata); anything else counts as none. */
export function objectOr(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The address fields GoTrue's bodies share; auth-js sends null for the one not used. */
export const CONTACT_PROPERTIES = {
  email: { type: ['string', 'null'] },
  phone: { type: ['string', 'null'] },
} as const;

/** User metadata, as `data` in sign-up, OTP and user updates. */
export const USER_DATA_PROPERTY = { data: { type: ['object', 'null'] } } as const;

/** The JSON schema fragment of GoTrue's PKCE parameters: auth-js sends null when there is none. */
export const PKCE_PROPERTIES = {
  code_challenge: { type: ['string', 'null'] },
  code_challenge_method: { type: ['string', 'null'] },
} as const;
