import { z } from 'zod';
import { BackupErrors } from './errors.ts';

export const MANIFEST_FILE = 'manifest.json';
export const PLATFORM_SUBJECT = 'launchdb-platform';
export const PIECES = { database: 'database.dump.pgp', files: 'files.tar.pgp' } as const;

/** `<project id>-<UTC time>` or `launchdb-platform-<UTC time>`: project ids never hold a dash. */
const BACKUP_ID = /^(launchdb-platform|[a-z][a-z0-9]{2,30})-(\d{8}T\d{9}Z)$/;

const pieceSchema = z.object({
  name: z.string(),
  contents: z.string(),
  /** Of the file as stored: encrypted. Checkable without any key. */
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Of what was encrypted (the dump, the tar): checked after decryption. */
  plaintextBytes: z.number().int().nonnegative(),
  plaintextSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** tar pieces: files in it. */
  files: z.number().int().nonnegative().optional(),
  /** tar pieces: the storage backend the files were read from (absent in older backups: fs). */
  source: z.enum(['fs', 's3']).optional(),
});

const manifestSchema = z.object({
  format: z.literal(1),
  id: z.string().regex(BACKUP_ID),
  kind: z.enum(['project', 'platform']),
  projectId: z.string().nullable(),
  projectName: z.string().nullable(),
  template: z.string().nullable(),
  reason: z.enum(['scheduled', 'manual', 'pre-restore']),
  startedAt: z.string(),
  finishedAt: z.string(),
  encryption: z.object({ method: z.enum(['public-key', 'passphrase']), fingerprint: z.string().optional() }),
  tools: z.object({ pgDump: z.string(), server: z.string(), openpgp: z.string(), launchdb: z.string() }),
  database: z.object({
    name: z.string(),
    /** Counted in the snapshot pg_dump dumped. */
    tables: z.array(z.object({ schema: z.string(), name: z.string(), rows: z.number().int().nonnegative() })),
    /** Platform backups: the platform migrations applied, restored only by a LaunchDB with the same. */
    platformMigrations: z.array(z.string()).optional(),
  }),
  pieces: z.array(pieceSchema),
  /** HMAC-SHA256 of the rest under a key derived from LAUNCHDB_MASTER_KEY (ManifestSigner); absent when the maker had none. */
  signature: z.object({ method: z.literal('hmac-sha256'), keyId: z.string().regex(/^[0-9a-f]{16}$/), value: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
});

export type BackupManifest = z.infer<typeof manifestSchema>;
export type BackupPiece = z.infer<typeof pieceSchema>;

export function parseManifest(id: string, text: string): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw BackupErrors.manifestInvalid(id, (error as Error).message);
  }
  const result = manifestSchema.safeParse(json);
  if (!result.success) throw BackupErrors.manifestInvalid(id, result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  if (result.data.id !== id) throw BackupErrors.manifestInvalid(id, `it names backup ${result.data.id}`);
  return result.data;
}

export function isBackupId(id: string): boolean {
  return BACKUP_ID.test(id);
}

/** The subject (project id or `launchdb-platform`) and time of a backup id. */
export function parseBackupId(id: string): { subject: string; time: Date } | undefined {
  const match = BACKUP_ID.exec(id);
  if (!match) return undefined;
  const stamp = match[2]!;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.${stamp.slice(15, 18)}Z`;
  return { subject: match[1]!, time: new Date(iso) };
}

export function newBackupId(subject: string, at: Date): string {
  const iso = at.toISOString(); // 2026-12-06T02:00:00.123Z
  return `${subject}-${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}Z`;
}
