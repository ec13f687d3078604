import { PROJECT_ID_PATTERN } from '@launchdb/common';

export const projectIdParams = {
  type: 'object',
  required: ['projectId'],
  properties: { projectId: { type: 'string' } },
} as const;

export interface ProjectIdParams {
  projectId: string;
}

/** A path that cannot name a project names none: callers get project_not_found, not a validation error. */
export function isProjectId(value: string): boolean {
  return PROJECT_ID_PATTERN.test(value);
}
