import type { FastifyRequest } from 'fastify';
import { PlatformErrors } from '../errors.ts';
import type { Operator, OperatorAccounts } from '../domain/operators.ts';
import type { OperatorTokens } from '../domain/operator-tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    operator?: Operator;
  }
}

export type OperatorAuthentication = (request: FastifyRequest) => Promise<void>;

/** A preHandler that admits only requests bearing a live operator token. */
export function operatorAuthentication(tokens: OperatorTokens, operators: OperatorAccounts): OperatorAuthentication {
  return async (request) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw PlatformErrors.missingToken();
    const verified = await tokens.verify(match[1]!);
    if (!verified.ok) throw PlatformErrors.invalidToken(verified.reason);
    const operator = await operators.findById(verified.claims.operatorId);
    if (!operator) throw PlatformErrors.operatorGone();
    request.operator = operator;
  };
}
