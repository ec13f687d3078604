import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { StoredProjectAuthSettings } from '@launchdb/common';
import type { ProjectRouteDependencies } from './index.ts';
import { projectIdParams } from './render-project.ts';

/**
 * A JSON merge patch of the project's auth settings (a key set to null goes back to the
 * platform default), plus the write-only `smtp_password` (null removes it). Validated whole by
 * the settings' own schema, so one bad key refuses the change.
 */
const patchBody = {
  type: 'object',
  properties: { smtp_password: { type: ['string', 'null'], minLength: 1, maxLength: 1000 } },
  additionalProperties: true,
} as const;

export function authSettingsRoutes(app: FastifyInstance, deps: ProjectRouteDependencies): void {
  const typed = app.withTypeProvider<JsonSchemaToTsProvider>();
  typed.get('/projects/:id/auth-settings', { schema: { params: projectIdParams } }, async (request) =>
    renderAuthSettings(await deps.authSettings.get(request.params.id)),
  );
  typed.patch('/projects/:id/auth-settings', { schema: { params: projectIdParams, body: patchBody } }, async (request) => {
    const { smtp_password: smtpPassword, ...settings } = request.body as Record<string, unknown> & { smtp_password?: string | null };
    const stored = await deps.authSettings.update(request.params.id, {
      ...(Object.keys(settings).length > 0 ? { settings } : {}),
      ...(smtpPassword !== undefined ? { smtp_password: smtpPassword } : {}),
    });
    return renderAuthSettings(stored);
  });
}

function renderAuthSettings(stored: StoredProjectAuthSettings) {
  return { settings: stored.settings, smtp_password_set: stored.smtpPasswordSet, updated_at: stored.updatedAt?.toISOString() ?? null };
}
