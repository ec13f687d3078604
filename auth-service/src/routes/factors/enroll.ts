import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { signedInCaller } from '../../domain/current-user.ts';
import { enrollFactor } from '../../domain/mfa.ts';
import type { AuthRouteDependencies } from '../../plugin.ts';
import { contextOf } from '../context.ts';

const schema = {
  body: {
    type: 'object',
    properties: {
      factor_type: { type: ['string', 'null'] },
      friendly_name: { type: ['string', 'null'], maxLength: 255 },
      issuer: { type: ['string', 'null'], maxLength: 255 },
      phone: { type: ['string', 'null'] },
    },
  },
} as const;

/** POST /factors: enrol a TOTP factor (secret, otpauth:// URI, QR code). */
export function factorEnrollRoute(scope: FastifyInstance, deps: AuthRouteDependencies): void {
  scope.withTypeProvider<JsonSchemaToTsProvider>().post('/factors', { schema }, async (request) => {
    const ctx = contextOf(request);
    const { caller, user } = await signedInCaller(ctx, request.headers.authorization);
    const body = request.body;
    return enrollFactor(ctx, deps.services, caller, user, {
      factorType: body.factor_type ?? '',
      friendlyName: body.friendly_name ?? '',
      issuer: body.issuer ?? undefined,
    });
  });
}
