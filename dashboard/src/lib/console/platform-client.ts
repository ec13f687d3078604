/**
 * The console's one way to the platform API. The operator's token lives in sessionStorage, so
 * closing the tab signs out; a 401 clears it.
 */
const TOKEN_KEY = 'launchdb.console.token';

export interface Project {
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
  keys?: { anon?: string; service_role?: string } | null;
  demo?: { email: string; password: string };
}

export interface DataApiStatus {
  projectId?: string;
  state?: string;
  [key: string]: unknown;
}

export interface Backup {
  id: string;
  kind: 'project' | 'platform';
  project: string | null;
  template: string | null;
  reason: string;
  startedAt: string;
  finishedAt: string;
  bytes: number;
  tables: number;
  rows: number;
  files: number | null;
}

export interface Migration {
  name: string;
  applied_at?: string;
  [key: string]: unknown;
}

/** An answer the operator should read: the platform's own message, never a stack or a bare code. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function explain(error: unknown): string {
  if (error instanceof ConsoleError) {
    if (error.status === 0) return 'The platform did not answer. Check that LaunchDB is running, then try again.';
    if (error.status === 401) return 'Your session has ended. Sign in again.';
    if (error.status === 429) return 'Too many attempts. Wait a minute and try again.';
    if (error.status >= 500) return `The platform could not do that right now (${error.message}). Try again in a moment.`;
    return error.message;
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Try again.';
}

export const session = {
  get token(): string | null {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value: string | null) {
    if (value === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, value);
  },
};

async function call<T>(method: string, path: string, body?: unknown, options: { auth?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.auth !== false && session.token) headers.authorization = `Bearer ${session.token}`;
  let response: Response;
  try {
    response = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ConsoleError(0, 'network', 'no answer');
  }
  const text = await response.text();
  const parsed = text ? safeJson(text) : undefined;
  if (!response.ok) {
    if (response.status === 401 && options.auth !== false) session.token = null;
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ConsoleError(response.status, error?.code ?? 'error', error?.message ?? response.statusText);
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const platform = {
  async signIn(email: string, password: string): Promise<void> {
    const answer = await call<{ access_token: string }>('POST', '/auth/login', { email, password }, { auth: false });
    session.token = answer.access_token;
  },
  signOut(): void {
    session.token = null;
  },
  me: () => call<{ email: string }>('GET', '/me'),
  health: () => call<{ status: string; checks?: unknown }>('GET', '/health', undefined, { auth: false }).catch((error: unknown) => {
    // 503 carries the report too
    if (error instanceof ConsoleError && error.status === 503) return { status: 'degraded' };
    throw error;
  }),
  templates: () => call<{ templates: Array<{ name: string; title: string; description?: string }> }>('GET', '/templates'),
  projects: () => call<{ projects: Project[] }>('GET', '/projects'),
  project: (id: string) => call<Project>('GET', `/projects/${encodeURIComponent(id)}`),
  createProject: (input: { name: string; template?: string; demo?: boolean }) => call<Project>('POST', '/projects', input),
  rotateKeys: (id: string) => call<Project>('POST', `/projects/${encodeURIComponent(id)}/keys/rotate`),
  deleteProject: (id: string) => call<void>('DELETE', `/projects/${encodeURIComponent(id)}?confirm=${encodeURIComponent(id)}`),
  dataApi: (id: string) => call<DataApiStatus>('GET', `/projects/${encodeURIComponent(id)}/data-api`),
  wakeDataApi: (id: string) => call<DataApiStatus>('POST', `/projects/${encodeURIComponent(id)}/data-api`),
  stopDataApi: (id: string) => call<void>('DELETE', `/projects/${encodeURIComponent(id)}/data-api`),
  migrations: (id: string) => call<{ migrations: Migration[] }>('GET', `/projects/${encodeURIComponent(id)}/migrations`),
  applyMigration: (id: string, name: string, sql: string) => call<Migration>('POST', `/projects/${encodeURIComponent(id)}/migrations`, { name, sql }),
  backups: (projectId: string) => call<{ backups: Backup[] }>('GET', `/backups?project=${encodeURIComponent(projectId)}`),
  runBackup: (projectId: string) => call<{ backups: Backup[]; failed: Array<{ subject: string; error: string }> }>('POST', '/backups', { project: projectId }),
  verifyBackup: (id: string) => call<{ ok: boolean; tables: number; rows: number; seconds: number }>('POST', `/backups/${encodeURIComponent(id)}/verify`),
  restoreBackup: (id: string, projectId: string) =>
    call<{ previousState: string | null; rows: number }>('POST', `/backups/${encodeURIComponent(id)}/restore`, { project: projectId, confirm: projectId }),
  authSettings: (id: string) => call<{ settings: Record<string, unknown>; smtp_password_set: boolean; updated_at: string | null }>('GET', `/projects/${encodeURIComponent(id)}/auth-settings`),
  updateAuthSettings: (id: string, patch: Record<string, unknown>) =>
    call<{ settings: Record<string, unknown>; smtp_password_set: boolean; updated_at: string | null }>('PATCH', `/projects/${encodeURIComponent(id)}/auth-settings`, patch),
};
