import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { assertServiceRole, generateLink, GENERATE_LINK_TYPES, type GenerateLinkType } from '../../domain/admin-users.ts';
import { AuthErrors } from '../../errors.ts';
import { contextOf, objectOr, redirectToOf } from '../context.ts';

const schema = {
  body: {
    type: 'object',
    properties: {
      type: { type: ['string', 'null'] },
      email: { type: ['string', 'null'] },
      password: { type: ['string', 'null'] },
      new_email: { type: ['string', 'null'] },
      data: { type: ['object', 'null'] },
      redirect_to: { type: ['string', 'null'] },
    },
  },
} as const;

/** POST /admin/generate_link: the action link, code and hash a mail would carry; nothing is sent. */
export function adminGenerateLinkRoute(scope: FastifyInstance): void {
  scope.withTypeProvider<JsonSchemaToTsProvider>().post('/admin/generate_link', { schema }, async (request) => {
    const ctx = contextOf(request);
    await assertServiceRole(ctx, request.headers.authorization);
    const body = request.body;
    const type = body.type ?? '';
    if (!(GENERATE_LINK_TYPES as readonly string[]).includes(type)) throw AuthErrors.validationFailed('Invalid email action link type requested');
    if (!body.email) throw AuthErrors.validationFailed('Generating a link requires an email');
    return generateLink(ctx, {
      type: type as GenerateLinkType,
      email: body.email,
      password: body.password ?? undefined,
      new_email: body.new_email ?? undefined,
      data: objectOr(body.data),
      redirect_to: redirectToOf(request, body),
    });
  });
}
