import type { FastifyRequest } from 'fastify';
import { projectNames } from '@launchdb/common';
import type { LiveApiKeys } from '@launchdb/common';
import type { ProjectRecord } from '../../domain/projects/project-records.ts';

export interface ProjectBody {
  id: string;
  name: string;
  status: string;
  template: string | null;
  failed_step: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  database: string;
  urls: { rest: string; auth: string; storage: string; supabase: string };
  keys?: LiveApiKeys | null;
  /** Haven's demo homeowner, in the answer that created it and never again. */
  demo?: { email: string; password: string };
}

/** The project as operators see it; `keys` only where asked for (one project), and null unless active. */
export function renderProject(project: ProjectRecord, publicUrl: string, keys?: LiveApiKeys | null): ProjectBody {
  const base = publicUrl.replace(/\/+$/, '');
  const body: ProjectBody = {
    id: project.id,
    name: project.name,
    status: project.status,
    template: project.template,
    failed_step: project.failedStep,
    error: project.error,
    created_at: project.createdAt.toISOString(),
    updated_at: project.updatedAt.toISOString(),
    database: projectNames(project.id).database,
    urls: { rest: `${base}/db/${project.id}`, auth: `${base}/auth/${project.id}`, storage: `${base}/storage/${project.id}`, supabase: `${base}/p/${project.id}` },
  };
  if (keys !== undefined) body.keys = keys;
  return body;
}

/** RFC 7240 `Prefer: respond-async`: answer 202 at once and let provisioning go on. */
export function prefersAsync(request: FastifyRequest): boolean {
  const header = request.headers.prefer;
  const values = Array.isArray(header) ? header : header ? [header] : [];
  return values.some((value) => value.split(',').some((preference) => preference.trim().toLowerCase().split(/[;=]/)[0]!.trim() === 'respond-async'));
}

export const projectIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;
