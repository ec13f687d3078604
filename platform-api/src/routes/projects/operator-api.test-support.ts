import { buildPlatformApi, type PlatformApi } from '../../app.ts';
import { createProjectServices } from '../../domain/projects/project-services.ts';
import type { ProjectTemplates } from '../../domain/projects/project-templates.ts';
import type { TestPlatform } from '../../domain/projects/projects.test-support.ts';
import { ensureFirstOperator } from '../../setup/first-operator.ts';

export const TEST_OPERATOR = { email: 'ops@example.com', password: 'a long operator password' };

/**
 * The platform API over a test platform, with the project routes and an operator signed in: what
 * every project route test starts from.
 */
export async function startOperatorApi(
  platform: TestPlatform,
  options: { publicUrl: string; templates?: ProjectTemplates },
): Promise<{ api: PlatformApi; token: string }> {
  await ensureFirstOperator(platform.db, TEST_OPERATOR);
  const api = await buildPlatformApi({
    db: platform.db,
    logger: platform.logger,
    jwtSecret: 'a-platform-secret-of-at-least-32-characters',
    tokenLifetimeSeconds: 600,
    loginAttemptsPerMinute: 100,
    healthChecks: [],
    projects: {
      ...createProjectServices({
        db: platform.db,
        adminUrl: platform.adminUrl,
        secrets: platform.secrets,
        pooler: platform.pooler,
        dataApis: platform.dataApis,
        logger: platform.logger,
        ...(options.templates ? { templates: options.templates } : {}),
      }),
      publicUrl: options.publicUrl,
    },
  });
  const login = await api.inject({ method: 'POST', url: '/api/auth/login', payload: TEST_OPERATOR });
  return { api, token: login.json().access_token };
}
