import { LaunchDbError } from '@launchdb/common/errors';

/**
 * Every failure a backup, verify or restore reports: one line an operator can act on. Each
 * leaves what it found as it was (a restore that fails has replaced nothing).
 */
export const BackupErrors = {
  toolMissing: (tool: string) =>
    new LaunchDbError('backup_tool_missing', 503, `backups need ${tool} from Debian's postgresql-client 15 or newer: apt-get install postgresql-client`),
  notFound: (id: string) => new LaunchDbError('not_found', 404, `backup ${id} not found (launchdb backup list shows the complete ones)`),
  projectNotFound: (id: string) => new LaunchDbError('not_found', 404, `project ${id} not found`),
  projectNotActive: (id: string, status: string) => new LaunchDbError('project_not_active', 409, `project ${id} is ${status}, not active`),
  projectExists: (id: string) => new LaunchDbError('project_exists', 409, `project ${id} already exists; choose another id for --as-new`),
  busy: (what: string, by?: string) =>
    new LaunchDbError('backup_busy', 409, `${what} is being backed up or restored right now${by ? ` (by ${by})` : ''}; try again when it is done`),
  invalidId: (id: string) => new LaunchDbError('validation_failed', 400, `not a backup id: ${JSON.stringify(id)}`),
  validation: (message: string) => new LaunchDbError('validation_failed', 400, message),
  confirmationRequired: (id: string) =>
    new LaunchDbError('confirmation_required', 400, `restoring replaces the database and files of project ${id}: confirm with --confirm ${id}`),
  wrongKind: (id: string, kind: string, wanted: string) => new LaunchDbError('wrong_backup_kind', 400, `backup ${id} is a ${kind} backup, not a ${wanted} backup`),
  templateMismatch: (backup: string, template: string | null, project: string, projectTemplate: string | null) =>
    new LaunchDbError(
      'template_mismatch',
      409,
      `backup ${backup} is of a project with ${describeTemplate(template)}, project ${project} has ${describeTemplate(projectTemplate)}: restore it with --as-new <id> instead`,
    ),
  schemaMismatch: (backup: string) =>
    new LaunchDbError('platform_version_mismatch', 409, `backup ${backup} was made by a LaunchDB with other platform migrations than this one: restore it with the version that made it`),
  manifestInvalid: (id: string, reason: string) => new LaunchDbError('backup_corrupt', 422, `backup ${id} has an unreadable manifest: ${reason}`),
  manifestTampered: (id: string) =>
    new LaunchDbError('backup_corrupt', 422, `backup ${id}: its manifest was changed after the backup was made (its signature does not match)`),
  manifestUnsigned: (id: string) =>
    new LaunchDbError(
      'backup_unsigned',
      422,
      `backup ${id} has an unsigned manifest: it was not made by a LaunchDB with LAUNCHDB_MASTER_KEY, or its signature was removed (if you know where it comes from: --allow-unsigned)`,
    ),
  manifestSignedElsewhere: (id: string) =>
    new LaunchDbError(
      'backup_signed_elsewhere',
      422,
      `backup ${id} was signed under another LAUNCHDB_MASTER_KEY than this platform's: restore it with the master key of the platform that made it (or, if you know where it comes from: --allow-unsigned)`,
    ),
  pieceMissing: (id: string, piece: string) => new LaunchDbError('backup_corrupt', 422, `backup ${id} is incomplete: ${piece} is missing`),
  hashMismatch: (id: string, piece: string, what: string) =>
    new LaunchDbError('backup_corrupt', 422, `backup ${id}: the ${what} of ${piece} does not match its manifest (truncated or tampered with)`),
  corrupt: (id: string, piece: string, reason: string) =>
    new LaunchDbError('backup_corrupt', 422, `backup ${id}: ${piece} is corrupt or was tampered with (${reason})`),
  decryptionFailed: (id: string, piece: string, reason: string) =>
    new LaunchDbError('backup_decryption_failed', 422, `backup ${id}: ${piece} cannot be decrypted: ${reason}`),
  noDecryptionKey: () =>
    new LaunchDbError(
      'backup_key_missing',
      409,
      'backups are encrypted to a public key and no private key is available here: set BACKUP_PRIVATE_KEY_FILE to the private key (armored) for verify and restore',
    ),
  keyInvalid: (what: string, reason: string) => new LaunchDbError('backup_key_invalid', 400, `${what} is not a usable OpenPGP key: ${reason}`),
  rowCountMismatch: (id: string, table: string, expected: number, found: number) =>
    new LaunchDbError('backup_corrupt', 422, `backup ${id}: table ${table} restored ${found} rows, the manifest says ${expected}`),
  diskFull: (path: string, neededBytes: number, freeBytes: number) =>
    new LaunchDbError(
      'not_enough_disk',
      507,
      `not enough disk at ${path}: needs about ${formatBytes(neededBytes)} (with BACKUP_DISK_RESERVE_MB kept free), ${formatBytes(freeBytes)} free`,
    ),
  toolFailed: (tool: string, message: string) => new LaunchDbError('backup_failed', 500, `${tool} failed: ${message}`),
};

function describeTemplate(template: string | null): string {
  return template ? `template ${template}` : 'no template';
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
