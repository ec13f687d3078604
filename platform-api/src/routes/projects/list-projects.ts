import type { FastifyInstance } from 'fastify';
import type { ProjectRouteDependencies } from './index.ts';
import { renderProject } from './render-project.ts';

/** Every project, without keys (GET /projects/:id has them). */
export function listProjectsRoute(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  app.get('/projects', async () => ({
    projects: (await deps.catalog.list()).map((project) => renderProject(project, deps.publicUrl)),
  }));
}
