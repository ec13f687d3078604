import { AuthClient, type AuthFlowType, type GoTrueClient, type SupportedStorage } from '@supabase/auth-js';
import { createLogger } from '@launchdb/common';
import { writeProjectAuthSettings, type ProjectAuthSettings } from '@launchdb/common/auth-settings';
import { createServiceTestbed, type ServiceTestbed, type ServiceTestProject } from '../../../test/service-projects.ts';
import { reservePort } from '@launchdb/testkit/ports';
import { buildAuthApp, type AuthApp } from '../app.ts';
import { defaultAuthServiceSettings, type AuthServiceSettings } from '../config.ts';

/** Limits high enough that no test but the one about limits meets them. */
export const RAISED_RATE_LIMITS = {
  window_seconds: 300,
  token_per_ip: 100_000,
  signup_per_ip: 100_000,
  recover_per_ip: 100_000,
  otp_per_ip: 100_000,
  verify_per_ip: 100_000,
  mfa_per_ip: 100_000,
  per_email: 100_000,
  emails_per_hour: 100_000,
};

export interface AuthTestbed {
  services: ServiceTestbed;
  app: AuthApp;
  /** http://127.0.0.1:<port> */
  base: string;
  createProject(settings?: ProjectAuthSettings, smtpPassword?: string): Promise<ServiceTestProject>;
  /** Changes a project's settings as the platform API will, and makes the service read them again. */
  configure(projectId: string, settings: Record<string, unknown>): Promise<void>;
  /** auth-js at `/auth/<id>` with the project's anon key and a storage of its own. */
  client(project: ServiceTestProject, options?: { flowType?: AuthFlowType; path?: 'auth' | 'p' }): GoTrueClient;
  close(): Promise<void>;
}

/** A map-backed storage: each client keeps its session (and PKCE verifier) apart. */
export function memoryStorage(): SupportedStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/** The auth service on a port of its own, over real provisioned projects. */
export async function startAuthTestbed(overrides: Partial<AuthServiceSettings> = {}): Promise<AuthTestbed> {
  const services = await createServiceTestbed();
  const port = await reservePort();
  const base = `http://127.0.0.1:${port}`;
  const app = await buildAuthApp({
    projects: services.directory,
    platformDb: services.platformDb,
    secrets: services.secrets,
    publicUrl: base,
    settings: defaultAuthServiceSettings({ rateLimits: RAISED_RATE_LIMITS, anonymousUsersEnabled: true, ...overrides }),
    logger: createLogger({ level: 'silent', name: 'auth-test' }),
  });
  await app.listen({ host: '127.0.0.1', port });
  const configure = async (projectId: string, settings: Record<string, unknown>, smtpPassword?: string) => {
    await writeProjectAuthSettings(services.platformDb, services.secrets, projectId, { settings, ...(smtpPassword !== undefined ? { smtp_password: smtpPassword } : {}) });
    app.auth.forget(projectId);
  };
  return {
    services,
    app,
    base,
    async createProject(settings, smtpPassword) {
      const project = await services.createProject();
      if (settings !== undefined) await configure(project.id, settings, smtpPassword);
      return project;
    },
    configure: (projectId, settings) => configure(projectId, settings),
    client(project, options = {}) {
      const url = options.path === 'p' ? `${base}/p/${project.id}/auth/v1` : `${base}/auth/${project.id}`;
      return new AuthClient({
        url,
        headers: { apikey: project.anonKey },
        storage: memoryStorage(),
        storageKey: `sb-${project.id}-${Math.random().toString(36).slice(2)}`,
        persistSession: true,
        autoRefreshToken: false,
        detectSessionInUrl: false,
        flowType: options.flowType ?? 'implicit',
      });
    },
    async close() {
      // a busy keep-alive connection at close() would otherwise stay for Fastify's 72 s keep-alive
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await services.close();
    },
  };
}
