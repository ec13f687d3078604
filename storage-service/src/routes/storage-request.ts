import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger, ProjectDirectory } from '@launchdb/common';
import type { StorageBackend } from '../backends/storage-backend.ts';
import { findActiveProject, identifyCaller, type Caller } from '../domain/caller.ts';
import type { StorageContext } from '../domain/storage-context.ts';
import type { StorageServiceSettings } from '../settings.ts';

export interface StorageRouteDependencies {
  projects: ProjectDirectory;
  backend: StorageBackend;
  settings: StorageServiceSettings;
  logger: Logger;
}

/** Routes without a caller (a token in the URL is the credential) act as anon until they switch to service_role. */
const NO_CALLER: Caller = { role: 'anon', claims: { role: 'anon' }, owner: null };

const contexts = new WeakMap<FastifyRequest, StorageContext>();

/** The request's project (and caller, in an authenticated scope), set by the scope's onRequest hooks. */
export function storageContext(request: FastifyRequest): StorageContext {
  const context = contexts.get(request);
  if (context === undefined) throw new Error('storage context missing: route registered outside the storage scope');
  return context;
}

function projectIdOf(request: FastifyRequest): string {
  return (request.params as { projectId?: string }).projectId ?? '';
}

function single(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** Every route of the scope belongs to an active project: 404/503 before anything else. */
export function resolveProject(scope: FastifyInstance, deps: StorageRouteDependencies): void {
  scope.addHook('onRequest', async (request) => {
    if (request.method === 'OPTIONS') return;
    const project = await findActiveProject(deps.projects, projectIdOf(request));
    contexts.set(request, { project, caller: NO_CALLER, backend: deps.backend, settings: deps.settings, logger: request.log as Logger });
  });
}

/** Every route of the scope acts as the caller its bearer token (or apikey) names. */
export function authenticateCaller(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (request) => {
    if (request.method === 'OPTIONS') return;
    const context = storageContext(request);
    const caller = await identifyCaller(context.project, {
      authorization: single(request.headers.authorization),
      apikey: single(request.headers.apikey) ?? single((request.query as Record<string, unknown> | undefined)?.apikey),
    });
    contexts.set(request, { ...context, caller });
  });
}
