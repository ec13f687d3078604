import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { PlatformErrors } from '../../errors.ts';
import type { ProjectRouteDependencies } from './index.ts';
import { projectIdParams } from './render-project.ts';

/**
 * `GET /api/projects/:id/public`, for anyone: what a dashboard app needs to talk to its project
 * as any integrator's app would — the supabase-js URL and the anon key, which are public by
 * design (row-level security guards the data). Only projects whose template names a dashboard
 * app answer; for the others it is as if the project did not exist.
 */
export function getProjectPublicRoute(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().get('/projects/:id/public', { schema: { params: projectIdParams } }, async (request, reply) => {
    const project = await deps.catalog.get(request.params.id);
    const manifest = project?.template ? await deps.templates.manifest(project.template) : undefined;
    const anonKey = project?.keys?.anon;
    if (!project || !anonKey || !project.template || !manifest?.dashboard_app) throw PlatformErrors.projectNotFound(request.params.id);
    reply.header('cache-control', 'no-cache');
    return {
      url: `${deps.publicUrl.replace(/\/+$/, '')}/p/${project.id}`,
      anon_key: anonKey,
      name: project.name,
      template: project.template,
      app: manifest.dashboard_app,
    };
  });
}
