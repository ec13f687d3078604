import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { PROJECT_ID_PATTERN } from '@launchdb/common';
import { PlatformErrors } from '../../errors.ts';
import { HAVEN_DEMO_TEMPLATE } from '../../domain/projects/haven-demo.ts';
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
    /** Haven's demo homeowner with a house and a year of history; the answer holds its password. */
    demo: { type: 'boolean' },
  },
} as const;

/**
 * 201 with the active project (200 when an existing failed or interrupted one was resumed);
 * 202 at once with `Prefer: respond-async`. With `"demo": true` (haven only, never async) the
 * demo homeowner is added once the project is active, and its password is in this answer only.
 */
export function createProjectRoute(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().post('/projects', { schema: { body } }, async (request, reply) => {
    const { demo, ...input } = request.body;
    if (demo && input.template !== HAVEN_DEMO_TEMPLATE) throw PlatformErrors.havenDemoNeedsTemplate();
    if (demo && prefersAsync(request)) throw PlatformErrors.havenDemoNeedsAnswer();
    const started = await deps.provisioner.begin(input);
    const id = started.project.id;
    reply.header('location', `/api/projects/${id}`);
    if (prefersAsync(request)) return reply.status(202).send(renderProject(started.project, deps.publicUrl, null));
    await started.finished;
    const login = demo ? await deps.havenDemo.seed(id) : undefined;
    const project = await deps.catalog.get(id);
    const body = renderProject(project!, deps.publicUrl, project!.keys);
    if (login) body.demo = login;
    return reply.status(started.resumed ? 200 : 201).send(body);
  });
}
