export { BackupEngine, type BackupEngineOptions, type ProjectControl, type ProjectView, type VerifyResult, type RestoreResult, type PlatformRestoreResult, type ProgressEvent, type BackupReason } from './backup-engine.ts';
export { BackupEncryption, generateBackupKeyPair, type GeneratedKey, type KeyFiles } from './encryption.ts';
export { BackupErrors } from './errors.ts';
export { LocalBackupStore } from './local-backup-store.ts';
export { parseManifest, isBackupId, PIECES, PLATFORM_SUBJECT, type BackupManifest, type BackupPiece } from './manifest.ts';
export { backupsToDelete, type RetentionPolicy } from './retention.ts';
export { backupSettings, backupSettingsSchema, type BackupSettings } from './settings.ts';
export { backupToolsProblem, postgresTools } from './tools.ts';
