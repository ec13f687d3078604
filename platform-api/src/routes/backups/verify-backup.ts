import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { accepted, backupIdParams, type BackupRouteDependencies } from './index.ts';
import { prefersAsync } from '../projects/render-project.ts';

const body = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Takes a manifest the platform cannot check (unsigned, or signed under another master key). */
    allow_unsigned: { type: 'boolean' },
  },
} as const;

/** Decrypts, checks every SHA-256, restores into a scratch database and compares row counts. */
export function verifyBackupRoute(app: FastifyInstance, deps: BackupRouteDependencies): void {
  const route = {
    schema: { params: backupIdParams, body },
    // a POST without a body (the console's, and every client before allow_unsigned) is a plain verify
    preValidation: async (request: { body: unknown }) => void (request.body ??= {}),
  };
  app.withTypeProvider<JsonSchemaToTsProvider>().post('/backups/:id/verify', route, async (request, reply) => {
    const trust = { allowUnsigned: request.body.allow_unsigned };
    if (prefersAsync(request)) return accepted(reply, deps.backups.inBackground({ operation: 'verify', id: request.params.id, ...trust }));
    return deps.backups.verify(request.params.id, trust);
  });
}
