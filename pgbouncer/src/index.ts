export type { DatabaseRoute, PgBouncerSettings, UserSecret } from './settings.ts';
export { renderPgBouncerIni, renderUserlist } from './config-generator.ts';
export { readScramSecrets } from './scram-secrets.ts';
export { databaseCommand, runAdminCommand, runAdminCommands, type AdminCommand, type AdminConsoleLogin, type DatabaseCommand } from './admin-console.ts';
export { findPgBouncerBinary } from './locate.ts';
export { PgBouncerProcess, type PgBouncerProcessOptions, type PgBouncerProcessSettings } from './pgbouncer-process.ts';
export { PgBouncerProjectPooler, type ConfiguredPgBouncer, type PgBouncerProjectPoolerOptions } from './project-pooler.ts';
export { platformPoolSettings, SharedFolderPgBouncer, type SharedFolderPgBouncerOptions } from './shared-folder-pgbouncer.ts';
export { registerPgBouncerMetrics, type PgBouncerMetricsOptions } from './metrics.ts';
