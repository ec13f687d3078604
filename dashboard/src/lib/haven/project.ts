import { createClient, type SupabaseClient } from '@supabase/supabase-js';

/** What the platform says of a Haven project, publicly: where its API is and its anon key. */
export interface HavenProject {
  id: string;
  url: string;
  anon_key: string;
  name: string;
  template: string;
}

export class ProjectUnavailable extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** One client per project and page: supabase-js keeps the session, under the project's own key. */
const clients = new Map<string, SupabaseClient>();

export async function loadHavenProject(id: string, fetcher: typeof fetch = fetch): Promise<HavenProject> {
  let response: Response;
  try {
    response = await fetcher(`/api/projects/${encodeURIComponent(id)}/public`);
  } catch {
    throw new ProjectUnavailable(0, 'Haven could not be reached. Check your connection and try again.');
  }
  if (response.status === 404) throw new ProjectUnavailable(404, 'There is no Haven here. Check the address you were given.');
  if (!response.ok) throw new ProjectUnavailable(response.status, 'Haven is not available right now. Try again in a moment.');
  const body = (await response.json()) as Omit<HavenProject, 'id'>;
  return { id, ...body };
}

/**
 * Two projects open in one browser must not sign each other out: supabase-js would keep both
 * sessions under one default key (`sb-<host>-auth-token`), so each gets its own.
 */
export function havenClient(project: HavenProject): SupabaseClient {
  let client = clients.get(project.id);
  if (!client) {
    client = createClient(project.url, project.anon_key, {
      auth: { storageKey: `haven-${project.id}`, persistSession: true, autoRefreshToken: true, detectSessionInUrl: true, flowType: 'implicit' },
    });
    clients.set(project.id, client);
  }
  return client;
}
