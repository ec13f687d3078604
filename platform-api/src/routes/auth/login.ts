import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { PlatformErrors } from '../../errors.ts';
import type { OperatorAccounts } from '../../domain/operators.ts';
import type { OperatorTokens } from '../../domain/operator-tokens.ts';

const body = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', minLength: 3, maxLength: 320 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export function loginRoute(
  app: FastifyInstance,
  deps: { operators: OperatorAccounts; tokens: OperatorTokens; attemptsPerMinute: number },
): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().post(
    '/auth/login',
    {
      schema: { body },
      config: { rateLimit: { max: deps.attemptsPerMinute, timeWindow: 60_000 } },
    },
    async (request) => {
      const operator = await deps.operators.authenticate(request.body.email, request.body.password);
      if (!operator) throw PlatformErrors.invalidCredentials();
      const accessToken = await deps.tokens.issue({ operatorId: operator.id, email: operator.email });
      return {
        access_token: accessToken,
        token_type: 'bearer',
        expires_in: deps.tokens.lifetimeSeconds,
        operator: { id: operator.id, email: operator.email },
      };
    },
  );
}
