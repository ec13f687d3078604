import { verifyHs256, type ActiveProject, type ProjectDirectory, type RequestIdentity } from '@launchdb/common';
import { verifyProjectJwt } from '@launchdb/common/signing-keys';
import { StorageErrors } from '../errors.ts';

export type CallerRole = 'anon' | 'authenticated' | 'service_role';

/** Who a request acts as: the role its metadata queries switch to and the claims policies read. */
export interface Caller {
  role: CallerRole;
  claims: Record<string, unknown>;
  /** The `sub` claim: the owner recorded on what the caller creates. */
  owner: string | null;
}

const CALLER_ROLES = new Set<string>(['anon', 'authenticated', 'service_role']);

/** What a request presents: its Authorization header and an `apikey` (header or query). */
export interface Credentials {
  authorization?: string | undefined;
  apikey?: string | undefined;
}

/** The active project, or Storage's 404/503 for one that is missing or not active. */
export async function findActiveProject(projects: ProjectDirectory, projectId: string): Promise<ActiveProject> {
  let found;
  try {
    found = await projects.lookup(projectId);
  } catch {
    throw StorageErrors.databaseUnavailable();
  }
  if (found.state === 'active') return found.project;
  if (found.state === 'missing' || found.state === 'deleting') throw StorageErrors.projectNotFound(projectId);
  throw StorageErrors.projectUnavailable(projectId, found.state);
}

/**
 * The caller, from `Authorization: Bearer <jwt>` verified with the project's secret; without an
 * Authorization header a live apikey stands in as the bearer, as Supabase's gateway does. A
 * token that does not verify is AccessDenied, as Supabase Storage answers it.
 */
export async function identifyCaller(project: ActiveProject, credentials: Credentials): Promise<Caller> {
  let token: string;
  if (credentials.authorization !== undefined && credentials.authorization !== '') {
    token = credentials.authorization.replace(/^Bearer\s+/i, '');
  } else if (credentials.apikey !== undefined && credentials.apikey !== '') {
    if (project.apiKeyRole(credentials.apikey) === undefined) throw StorageErrors.accessDenied('Invalid API key');
    token = credentials.apikey;
  } else {
    throw StorageErrors.noCredentials();
  }
  const claims = await verifiedClaims(project, token);
  const role = typeof claims.role === 'string' ? claims.role : 'anon';
  if (!CALLER_ROLES.has(role)) throw StorageErrors.roleNotAllowed(role);
  return { role: role as CallerRole, claims, owner: typeof claims.sub === 'string' ? claims.sub : null };
}

/** HS256 with the project's secret; with asymmetric signing keys, also ES256/RS256 by the token's kid. */
async function verifiedClaims(project: ActiveProject, token: string): Promise<Record<string, unknown>> {
  if (project.signingKeys.jwks.length > 0) {
    const verified = await verifyProjectJwt(token, { jwtSecret: project.jwtSecret, jwks: project.signingKeys.jwks });
    if (!verified.ok) throw StorageErrors.accessDenied(verified.expired ? '"exp" claim timestamp check failed' : verified.reason);
    return verified.claims as Record<string, unknown>;
  }
  const verified = await verifyHs256(token, project.jwtSecret);
  if (!verified.ok) throw StorageErrors.accessDenied(verified.reason === 'expired' ? '"exp" claim timestamp check failed' : verified.message);
  return verified.claims as Record<string, unknown>;
}

export const SERVICE_CALLER: Caller = { role: 'service_role', claims: { role: 'service_role' }, owner: null };

export function requestIdentity(caller: Caller): RequestIdentity {
  return { role: caller.role, claims: caller.claims };
}
