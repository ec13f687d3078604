export { registerStorageService, STORAGE_PREFIXES, type StorageService, type StorageServiceDependencies } from './plugin.ts';
export { buildStorageApp, storageServiceOf } from './app.ts';
export { storageServiceSettingsSchema, defaultStorageServiceSettings, type StorageServiceSettings } from './settings.ts';
export { createStorageBackend, storageBackendSettingsSchema, type StorageBackendSettings, type StorageBackend } from './backends/index.ts';
