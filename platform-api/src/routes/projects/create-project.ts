import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { PROJECT_ID_PATTERN } from '@launchdb/common';
import type { ProjectRouteDependencies } from './index.ts';
import { prefersAsync, renderProject } from './render-project.ts';

const body = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: PROJECT_ID_PATTERN.source },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    template: { type: 'string', minLength: 1, maxLength: 63 },
  },
} as const;

/**
 * 201 with the active project (200 when an existing failed or interrupted one was resumed);
 * 202 at once with `Prefer: respond-async`.
 */
export function createProjectRoute(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().post('/projects', { schema: { body } }, async (request, reply) => {
    const started = await deps.provisioner.begin(request.body);
    const id = started.project.id;
    reply.header('location', `/api/projects/${id}`);
    if (prefersAsync(request)) return reply.status(202).send(renderProject(started.project, deps.publicUrl, null));
    await started.finished;
    const project = await deps.catalog.get(id);
    return reply.status(started.resumed ? 200 : 201).send(renderProject(project!, deps.publicUrl, project!.keys));
  });
}
