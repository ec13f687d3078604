import { getContext } from 'svelte';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { HavenProject } from './project.ts';

/** What every Haven screen gets from the app's layout: the project's client and who is signed in. */
export interface HavenContext {
  readonly supabase: SupabaseClient;
  readonly project: HavenProject;
  /** `/app/<project id>` */
  readonly base: string;
  readonly userId: string | null;
  readonly email: string | null;
}

export const HAVEN = Symbol('haven');

export function haven(): HavenContext {
  return getContext<HavenContext>(HAVEN);
}

/** Set at sign-in, taken by the homes list: a homeowner with one home lands straight on it. */
export function landingKey(projectId: string): string {
  return `haven-${projectId}-landing`;
}
