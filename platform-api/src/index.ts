export { buildPlatformApi, type PlatformApi, type PlatformApiDependencies } from './app.ts';
export { preparePlatformDatabase, PLATFORM_ROLE } from './setup/platform-database.ts';
export { DEFAULT_ADMIN_EMAIL, ensureFirstOperator, type FirstOperatorOutcome } from './setup/first-operator.ts';
export type { DependencyCheck } from './domain/health.ts';
export { platformApiConfigSchema, platformApiSettings, type PlatformApiConfig } from './config.ts';
export type { ProjectRouteDependencies } from './routes/projects/index.ts';
export { createProjectServices, type ProjectServices, type ProjectServicesOptions } from './domain/projects/project-services.ts';
export {
  ProjectProvisioner,
  type ProjectProvisionerOptions,
  type CreateProjectInput,
  type ProvisioningStarted,
} from './domain/projects/project-provisioner.ts';
export { ProjectMigrations, type ProjectMigrationsOptions, type MigrationInput, type AppliedMigration, type OwnerConnection } from './domain/projects/project-migrations.ts';
export { ProjectCatalog, type ProjectDetails } from './domain/projects/project-catalog.ts';
export type { ProjectRecord, ProjectStatus } from './domain/projects/project-records.ts';
export { ProjectTemplates, BASE_TEMPLATE_FOLDER, APP_TEMPLATES_FOLDER } from './domain/projects/project-templates.ts';
export { PROVISIONING_STEPS, type ProvisioningStep, type ProvisioningFaults } from './domain/projects/provisioning-steps.ts';
export { DirectProjectPooler } from './domain/projects/direct-project-pooler.ts';
export { readLiveApiKeys, type LiveApiKeys } from '@launchdb/common';
export { PLATFORM_MIGRATIONS_FOLDER } from './setup/platform-database.ts';
export { syncSharedPgBouncer, type SharedPgBouncerOptions } from './setup/shared-pgbouncer.ts';
export { gatewaySettingsOf } from './config.ts';
export { registerGateway, type Gateway, type GatewayDependencies, type GatewayOptions } from './gateway/index.ts';
export type { DataApiFleetView } from './domain/projects/data-api-fleet-view.ts';
export type { ProjectBody } from './routes/projects/render-project.ts';
export type { BackupOperations, BackupJobRequest } from './domain/backups.ts';
