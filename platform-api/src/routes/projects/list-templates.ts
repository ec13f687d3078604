import type { FastifyInstance } from 'fastify';
import type { ProjectRouteDependencies } from './index.ts';

/** The app templates a project can be created with, as each describes itself. */
export function listTemplatesRoute(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  app.get('/templates', async () => {
    const names = await deps.templates.appTemplateNames();
    const templates = await Promise.all(
      names.map(async (name) => {
        const manifest = await deps.templates.manifest(name);
        return { name, title: manifest?.title ?? name, description: manifest?.description ?? null, dashboard_app: manifest?.dashboard_app ?? null };
      }),
    );
    return { templates };
  });
}
