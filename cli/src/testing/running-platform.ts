import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { Logger } from '@launchdb/common';
import { reservePort } from '@launchdb/testkit/ports';
import { launchdbConfigSchema } from '../config.ts';
import { EmbeddedPlatform } from '../embedded-platform.ts';

export interface RunningProject {
  id: string;
  status: string;
  urls: { rest: string; auth: string; storage: string; supabase: string };
  keys: { anon: string; service_role: string };
}

/** The platform as `launchdb up` runs it, in a temporary data folder, with an operator signed in. */
export interface RunningPlatform {
  platform: EmbeddedPlatform;
  url: string;
  workdir: string;
  /** The settings it was started with (ports, folders, operator). */
  env: Record<string, string>;
  /** The platform API as the operator; the body parsed when there is one. */
  api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Creates a project and expects it active. */
  createProject(name: string, template?: string): Promise<RunningProject>;
  stop(): Promise<void>;
}

export const TEST_OPERATOR = { email: 'ops@launchdb.local', password: 'projects-test-password-1' };

/**
 * Starts the embedded platform (PostgreSQL, PgBouncer when installed, postgrest-manager with the
 * run's data API bundle, the gateway, auth and storage) on ports reserved below the ephemeral
 * range, so another test's client sockets cannot take them between restarts.
 */
export async function startRunningPlatform(overrides: Record<string, string> = {}, options: { logger?: Logger } = {}): Promise<RunningPlatform> {
  const workdir = await mkdtemp(join(tmpdir(), 'launchdb-running-'));
  // as root, PostgreSQL runs as the postgres user, which must reach the data folder
  await chmod(workdir, 0o755);
  const env: Record<string, string> = {
    LAUNCHDB_DATA_DIR: join(workdir, 'data'),
    LAUNCHDB_PORT: String(await reservePort()),
    LAUNCHDB_POSTGRES_PORT: String(await reservePort()),
    LAUNCHDB_PGBOUNCER_PORT: String(await reservePort()),
    LAUNCHDB_ADMIN_EMAIL: TEST_OPERATOR.email,
    LAUNCHDB_ADMIN_PASSWORD: TEST_OPERATOR.password,
    DATA_API_ENTRY: inject('dataApiEntry'),
    LOG_LEVEL: 'silent',
    ...overrides,
  };
  const platform = new EmbeddedPlatform(launchdbConfigSchema.parse(env), options.logger);
  let url: string;
  let token: string;
  try {
    url = (await platform.start()).url;
    // the operator the overrides name, if they name one
    const operator = { email: env.LAUNCHDB_ADMIN_EMAIL, password: env.LAUNCHDB_ADMIN_PASSWORD };
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(operator) });
    token = ((await login.json()) as { access_token: string }).access_token;
  } catch (error) {
    await platform.stop();
    await rm(workdir, { recursive: true, force: true });
    throw error;
  }

  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    platform,
    url,
    workdir,
    env,
    api,
    async createProject(name, template) {
      const created = await api<RunningProject>('POST', '/api/projects', { name, ...(template ? { template } : {}) });
      if (created.status !== 201 || created.body.status !== 'active') throw new Error(`project ${name} not created: ${created.status} ${JSON.stringify(created.body)}`);
      return created.body;
    },
    async stop() {
      await platform.stop();
      await rm(workdir, { recursive: true, force: true });
    },
  };
}
