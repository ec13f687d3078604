import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { PROJECT_ID_PATTERN } from '@launchdb/common';
import { PlatformErrors } from '../../errors.ts';
import { accepted, backupIdParams, type BackupRouteDependencies } from './index.ts';
import { prefersAsync } from '../projects/render-project.ts';

const body = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Replaces this project's database and files; `confirm` must repeat it. */
    project: { type: 'string', pattern: PROJECT_ID_PATTERN.source },
    confirm: { type: 'string', maxLength: 64 },
    /** Restores into a new project with new keys instead. */
    as_new: { type: 'string', pattern: PROJECT_ID_PATTERN.source },
    /** Takes a manifest the platform cannot check (unsigned, or signed under another master key). */
    allow_unsigned: { type: 'boolean' },
  },
} as const;

export function restoreBackupRoute(app: FastifyInstance, deps: BackupRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().post('/backups/:id/restore', { schema: { params: backupIdParams, body } }, async (request, reply) => {
    const input = request.body ?? {};
    if ((input.project === undefined) === (input.as_new === undefined)) throw PlatformErrors.validation('give either project (with confirm) or as_new');
    const target = { project: input.project, confirm: input.confirm, asNew: input.as_new, allowUnsigned: input.allow_unsigned };
    if (prefersAsync(request)) return accepted(reply, deps.backups.inBackground({ operation: 'restore', id: request.params.id, ...target }));
    return deps.backups.restore(request.params.id, target);
  });
}
