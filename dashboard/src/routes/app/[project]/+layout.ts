import { error } from '@sveltejs/kit';
import { loadHavenProject, ProjectUnavailable } from '$lib/haven/project';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ params, fetch }) => {
  try {
    return { project: await loadHavenProject(params.project, fetch) };
  } catch (caught) {
    if (caught instanceof ProjectUnavailable) error(caught.status === 404 ? 404 : 503, caught.message);
    throw caught;
  }
};
