import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { accepted, type BackupRouteDependencies } from './index.ts';
import { prefersAsync } from '../projects/render-project.ts';

const body = {
  type: 'object',
  required: ['source'],
  additionalProperties: false,
  properties: {
    /** A backup folder on this machine. */
    source: { type: 'string', minLength: 1, maxLength: 4096 },
    /** Takes manifests the platform cannot check (unsigned, or signed under another master key). */
    allow_unsigned: { type: 'boolean' },
  },
} as const;

/** A fresh platform brought back from a backup folder: operators, projects and their keys, then every project. */
export function restorePlatformRoute(app: FastifyInstance, deps: BackupRouteDependencies): void {
  app.withTypeProvider<JsonSchemaToTsProvider>().post('/backups/restore-platform', { schema: { body } }, async (request, reply) => {
    const trust = { allowUnsigned: request.body.allow_unsigned };
    if (prefersAsync(request)) return accepted(reply, deps.backups.inBackground({ operation: 'restore-platform', source: request.body.source, ...trust }));
    return deps.backups.restorePlatform(request.body.source, trust);
  });
}
