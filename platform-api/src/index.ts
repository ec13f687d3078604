export { buildPlatformApi, type PlatformApi, type PlatformApiDependencies } from './app.ts';
export { preparePlatformDatabase, PLATFORM_ROLE } from './setup/platform-database.ts';
export { ensureFirstOperator, type FirstOperatorOutcome } from './setup/first-operator.ts';
export type { DependencyCheck } from './domain/health.ts';
export { platformApiConfigSchema, platformApiSettings, type PlatformApiConfig } from './config.ts';
