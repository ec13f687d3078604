/**
 * @launchdb/postgrest-manager: the lifecycle of every project's data API. `launchdb up` builds it
 * in-process with buildPostgrestManager(); platform-api talks to it with PostgrestManagerClient.
 */
export { buildPostgrestManager, createDriver, type DriverChoice, type PostgrestManager, type PostgrestManagerOptions } from './postgrest-manager.ts';
export { buildPostgrestManagerApp, type PostgrestManagerAppDependencies } from './app.ts';
export { PostgrestManagerClient, type PostgrestManagerClientOptions } from './client.ts';
export {
  DEFAULT_DATA_API_ENTRY,
  driverChoiceFromSettings,
  postgrestManagerConfigSchema,
  postgrestManagerSettings,
  type PostgrestManagerConfig,
  type PostgrestManagerSettings,
} from './config.ts';
export { ManagerErrors } from './errors.ts';
export {
  DataApiFleet,
  type DataApiDetails,
  type DataApiFleetOptions,
  type DataApiState,
  type DataApiStatus,
  type WakeOutcome,
} from './domain/data-api-fleet.ts';
export { settingsHash, type DataApiSettings, type DataApiSettingsSource } from './domain/data-api-settings.ts';
export { PlatformDataApiSettings, type PlatformDataApiSettingsOptions } from './domain/platform-data-api-settings.ts';
export type { RestartBackoffOptions } from './domain/restart-backoff.ts';
export type { DataApiDriver, DataApiInstance, DiscoveredDataApi, DriverKind, StartOptions } from './drivers/driver.ts';
export { ProcessDriver, type ProcessDriverOptions } from './drivers/process/process-driver.ts';
export { DockerDriver, type DockerDriverOptions } from './drivers/docker/docker-driver.ts';
export {
  buildContainerSpec,
  containerName,
  imageKindOf,
  CONTAINER_LABELS,
  DEFAULT_DATA_API_IMAGE,
  type ContainerSpecOptions,
  type DataApiImageKind,
} from './drivers/docker/container-spec.ts';
