import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ProjectRouteDependencies } from './index.ts';
import { projectIdParams } from './render-project.ts';

const createBody = {
  type: 'object',
  properties: { description: { type: 'string', maxLength: 200 } },
  additionalProperties: false,
} as const;

const keyParams = {
  type: 'object',
  properties: { id: { type: 'string' }, accessKeyId: { type: 'string', maxLength: 100 } },
  required: ['id', 'accessKeyId'],
} as const;

/**
 * /projects/:id/s3-access-keys: the keys S3 clients sign with at the project's `/storage/v1/s3`.
 * POST answers the secret, this once (201, never cached); GET lists ids and descriptions; DELETE
 * revokes a key at once.
 */
export function s3AccessKeysRoutes(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  const typed = app.withTypeProvider<JsonSchemaToTsProvider>();
  typed.get('/projects/:id/s3-access-keys', { schema: { params: projectIdParams } }, async (request) => deps.s3AccessKeys.list(request.params.id));
  typed.post('/projects/:id/s3-access-keys', { schema: { params: projectIdParams, body: createBody } }, async (request, reply) => {
    const created = await deps.s3AccessKeys.create(request.params.id, request.body?.description ?? '');
    return reply.code(201).header('cache-control', 'no-store').send(created);
  });
  typed.delete('/projects/:id/s3-access-keys/:accessKeyId', { schema: { params: keyParams } }, async (request, reply) => {
    await deps.s3AccessKeys.remove(request.params.id, request.params.accessKeyId);
    return reply.code(204).send();
  });
}
