import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { quoteIdent, withClient, withDatabase } from '@launchdb/common/db';
import { isLaunchDbError, LaunchDbError } from '@launchdb/common/errors';
import type { Logger } from '@launchdb/common/logger';
import type { StorageBackend } from '@launchdb/storage-service/backends';
import { projectNames } from '@launchdb/common/projects';
import { compareCounts, countRows, createEmptyDatabase, dropDatabase, exitOf, restoreDump, startDump, type TableCount } from './database.ts';
import type { BackupEncryption } from './encryption.ts';
import { BackupErrors } from './errors.ts';
import { countArchiveFiles } from './file-archive.ts';
import { projectFilesOf, readSidecars, type ProjectFiles, type StagedFiles } from './project-files.ts';
import type { BackupStore, PartialBackup } from './local-backup-store.ts';
import type { S3BackupStore } from './s3-backup-store.ts';
import { newBackupId, parseBackupId, PIECES, PLATFORM_SUBJECT, type BackupManifest, type BackupPiece } from './manifest.ts';
import { ManifestSigner } from './manifest-signature.ts';
import { Meter } from './metering.ts';
import { backupsToDelete, type RetentionPolicy } from './retention.ts';
import { lockSubject } from './subject-lock.ts';
import { libpqEnvironment, postgresTools, type PostgresTools } from './tools.ts';
import { OPENPGP_VERSION, LAUNCHDB_VERSION } from './versions.ts';

export type BackupReason = BackupManifest['reason'];

/** `allowUnsigned`: take a manifest this platform cannot check (see #checkSignature). */
export interface ManifestTrust {
  allowUnsigned?: boolean | undefined;
}

export interface ProjectView {
  id: string;
  name: string;
  template: string | null;
  status: string;
}

/**
 * What a restore asks of the running platform (platform-api's provisioner, postgrest-manager,
 * PgBouncer): the backup package never provisions by itself.
 */
export interface ProjectControl {
  /** A new project with its roles, keys, pool entry and data API; resolves once it is active. */
  create(input: { id: string; name: string; template: string | null }): Promise<void>;
  /** Provisioning run again (roles with their stored passwords, database, pool entry, data API). */
  provision(id: string): Promise<void>;
  stopDataApi(id: string): Promise<void>;
  /** The database was replaced: pool entry written again, data API started on the new schema, caches dropped. */
  restored(id: string): Promise<void>;
}

export interface ProgressEvent {
  backup: string;
  piece: string;
  bytes: number;
  /** Expected total, when known (restores, verifies). */
  total?: number | undefined;
}

export interface BackupEngineOptions {
  /** Superuser URL of the platform database: direct, never PgBouncer. */
  adminUrl: string;
  store: BackupStore;
  /** Every complete backup is copied there too (pieces, then the manifest), and thinned with the rest. */
  mirror?: S3BackupStore | undefined;
  /** The disk verifies and restores need room on (the database cluster's, where it is local); default: the store's folder. */
  workFolder?: string | undefined;
  encryption: BackupEncryption;
  /**
   * The storage service's backend, where each project's files are: fs (its folder tarred as it
   * is) or S3 (its objects listed and streamed through the backend). Absent: files are not backed up.
   */
  storage?: StorageBackend | undefined;
  logger: Logger;
  /** Kept free on every disk a backup or restore writes to. */
  diskReserveBytes: number;
  /** Needed by restores; backups and verifies run without. */
  projects?: ProjectControl | undefined;
  onProgress?: ((event: ProgressEvent) => void) | undefined;
  /**
   * How long an operation waits while another process holds its subject, before it is refused
   * (409 backup_busy). 2 s: a killed holder's session takes a moment to end.
   */
  lockWaitMs?: number | undefined;
  /**
   * LAUNCHDB_MASTER_KEY: every manifest is signed under a key derived from it, and verify and
   * restore refuse one that is unsigned, signed under another key, or changed since. Absent:
   * manifests are neither signed nor checked.
   */
  masterKey?: Buffer | undefined;
}

export interface VerifyResult {
  backup: string;
  ok: true;
  /** Decrypting and restoring the dump into the scratch database; then counting its rows. */
  restoreSeconds: number;
  countSeconds: number;
  tables: number;
  rows: number;
  files: number | null;
  seconds: number;
}

export interface RestoreResult {
  backup: string;
  project: string;
  /** The backup of what the project held before: its way back. */
  previousState: string | null;
  tables: number;
  rows: number;
  files: number | null;
  seconds: number;
}

