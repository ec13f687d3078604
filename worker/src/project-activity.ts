import { PROJECT_ID_PATTERN } from '@launchdb/common/projects';

const PROJECT_PATHS = /^\/(?:p|db|auth|storage)\/([^/?#]+)/;

/**
 * The project a request to the platform is for (`/p/<id>/…`, `/db/<id>/…`, `/auth/<id>/…`,
 * `/storage/<id>/…`), or undefined: what `launchdb up` tells the worker on every request, so the
 * projects in use get a LISTEN session. In a split deployment the services say the same with
 * `NOTIFY launchdb_project_active, '<id>'` on the platform database (worker/src/main.ts listens).
 */
export function requestProjectId(url: string): string | undefined {
  const id = PROJECT_PATHS.exec(url)?.[1];
  return id !== undefined && PROJECT_ID_PATTERN.test(id) ? id : undefined;
}
