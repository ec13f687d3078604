export { registerStorageService, STORAGE_PREFIXES, type StorageService, type StorageServiceDependencies } from './plugin.ts';
export { buildStorageApp, storageServiceOf } from './app.ts';
export { PlatformS3Credentials, type S3Credentials } from './s3/s3-credentials.ts';
export { storageServiceSettingsSchema, defaultStorageServiceSettings, type StorageServiceSettings } from './settings.ts';
export { createStorageBackend, storageBackendSettingsSchema, type StorageBackendSettings, type StorageBackend } from './backends/index.ts';