export interface PlatformRestoreResult {
  backup: string;
  projects: { id: string; backup: string | null; restored: boolean; error?: string }[];
  seconds: number;
}

/**
 * Makes, checks and restores backups of projects and of the platform database. Every operation
 * on one subject holds it: two never run at once on the same project.
 */
export class BackupEngine {
  readonly #options: BackupEngineOptions;
  readonly #files: ProjectFiles | undefined;
  readonly #signer: ManifestSigner | undefined;
  readonly #busy = new Set<string>();

  constructor(options: BackupEngineOptions) {
    this.#options = options;
    this.#files = options.storage ? projectFilesOf(options.storage) : undefined;
    this.#signer = options.masterKey ? new ManifestSigner(options.masterKey) : undefined;
  }

  get store(): BackupStore {
    return this.#options.store;
  }

  get encryption(): BackupEncryption {
    return this.#options.encryption;
  }

  async backupProject(projectId: string, reason: BackupReason = 'manual'): Promise<BackupManifest> {
    return this.#exclusive(projectId, () => this.#backupProject(projectId, reason));
  }

  async backupPlatform(reason: BackupReason = 'manual'): Promise<BackupManifest> {
    return this.#exclusive(PLATFORM_SUBJECT, async () => {
      const database = databaseOf(this.#options.adminUrl);
      return this.#backup({
        subject: PLATFORM_SUBJECT,
        kind: 'platform',
        database,
        project: null,
        reason,
        files: undefined,
        readExtra: async (client) => ({
          platformMigrations: (await client.query<{ version: string }>('select version from platform.schema_migrations order by version')).rows.map((row) => row.version),
        }),
      });
    });
  }

  async #backupProject(projectId: string, reason: BackupReason): Promise<BackupManifest> {
    const project = await this.project(projectId);
    if (!project) throw BackupErrors.projectNotFound(projectId);
    if (project.status !== 'active') throw BackupErrors.projectNotActive(projectId, project.status);
    return this.#backup({
      subject: projectId,
      kind: 'project',
      database: projectNames(projectId).database,
      project,
      reason,
      files: this.#files,
      readExtra: async () => ({}),
    });
  }

  async #backup(input: {
    subject: string;
    kind: 'project' | 'platform';
    database: string;
    project: ProjectView | null;
    reason: BackupReason;
    files: ProjectFiles | undefined;
    readExtra: (client: pg.Client) => Promise<Record<string, unknown>>;
  }): Promise<BackupManifest> {
    const tools = await postgresTools();
    const store = this.#options.store;
    await this.cleanUpStore();
    const size = await withClient(this.#options.adminUrl, async (admin) =>
      Number((await admin.query<{ size: string }>('select pg_database_size($1) as size', [input.database])).rows[0]!.size),
    );
    // a custom-format dump is compressed: a third of the database is a generous guess
    if (store.localRoot) await this.#assertFree(store.localRoot, size / 3);

    const startedAt = new Date();
    const id = newBackupId(input.subject, startedAt);
    const partial = await store.begin(id);
    try {
      const dump = await startDump(tools, this.#options.adminUrl, input.database, input.readExtra);
      let databasePiece: BackupPiece;
      try {
        databasePiece = await this.#writePiece(partial, PIECES.database, 'pg_dump custom format', dump.output);
        await dump.finished;
      } catch (error) {
        dump.output.destroy();
        await dump.finished.catch(() => undefined);
        throw error;
      }
      const pieces = [databasePiece];
      if (input.files) {
        const archive = await input.files.archive(input.subject);
        const piece = await this.#writePiece(partial, PIECES.files, input.files.contents, archive.output);
        pieces.push({ ...piece, files: await archive.files, source: input.files.source });
      }
      const extra = await dump.extra;
      const unsigned: BackupManifest = {
        format: 1,
        id,
        kind: input.kind,
        projectId: input.project?.id ?? null,
        projectName: input.project?.name ?? null,
        template: input.project?.template ?? null,
        reason: input.reason,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        encryption: this.#options.encryption.describe(),
        tools: { pgDump: tools.version, server: await dump.serverVersion, openpgp: OPENPGP_VERSION, launchdb: LAUNCHDB_VERSION },
        database: {
          name: input.database,
          tables: await dump.tables,
          ...(Array.isArray(extra.platformMigrations) ? { platformMigrations: extra.platformMigrations as string[] } : {}),
        },
        pieces,
      };
      const manifest = this.#signer ? this.#signer.sign(unsigned) : unsigned;
      await partial.commit(manifest);
      if (this.#options.mirror) {
        try {
          await this.#options.mirror.copyFrom(store, id);
        } catch (error) {
          throw new LaunchDbError('backup_copy_failed', 502, `backup ${id} was made in ${store.describe()} but not copied to ${this.#options.mirror.describe()}: ${(error as Error).message}`);
        }
      }
      this.#options.logger.info({ backup: id, bytes: pieces.reduce((sum, piece) => sum + piece.bytes, 0) }, 'backup complete');
      return manifest;
    } catch (error) {
      await partial.abort().catch(() => undefined);
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw BackupErrors.diskFull(store.describe(), size / 3 + this.#options.diskReserveBytes, 0);
      }
      throw error;
    }
  }

  /** Encrypts `plaintext` into the piece as it streams; both sides are counted and hashed. */
  async #writePiece(partial: PartialBackup, name: string, contents: string, plaintext: Readable): Promise<BackupPiece> {
    const plain = new Meter();
    const encrypted = new Meter((bytes) => this.#options.onProgress?.({ backup: partial.id, piece: name, bytes }));
    const feeding = pipeline(plaintext, plain);
    const ciphertext = await this.#options.encryption.encrypt(plain);
    try {
      await Promise.all([feeding, pipeline(ciphertext, encrypted), partial.writePiece(name, encrypted)]);
    } catch (error) {
      plaintext.destroy();
      ciphertext.destroy();
      throw error;
    }
    return { name, contents, bytes: encrypted.bytes, sha256: encrypted.sha256, plaintextBytes: plain.bytes, plaintextSha256: plain.sha256 };
  }

  /**
   * Decrypts a piece as it is read, checking the SHA-256 of both sides at the end; `consume`
   * must read the plaintext to its end. A mismatch or a decryption error rejects.
   */
  async #readPiece<T>(manifest: BackupManifest, piece: BackupPiece, consume: (plaintext: Readable) => Promise<T>): Promise<T> {
    const file = await this.#options.store.openPiece(manifest.id, piece.name);
    const encrypted = new Meter((bytes) => this.#options.onProgress?.({ backup: manifest.id, piece: piece.name, bytes, total: piece.bytes }));
    const reading = pipeline(file, encrypted);
    let plaintext: Readable;
    try {
      plaintext = await this.#options.encryption.decrypt(encrypted, { backup: manifest.id, piece: piece.name, bytes: piece.bytes });
    } catch (error) {
      file.destroy();
      await reading.catch(() => undefined);
      throw error;
    }
    const plain = new Meter();
    let result: T;
    try {
      const decrypting = pipeline(plaintext, plain);
      [result] = await Promise.all([consume(plain), decrypting, reading]);
    } catch (error) {
      file.destroy();
      plaintext.destroy();
      if (encrypted.bytes !== piece.bytes || (encrypted.writableFinished && encrypted.sha256 !== piece.sha256)) {
        throw BackupErrors.hashMismatch(manifest.id, piece.name, 'SHA-256 of the encrypted file');
      }
      if (isLaunchDbError(error)) throw error;
      // the bytes are the manifest's, but what they decrypt to is not a dump or an archive
      throw BackupErrors.corrupt(manifest.id, piece.name, (error as Error).message);
    }
    if (encrypted.bytes !== piece.bytes || encrypted.sha256 !== piece.sha256) throw BackupErrors.hashMismatch(manifest.id, piece.name, 'SHA-256 of the encrypted file');
    if (plain.bytes !== piece.plaintextBytes || plain.sha256 !== piece.plaintextSha256) throw BackupErrors.hashMismatch(manifest.id, piece.name, 'SHA-256 of the decrypted contents');
    return result;
  }

  /** Every piece read once without a key: present, of the size and SHA-256 its manifest says. */
  async checkStoredHashes(manifest: BackupManifest): Promise<void> {
    for (const piece of manifest.pieces) {
      const meter = new Meter();
      await pipeline(await this.#options.store.openPiece(manifest.id, piece.name), meter, async function* (source) {
        for await (const _chunk of source) {
          // read through
        }
      });
      if (meter.bytes !== piece.bytes || meter.sha256 !== piece.sha256) throw BackupErrors.hashMismatch(manifest.id, piece.name, 'SHA-256 of the encrypted file');
    }
  }

  /**
   * Decrypts every piece checking its SHA-256s, restores the dump into a scratch database,
   * compares every table's row count with the manifest, and drops it.
   */
  async verify(id: string, options: ManifestTrust = {}): Promise<VerifyResult> {
    const started = performance.now();
    const manifest = await this.#options.store.manifest(id);
    this.#checkSignature(manifest, options);
    if (!this.#options.encryption.canDecrypt) throw BackupErrors.noDecryptionKey();
    const tools = await postgresTools();
    const databasePiece = pieceOf(manifest, PIECES.database);
    await this.#assertFree(this.#workFolder(), databasePiece.plaintextBytes * 3);
    const scratch = `launchdb_verify_${randomBytes(6).toString('hex')}`;
    await createEmptyDatabase(this.#options.adminUrl, scratch);
    let counts: TableCount[];
    let restored: number;
    let counted: number;
    try {
      await this.#readPiece(manifest, databasePiece, (plaintext) => restoreDump(tools, plaintext, { adminUrl: this.#options.adminUrl, database: scratch, skipOwnership: true }));
      restored = performance.now();
      counts = await withClient(withDatabase(this.#options.adminUrl, scratch), countRows);
      counted = performance.now();
      compareCounts(id, manifest.database.tables, counts);
    } finally {
      await dropDatabase(this.#options.adminUrl, scratch).catch((error: Error) => this.#options.logger.warn({ err: error, database: scratch }, 'scratch database not dropped'));
    }
    let files: number | null = null;
    const filesPiece = manifest.pieces.find((piece) => piece.name === PIECES.files);
    if (filesPiece) {
      files = await this.#readPiece(manifest, filesPiece, countArchiveFiles);
      if (filesPiece.files !== undefined && files !== filesPiece.files) {
        throw BackupErrors.hashMismatch(id, PIECES.files, `file count (${files}, manifest ${filesPiece.files})`);
      }
    }
    return {
      backup: id,
      ok: true,
      tables: manifest.database.tables.length,
      rows: manifest.database.tables.reduce((sum, table) => sum + table.rows, 0),
      files,
      restoreSeconds: round((restored - started) / 1000),
      countSeconds: round((counted - restored) / 1000),
      seconds: round((performance.now() - started) / 1000),
    };
  }

  /**
   * Replaces a project's database and files by a backup's (`targetId` = the backup's project or
   * another project with the same template), or restores it into a new project (`asNew`). Every
   * check and the whole restore happen beside the live project, which is swapped only at the end.
   */
  async restoreProject(
    id: string,
    target: ({ projectId: string; confirm?: string | undefined } | { asNew: string }) & ManifestTrust,
  ): Promise<RestoreResult> {
    const started = performance.now();
    const control = this.#control();
    const manifest = await this.#options.store.manifest(id);
    this.#checkSignature(manifest, target);
    if (manifest.kind !== 'project' || !manifest.projectId) throw BackupErrors.wrongKind(id, manifest.kind, 'project');
    const targetId = 'asNew' in target ? target.asNew : target.projectId;
    if (!/^[a-z][a-z0-9]{2,30}$/.test(targetId)) throw BackupErrors.validation(`not a project id: ${JSON.stringify(targetId)}`);
    return this.#exclusive(targetId, async () => {
      const existing = await this.project(targetId);
      if ('asNew' in target) {
        if (existing) throw BackupErrors.projectExists(targetId);
      } else {
        if (!existing) throw BackupErrors.projectNotFound(targetId);
        if (existing.status !== 'active') throw BackupErrors.projectNotActive(targetId, existing.status);
        if (existing.template !== manifest.template) throw BackupErrors.templateMismatch(id, manifest.template, targetId, existing.template);
        if (target.confirm !== targetId) throw BackupErrors.confirmationRequired(targetId);
      }
      await this.#checkRestorable(manifest, target);
      let previousState: string | null = null;
      if ('asNew' in target) {
        await control.create({ id: targetId, name: `${manifest.projectName ?? manifest.projectId} (restored ${manifest.startedAt.slice(0, 10)})`, template: manifest.template });
      } else {
        previousState = (await this.#backupProject(targetId, 'pre-restore')).id;
      }
      const result = await this.#replaceProject(manifest, targetId, { fresh: 'asNew' in target });
      return { ...result, previousState, seconds: round((performance.now() - started) / 1000) };
    });
  }

  /** Everything a restore needs, checked before anything changes: a key, the hashes, the disk. */
  async #checkRestorable(manifest: BackupManifest, trust: ManifestTrust): Promise<void> {
    this.#checkSignature(manifest, trust);
    if (!this.#options.encryption.canDecrypt) throw BackupErrors.noDecryptionKey();
    await postgresTools();
    await this.checkStoredHashes(manifest);
    const plaintext = manifest.pieces.reduce((sum, piece) => sum + piece.plaintextBytes, 0);
    // a restored database is larger than its compressed dump
    await this.#assertFree(this.#workFolder(), plaintext * 3);
    if (this.#files?.localRoot) await this.#assertFree(this.#files.localRoot, pieceSize(manifest, PIECES.files));
  }

  async #replaceProject(manifest: BackupManifest, targetId: string, options: { fresh: boolean }): Promise<Omit<RestoreResult, 'previousState' | 'seconds'>> {
    const control = this.#control();
    const tools = await postgresTools();
    const names = projectNames(targetId);
    const staging = `${names.database}_restoring`;
    const adminUrl = this.#options.adminUrl;
    await createEmptyDatabase(adminUrl, staging, names.owner);
    const projectFiles = this.#files;
    let staged: StagedFiles | undefined;
    let files: number | null = null;
    try {
      const renameRoles = manifest.projectId === targetId ? undefined : { from: projectNames(manifest.projectId!), to: names };
      await this.#readPiece(manifest, pieceOf(manifest, PIECES.database), (plaintext) => restoreDump(tools, plaintext, { adminUrl, database: staging, renameRoles }));
      compareCounts(manifest.id, manifest.database.tables, await withClient(withDatabase(adminUrl, staging), countRows));
      const filesPiece = manifest.pieces.find((piece) => piece.name === PIECES.files);
      if (projectFiles && filesPiece) {
        const sidecars = projectFiles.needsSidecarsFirst(filesPiece.source ?? 'fs') ? await this.#readPiece(manifest, filesPiece, readSidecars) : undefined;
        await this.#readPiece(manifest, filesPiece, async (plaintext) => {
          staged = await projectFiles.stage(targetId, plaintext, { ...options, sidecars });
        });
        files = filesPiece.files ?? null;
      }
    } catch (error) {
      await dropDatabase(adminUrl, staging).catch(() => undefined);
      await staged?.discard().catch((failure: Error) => this.#options.logger.warn({ projectId: targetId, err: failure }, 'staged files not removed'));
      throw error;
    }

    // the swap: the only moment the project is unavailable
    try {
      await control.stopDataApi(targetId);
    } catch (error) {
      await dropDatabase(adminUrl, staging).catch(() => undefined);
      await staged?.discard().catch(() => undefined);
      throw error;
    }
    await withClient(adminUrl, async (admin) => {
      await admin.query(`drop database if exists ${quoteIdent(names.database)} with (force)`);
      await admin.query(`alter database ${quoteIdent(staging)} rename to ${quoteIdent(names.database)}`);
      await admin.query(`alter database ${quoteIdent(names.database)} owner to ${quoteIdent(names.owner)}`);
      // as provisioning isolates it: only the project's own roles may connect
      await admin.query(`revoke all on database ${quoteIdent(names.database)} from public`);
      await admin.query(`grant connect on database ${quoteIdent(names.database)} to ${quoteIdent(names.authenticator)}`);
      await admin.query(`grant all on database ${quoteIdent(names.database)} to ${quoteIdent(names.owner)}`);
    });
    await staged?.swap();
    await control.restored(targetId);
    this.#options.logger.info({ backup: manifest.id, projectId: targetId }, 'project restored');
    return {
      backup: manifest.id,
      project: targetId,
      tables: manifest.database.tables.length,
      rows: manifest.database.tables.reduce((sum, table) => sum + table.rows, 0),
      files,
    };
  }

  /**
   * On a fresh platform (no projects yet, same master key): the newest platform backup of `source`
   * brings back operators, projects, their secrets and keys; then each project is provisioned
   * (its roles get their old passwords) and its newest backup in `source` is restored into it.
   */
  async restorePlatform(source: BackupStore, trust: ManifestTrust = {}): Promise<PlatformRestoreResult> {
    const started = performance.now();
    const control = this.#control();
    return this.#exclusive(PLATFORM_SUBJECT, async () => {
      const all = await source.list();
      const platform = all.find((manifest) => manifest.kind === 'platform');
      if (!platform) throw BackupErrors.validation(`no complete platform backup in ${source.describe()}`);
      this.#checkSignature(platform, trust);
      const newestOf = new Map<string, BackupManifest>();
      for (const manifest of all) {
        if (manifest.kind === 'project' && manifest.projectId && !newestOf.has(manifest.projectId)) newestOf.set(manifest.projectId, manifest);
      }
      const sourceEngine = new BackupEngine({ ...this.#options, store: source, mirror: undefined, workFolder: this.#workFolder() });
      const tools = await postgresTools();
      const current = await withClient(this.#options.adminUrl, async (admin) => ({
        projects: (await admin.query<{ id: string }>('select id from platform.projects')).rows.map((row) => row.id),
        migrations: (await admin.query<{ version: string }>('select version from platform.schema_migrations order by version')).rows.map((row) => row.version),
      }));
      if (current.projects.length > 0) {
        throw BackupErrors.validation(`restore-platform brings back a whole platform into a fresh one, but this one has projects (${current.projects.join(', ')}); restore them one by one with launchdb backup restore`);
      }
      if (JSON.stringify(platform.database.platformMigrations ?? []) !== JSON.stringify(current.migrations)) throw BackupErrors.schemaMismatch(platform.id);
      // every piece is checked before anything changes
      await sourceEngine.#checkRestorable(platform, trust);
      for (const manifest of newestOf.values()) await sourceEngine.#checkRestorable(manifest, trust);

      await sourceEngine.#readPiece(platform, pieceOf(platform, PIECES.database), (plaintext) => this.#loadPlatformData(tools, plaintext));
      const restored = await withClient(this.#options.adminUrl, async (admin) =>
        (await admin.query<{ id: string; status: string }>('select id, status from platform.projects order by created_at')).rows,
      );
      const projects: PlatformRestoreResult['projects'] = [];
      for (const project of restored) {
        const backup = newestOf.get(project.id);
        try {
          await control.provision(project.id);
          if (backup) await sourceEngine.#exclusive(project.id, () => sourceEngine.#replaceProject(backup, project.id, { fresh: false }));
          projects.push({ id: project.id, backup: backup?.id ?? null, restored: backup !== undefined });
        } catch (error) {
          this.#options.logger.error({ projectId: project.id, err: error }, 'project not restored');
          projects.push({ id: project.id, backup: backup?.id ?? null, restored: false, error: (error as Error).message });
        }
      }
      return { backup: platform.id, projects, seconds: round((performance.now() - started) / 1000) };
    });
  }

  /**
   * The platform tables' rows replaced by the backup's in one transaction; the platform's own
   * secrets (its role's password, which this running platform logs in with) are kept.
   */
  async #loadPlatformData(tools: PostgresTools, plaintext: Readable): Promise<void> {
    const tables = await withClient(this.#options.adminUrl, async (admin) =>
      (await admin.query<{ name: string }>(`select quote_ident(tablename) as name from pg_catalog.pg_tables where schemaname = 'platform'`)).rows.map((row) => `platform.${row.name}`),
    );
    const before = [
      'create temporary table launchdb_kept_secrets on commit drop as select * from platform.secrets where project_id is null',
      `truncate ${tables.join(', ')}`,
    ].join(';\n');
    const after = ['delete from platform.secrets where project_id is null', 'insert into platform.secrets select * from launchdb_kept_secrets'].join(';\n');
    const environment = libpqEnvironment(this.#options.adminUrl);
    const restore = spawn(tools.pgRestore, ['--data-only', '--schema=platform', '--disable-triggers', '--file=-'], { env: environment, stdio: ['pipe', 'pipe', 'pipe'] });
    const psql = spawn(tools.psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '--no-password', '-c', before, '-f', '-', '-c', after], {
      env: environment,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const exits = [exitOf(restore, 'pg_restore'), exitOf(psql, 'psql')];
    try {
      await Promise.all([pipeline(plaintext, restore.stdin!), pipeline(restore.stdout!, psql.stdin!), ...exits]);
    } catch (error) {
      restore.kill('SIGKILL');
      psql.kill('SIGKILL');
      throw error;
    }
  }

  /** Applies the retention policy to every subject with backups; returns the ids deleted. */
  async applyRetention(policy: RetentionPolicy): Promise<string[]> {
    const bySubject = new Map<string, { id: string; at: Date }[]>();
    for (const manifest of await this.#options.store.list()) {
      const subject = parseBackupId(manifest.id)!.subject;
      const list = bySubject.get(subject) ?? [];
      list.push({ id: manifest.id, at: new Date(manifest.startedAt) });
      bySubject.set(subject, list);
    }
    const deleted: string[] = [];
    for (const [subject, backups] of bySubject) {
      if (this.#busy.has(subject)) continue;
      for (const doomed of backupsToDelete(backups, policy)) {
        await this.#options.store.delete(doomed.id);
        await this.#options.mirror?.delete(doomed.id).catch((error: Error) => this.#options.logger.warn({ backup: doomed.id, err: error }, 'old backup not deleted from the copy'));
        deleted.push(doomed.id);
      }
    }
    if (deleted.length) this.#options.logger.info({ deleted }, 'old backups deleted (retention)');
    return deleted;
  }

  async project(id: string): Promise<ProjectView | undefined> {
    return withClient(this.#options.adminUrl, async (admin) =>
      (await admin.query<ProjectView>('select id, name, template, status from platform.projects where id = $1', [id])).rows[0],
    );
  }

  async activeProjects(): Promise<string[]> {
    return withClient(this.#options.adminUrl, async (admin) =>
      (await admin.query<{ id: string }>(`select id from platform.projects where status = 'active' order by id`)).rows.map((row) => row.id),
    );
  }

  #control(): ProjectControl {
    if (!this.#options.projects) throw new LaunchDbError('restore_unavailable', 503, 'restores run inside `launchdb up` (they need the running platform)');
    return this.#options.projects;
  }

  #workFolder(): string | undefined {
    return this.#options.workFolder ?? this.#options.store.localRoot;
  }

  async #assertFree(path: string | undefined, neededBytes: number): Promise<void> {
    if (!path) return;
    let free: number;
    try {
      const info = await statfs(path);
      free = info.bavail * info.bsize;
    } catch {
      return; // a folder not made yet: its parent's disk is checked when it is written
    }
    const needed = Math.ceil(neededBytes + this.#options.diskReserveBytes);
    if (free < needed) throw BackupErrors.diskFull(path, needed, free);
  }

  /**
   * A manifest this platform signed, unchanged. `allowUnsigned` (the operator's word) also lets
   * through one it cannot check — unsigned, or signed under another master key — never one its
   * own key says was changed.
   */
  #checkSignature(manifest: BackupManifest, trust: ManifestTrust): void {
    const signer = this.#signer;
    if (!signer) return;
    if (trust.allowUnsigned && (!manifest.signature || manifest.signature.keyId !== signer.keyId)) {
      this.#options.logger.warn({ backup: manifest.id }, 'manifest taken without a signature check (allow unsigned)');
      return;
    }
    signer.check(manifest);
  }

  /** Removes the partial backups killed runs left, never one another process is writing. */
  async cleanUpStore(): Promise<string[]> {
    return this.#options.store.cleanUp({
      isFree: async (subject) => {
        // held here: this store's own writes in flight are kept by the store itself
        if (this.#busy.has(subject)) return true;
        try {
          await (await lockSubject(this.#options.adminUrl, subject, { waitMs: 200 })).release();
          return true;
        } catch (error) {
          if ((error as { code?: string }).code === 'backup_busy') return false;
          throw error;
        }
      },
    });
  }

  /** Within this process by a set, across processes by an advisory lock (lockSubject). */
  async #exclusive<T>(subject: string, work: () => Promise<T>): Promise<T> {
    if (this.#busy.has(subject)) throw BackupErrors.busy(subject === PLATFORM_SUBJECT ? 'the platform' : `project ${subject}`);
    this.#busy.add(subject);
    try {
      const lock = await lockSubject(this.#options.adminUrl, subject, { waitMs: this.#options.lockWaitMs });
      try {
        return await work();
      } finally {
        await lock.release();
      }
    } finally {
      this.#busy.delete(subject);
    }
  }
}

function pieceOf(manifest: BackupManifest, name: string): BackupPiece {
  const piece = manifest.pieces.find((candidate) => candidate.name === name);
  if (!piece) throw BackupErrors.pieceMissing(manifest.id, name);
  return piece;
}

function pieceSize(manifest: BackupManifest, name: string): number {
  return manifest.pieces.find((piece) => piece.name === name)?.plaintextBytes ?? 0;
}

function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
