/**
 * @launchdb/data-api: a PostgREST v12-compatible server. `startDataApi(config)` runs it as a
 * process does; `buildDataApi(deps)` builds the HTTP app from its dependencies.
 */
export { buildDataApi, type DataApi, type DataApiDependencies } from './app.ts';
export { startDataApi, createDataApiPool, type RunningDataApi, type StartDataApiOptions } from './server/start.ts';
export { buildAdminServer, type AdminServerDependencies } from './server/admin.ts';
export { handleApiRequest, planContext, type PipelineDependencies } from './server/pipeline.ts';
export { NotificationListener, type NotificationListenerOptions } from './server/notification-listener.ts';
export { SchemaCacheReloader } from './server/schema-cache-reloader.ts';
export type { Backoff } from './server/backoff.ts';
export type { BuildPlan, ConfigSource, ParseApiRequest, RawRequest, SchemaCacheSource } from './server/dependencies.ts';
export * from './config/index.ts';
export * from './auth/index.ts';
export * from './execute/index.ts';
export * from './response/index.ts';
export { PgrstError, Errors } from './errors.ts';
export { runDataApiCommand } from './command.ts';
export { DATA_API_NODE_FLAGS } from './node-flags.ts';
