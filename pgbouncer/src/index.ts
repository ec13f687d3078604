export type { DatabaseRoute, PgBouncerSettings, UserSecret } from './settings.ts';
export { renderPgBouncerIni, renderUserlist } from './config-generator.ts';
export { readScramSecrets } from './scram-secrets.ts';
export { runAdminCommand, type AdminCommand, type AdminConsoleLogin } from './admin-console.ts';
export { findPgBouncerBinary } from './locate.ts';
export { PgBouncerProcess, type PgBouncerProcessOptions, type PgBouncerProcessSettings } from './pgbouncer-process.ts';
export { PgBouncerProjectPooler, type PgBouncerProjectPoolerOptions } from './project-pooler.ts';
