import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsStorageBackend } from '@launchdb/storage-service/backends';
import { createLogger, projectNames, withClient, withDatabase } from '@launchdb/common';
import { createTestPlatform, randomProjectId, type TestPlatform } from '../../platform-api/src/domain/projects/projects.test-support.ts';
import { BackupEngine, type ProjectControl } from './backup-engine.ts';
import { BackupEncryption } from './encryption.ts';
import { LocalBackupStore } from './local-backup-store.ts';
import { PIECES } from './manifest.ts';

const run = promisify(execFile);

/**
 * Backups of a real project database (provisioned as the platform does it) and its files,
 * checked with the tools an operator would use without us: gpg, pg_restore, tar.
 */
describe('backups of a project', () => {
  let platform: TestPlatform;
  let workdir: string;
  let storageRoot: string;
  let store: LocalBackupStore;
  let engine: BackupEngine;
  let encryption: BackupEncryption;
  const projectId = randomProjectId();
  const control = (): ProjectControl => ({
    create: async (input) => {
      platform.created.add(input.id);
      await platform.provisioner().create({ id: input.id, name: input.name, template: input.template ?? undefined });
    },
    provision: async (id) => {
      await platform.provisioner().resume(id);
    },
    stopDataApi: (id) => platform.dataApis.stop(id),
    restored: (id) => platform.dataApis.spawn(id),
  });
  const engineWith = (overrides: Partial<ConstructorParameters<typeof BackupEngine>[0]> = {}): BackupEngine =>
    new BackupEngine({
      adminUrl: platform.adminUrl,
      store,
      encryption,
      storage: new FsStorageBackend({ root: storageRoot, sweepOnStart: false }),
      logger: createLogger({ level: 'silent', name: 'backup' }),
      diskReserveBytes: 0,
      projects: control(),
      ...overrides,
    });
  const projectDb = (id = projectId): string => withDatabase(platform.adminUrl, projectNames(id).database);
  const notes = async (id = projectId): Promise<string[]> =>
    withClient(projectDb(id), async (client) => (await client.query<{ body: string }>('select body from public.notes order by id')).rows.map((row) => row.body));

  beforeAll(async () => {
    platform = await createTestPlatform();
    workdir = await mkdtemp(join(tmpdir(), 'launchdb-backup-'));
    storageRoot = join(workdir, 'storage');
    store = new LocalBackupStore(join(workdir, 'backups'));
    encryption = await BackupEncryption.load({ generatedKeyFolder: join(workdir, 'backup-key') });
    platform.created.add(projectId);
    await platform.provisioner().create({ id: projectId, name: 'Notes' });
    await withClient(projectDb(), async (client) => {
      await client.query(`set role ${projectNames(projectId).owner}`);
      await client.query('create table public.notes (id serial primary key, body text not null)');
      await client.query(`insert into public.notes (body) values ('first'), ('second'), ('third')`);
    });
    await mkdir(join(storageRoot, projectId, 'documents', 'alice'), { recursive: true });
    await writeFile(join(storageRoot, projectId, 'documents', 'alice', '#v1'), 'boiler manual');
    await writeFile(join(storageRoot, projectId, 'documents', 'alice', '#tmp.123'), 'half an upload');
    engine = engineWith();
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
    await rm(workdir, { recursive: true, force: true });
  });

  it('generates a key pair on first use, and keeps it', async () => {
    expect(encryption.generated).toMatchObject({ createdNow: true, privateKeyFile: join(workdir, 'backup-key', 'backup-private.asc') });
    const again = await BackupEncryption.load({ generatedKeyFolder: join(workdir, 'backup-key') });
    expect(again.generated?.createdNow).toBe(false);
    expect(again.describe().fingerprint).toBe(encryption.describe().fingerprint);
  });

  it('writes the dump and the files encrypted, with row counts of the dumped snapshot, and gpg reads both', async () => {
    const manifest = await engine.backupProject(projectId);
    expect(manifest).toMatchObject({ kind: 'project', projectId, template: null, encryption: { method: 'public-key' } });
    expect(manifest.database.tables).toContainEqual({ schema: 'public', name: 'notes', rows: 3 });
    expect(manifest.pieces.map((piece) => piece.name)).toEqual([PIECES.database, PIECES.files]);
    expect(manifest.pieces[1]!.files).toBe(1);
    expect((await store.list()).map((backup) => backup.id)).toEqual([manifest.id]);

    const folder = join(store.root, manifest.id);
    const dumpBytes = await readFile(join(folder, PIECES.database));
    expect(dumpBytes.includes(Buffer.from('PGDMP'))).toBe(false);

    const gnupg = await mkdtemp(join(workdir, 'gnupg-'));
    const gpgEnv = { ...process.env, GNUPGHOME: gnupg };
    await run('gpg', ['--batch', '--import', encryption.generated!.privateKeyFile], { env: gpgEnv });
    await run('gpg', ['--batch', '--yes', '-o', join(workdir, 'dump'), '-d', join(folder, PIECES.database)], { env: gpgEnv });
    const { stdout: toc } = await run('pg_restore', ['-l', join(workdir, 'dump')]);
    expect(toc).toMatch(/TABLE DATA public notes/);
    await run('gpg', ['--batch', '--yes', '-o', join(workdir, 'files.tar'), '-d', join(folder, PIECES.files)], { env: gpgEnv });
    const { stdout: listing } = await run('tar', ['-tf', join(workdir, 'files.tar')]);
    expect(listing).toMatch(/documents\/alice\/#v1/);
    expect(listing).not.toMatch(/#tmp/);
  });

  it('encrypts with a passphrase that gpg decrypts', async () => {
    const withPassphrase = engineWith({ encryption: BackupEncryption.withPassphrase('correct horse battery') });
    const manifest = await withPassphrase.backupProject(projectId);
    expect(manifest.encryption).toEqual({ method: 'passphrase' });
    const { stdout } = await run(
      'sh',
      ['-c', `echo 'correct horse battery' | gpg --batch --pinentry-mode loopback --passphrase-fd 0 -d '${join(store.root, manifest.id, PIECES.files)}' | tar -t`],
      { env: { ...process.env, GNUPGHOME: await mkdtemp(join(workdir, 'gnupg-')) } },
    );
    expect(stdout).toMatch(/#v1/);
    await store.delete(manifest.id);
  });

  it('never lists a backup killed half-way, and the next run removes what it left', async () => {
    const killed = join(store.root, `.partial-${projectId}-20260101T000000000Z-999999`);
    await mkdir(killed);
    await writeFile(join(killed, `${PIECES.database}.tmp`), 'half');
    expect((await store.list()).every((backup) => !backup.id.includes('20260101'))).toBe(true);
    const manifest = await engine.backupProject(projectId);
    expect(await readdir(store.root)).not.toContain(`.partial-${projectId}-20260101T000000000Z-999999`);
    await store.delete(manifest.id);
  });

  it('keeps a partial backup another container is writing (its pid means nothing here), and removes it once that one is gone', async () => {
    const other = randomProjectId();
    const writing = join(store.root, `.partial-${other}-20260101T000000000Z-1`);
    await mkdir(writing);
    const container = new pg.Client({ connectionString: platform.adminUrl });
    await container.connect();
    await container.query(`select pg_advisory_lock(hashtext('launchdb:backup'), hashtext($1))`, [other]);
    try {
      expect(await engine.cleanUpStore()).toEqual([]);
    } finally {
      await container.end();
    }
    expect(await engine.cleanUpStore()).toEqual([`.partial-${other}-20260101T000000000Z-1`]);
  });

  it('leaves nothing listed when the backing-up process is killed mid-piece, and the next run removes its leftovers', async () => {
    const big = randomProjectId();
    platform.created.add(big);
    await platform.provisioner().create({ id: big, name: 'Big' });
    await withClient(projectDb(big), (client) =>
      client.query(`create table public.readings as select g as id, repeat(md5(g::text), 8) as note from generate_series(1, 300000) g`),
    );
    const keys = join(workdir, 'backup-key');
    const worker = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../bench/backup-worker.ts', import.meta.url)), 'backup', platform.adminUrl, store.root, join(keys, 'backup-public.asc'), join(keys, 'backup-private.asc')], {
      env: { ...process.env, BENCH_PROJECT: big },
      stdio: 'ignore',
    });
    const partial = async (): Promise<string | undefined> => (await readdir(store.root)).find((name) => name.startsWith(`.partial-${big}-`));
    // killed once its dump is on its way to disk
    for (let waited = 0; waited < 30_000; waited += 50) {
      const folder = await partial();
      const started = folder && (await readdir(join(store.root, folder))).length > 0;
      if (started) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('close', resolve));
    expect(await partial()).toBeDefined();
    expect((await store.list()).filter((backup) => backup.projectId === big)).toEqual([]);
    const next = await engine.backupProject(big);
    expect(await partial()).toBeUndefined();
    expect((await store.list()).filter((backup) => backup.projectId === big).map((backup) => backup.id)).toEqual([next.id]);
    await store.delete(next.id);
  }, 60_000);

  it('refuses a second process backing up the same project at once, in one line naming the first', async () => {
    const busy = randomProjectId();
    platform.created.add(busy);
    await platform.provisioner().create({ id: busy, name: 'Busy' });
    await withClient(projectDb(busy), (client) =>
      client.query(`create table public.readings as select g as id, repeat(md5(g::text), 8) as note from generate_series(1, 300000) g`),
    );
    const keys = join(workdir, 'backup-key');
    // the first: another process, as the nightly run of launchdb up beside an operator's run
    const first = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../bench/backup-worker.ts', import.meta.url)), 'backup', platform.adminUrl, store.root, join(keys, 'backup-public.asc'), join(keys, 'backup-private.asc')], {
      env: { ...process.env, BENCH_PROJECT: busy },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    first.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => first.once('close', resolve));
    const held = async (): Promise<boolean> =>
      withClient(platform.adminUrl, async (admin) =>
        Boolean((await admin.query(`select 1 from pg_locks where locktype = 'advisory' and granted and classid = hashtext('launchdb:backup')::oid and objid = hashtext($1)::oid`, [busy])).rowCount),
      );
    for (let waited = 0; waited < 30_000 && !(await held()); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));

    await expect(engineWith({ lockWaitMs: 0 }).backupProject(busy)).rejects.toMatchObject({
      status: 409,
      code: 'backup_busy',
      message: expect.stringMatching(new RegExp(`^project ${busy} is being backed up or restored right now \\(by launchdb-backup ${first.pid}@\\S+ since \\d\\d:\\d\\d:\\d\\d UTC\\); try again when it is done$`)),
    });
    expect(await exited).toBe(0);
    const made = (JSON.parse(output) as { id: string }).id;
    // the first one's backup is complete, and the lock is free again
    const second = await engine.backupProject(busy);
    expect((await store.list()).filter((backup) => backup.projectId === busy).map((backup) => backup.id)).toEqual([second.id, made]);
    await Promise.all([store.delete(made), store.delete(second.id)]);
  }, 60_000);

  it('verifies a backup by restoring it into a scratch database and counting its rows', async () => {
    const [latest] = await store.list();
    const result = await engine.verify(latest!.id);
    expect(result).toMatchObject({ ok: true, files: 1 });
    const scratch = await withClient(platform.adminUrl, async (admin) => (await admin.query(`select 1 from pg_database where datname like 'launchdb_verify_%'`)).rowCount);
    expect(scratch).toBe(0);
  });

  it('decrypts big pieces with gpg, when it is installed: the same checks hold', async () => {
    const [latest] = await store.list();
    process.env.LAUNCHDB_BACKUP_GPG = 'always';
    try {
      expect(await engine.verify(latest!.id)).toMatchObject({ ok: true, files: 1 });
      const id = (await engine.backupProject(projectId)).id;
      const path = join(store.root, id, PIECES.database);
      const manifestPath = join(store.root, id, 'manifest.json');
      // tampered with, its outer hash fixed: gpg's MDC check or the inner hash catches it
      const bytes = await readFile(path);
      bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
      await writeFile(path, bytes);
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
      const { createHash } = await import('node:crypto');
      manifest.pieces[0].sha256 = createHash('sha256').update(bytes).digest('hex');
      await writeFile(manifestPath, JSON.stringify(manifest));
      await expect(engine.verify(id)).rejects.toThrow(new RegExp(`backup ${id}: ${PIECES.database.replace('.', '\\.')} (cannot be decrypted|is corrupt)|pg_restore failed`));
      await store.delete(id);
      await expect(engineWith({ encryption: BackupEncryption.withPassphrase('not the key at all') }).verify(latest!.id)).rejects.toThrow(/cannot be decrypted: wrong key or passphrase/);
    } finally {
      delete process.env.LAUNCHDB_BACKUP_GPG;
    }
  });

  it('restores a project in place: its rows and files as they were, the state before kept as a backup', async () => {
    const [backup] = await store.list();
    await withClient(projectDb(), (client) => client.query(`delete from public.notes where body = 'first'`));
    await writeFile(join(storageRoot, projectId, 'documents', 'alice', '#v2'), 'new upload');
    await expect(engine.restoreProject(backup!.id, { projectId })).rejects.toThrow(`confirm with --confirm ${projectId}`);

    const result = await engine.restoreProject(backup!.id, { projectId, confirm: projectId });
    expect(result.previousState).toMatch(new RegExp(`^${projectId}-`));
    expect(await notes()).toEqual(['first', 'second', 'third']);
    expect(await readdir(join(storageRoot, projectId, 'documents', 'alice'))).toEqual(['#v1']);
    // the project's own roles still own and reach it
    const owner = await withClient(projectDb(), async (client) => (await client.query(`select tableowner from pg_tables where tablename = 'notes'`)).rows[0]);
    expect(owner).toEqual({ tableowner: projectNames(projectId).owner });
    expect(platform.dataApis.running.has(projectId)).toBe(true);
    // the previous state is a backup like any other
    expect((await store.manifest(result.previousState!)).database.tables).toContainEqual({ schema: 'public', name: 'notes', rows: 2 });
  });

  it('restores into a new project whose own roles own everything', async () => {
    const backup = (await store.list()).find((manifest) => manifest.reason === 'manual')!;
    const copy = randomProjectId();
    platform.created.add(copy);
    const result = await engine.restoreProject(backup.id, { asNew: copy });
    expect(result.project).toBe(copy);
    expect(await notes(copy)).toEqual(['first', 'second', 'third']);
    const owners = await withClient(projectDb(copy), async (client) =>
      (await client.query<{ owner: string }>(`select distinct tableowner as owner from pg_tables where schemaname in ('public', 'storage')`)).rows.map((row) => row.owner),
    );
    expect(owners).toEqual([projectNames(copy).owner]);
    expect(await readdir(join(storageRoot, copy, 'documents', 'alice'))).toEqual(['#v1']);
  });
  describe('bad input: one clear error, and nothing changed', () => {
    /** A fresh backup to spoil, so the others stay good. */
    const spoilable = async (): Promise<string> => (await engine.backupProject(projectId)).id;
    const unchanged = async (backups: string[]): Promise<void> => {
      expect(await notes()).toEqual(['first', 'second', 'third']);
      expect((await store.list()).map((backup) => backup.id)).toEqual(backups);
      const staging = await withClient(platform.adminUrl, async (admin) => (await admin.query(`select 1 from pg_database where datname like '%\_restoring'`)).rowCount);
      expect(staging).toBe(0);
    };
    const flipByte = async (path: string, at: number): Promise<void> => {
      const handle = await open(path, 'r+');
      const byte = Buffer.alloc(1);
      await handle.read(byte, 0, 1, at);
      byte[0] = byte[0]! ^ 0xff;
      await handle.write(byte, 0, 1, at);
      await handle.close();
    };

    it('a wrong passphrase or key', async () => {
      const withPassphrase = engineWith({ encryption: BackupEncryption.withPassphrase('correct horse battery') });
      const id = (await withPassphrase.backupProject(projectId)).id;
      await expect(engineWith({ encryption: BackupEncryption.withPassphrase('wrong horse battery') }).verify(id)).rejects.toThrow(/cannot be decrypted: wrong key or passphrase/);
      const otherKey = await BackupEncryption.load({ generatedKeyFolder: join(workdir, 'other-key') });
      await expect(engineWith({ encryption: otherKey }).verify(id)).rejects.toThrow(/cannot be decrypted: wrong key or passphrase/);
      await store.delete(id);
    });

    it('a truncated piece', async () => {
      const id = await spoilable();
      const before = (await store.list()).map((backup) => backup.id);
      const path = join(store.root, id, PIECES.database);
      await truncate(path, 200);
      await expect(engine.verify(id)).rejects.toThrow(`backup ${id}: the SHA-256 of the encrypted file of ${PIECES.database} does not match its manifest`);
      await expect(engine.restoreProject(id, { projectId, confirm: projectId })).rejects.toThrow(/does not match its manifest/);
      await unchanged(before);
      await store.delete(id);
    });

    it('a tampered piece, even one whose manifest was edited to match', async () => {
      const id = await spoilable();
      const before = (await store.list()).map((backup) => backup.id);
      const path = join(store.root, id, PIECES.files);
      await flipByte(path, 300);
      await expect(engine.restoreProject(id, { projectId, confirm: projectId })).rejects.toThrow(/SHA-256 of the encrypted file of files.tar.pgp does not match/);
      // the attacker fixes the outer hash: the decrypted contents still fail (OpenPGP's MDC or the inner hash)
      const manifestPath = join(store.root, id, 'manifest.json');
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
      const { createHash } = await import('node:crypto');
      manifest.pieces[1].sha256 = createHash('sha256').update(await readFile(path)).digest('hex');
      await writeFile(manifestPath, JSON.stringify(manifest));
      await expect(engine.verify(id)).rejects.toThrow(/files.tar.pgp (cannot be decrypted|is corrupt or was tampered with|.*does not match)/);
      await unchanged(before);
      await store.delete(id);
    });

    it('a manifest whose hashes do not match the pieces', async () => {
      const id = await spoilable();
      const before = (await store.list()).map((backup) => backup.id);
      const manifestPath = join(store.root, id, 'manifest.json');
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
      manifest.pieces[0].plaintextSha256 = '0'.repeat(64);
      await writeFile(manifestPath, JSON.stringify(manifest));
      await expect(engine.verify(id)).rejects.toThrow(`backup ${id}: the SHA-256 of the decrypted contents of ${PIECES.database} does not match its manifest`);
      await unchanged(before);
      await store.delete(id);
    });

    it('a manifest changed after the backup was made, when manifests are signed (LAUNCHDB_MASTER_KEY)', async () => {
      const signing = engineWith({ masterKey: randomBytes(32) });
      const id = (await signing.backupProject(projectId)).id;
      const before = (await store.list()).map((backup) => backup.id);
      const manifestPath = join(store.root, id, 'manifest.json');
      const original = await readFile(manifestPath, 'utf8');
      const manifest = JSON.parse(original) as { signature?: unknown; database: { tables: { name: string; rows: number }[] } };
      expect(manifest.signature).toMatchObject({ method: 'hmac-sha256' });
      // the row counts a restore is checked against, lowered
      manifest.database.tables.find((table) => table.name === 'notes')!.rows = 2;
      await writeFile(manifestPath, JSON.stringify(manifest));
      await expect(signing.verify(id)).rejects.toThrow(`backup ${id}: its manifest was changed after the backup was made (its signature does not match)`);
      await expect(signing.restoreProject(id, { projectId, confirm: projectId })).rejects.toThrow(/its manifest was changed after the backup was made/);
      // the operator's word lets through what cannot be checked, never what the key says was changed
      await expect(signing.verify(id, { allowUnsigned: true })).rejects.toThrow(/its manifest was changed after the backup was made/);
      delete manifest.signature;
      await writeFile(manifestPath, JSON.stringify(manifest));
      await expect(signing.verify(id)).rejects.toThrow(
        `backup ${id} has an unsigned manifest: it was not made by a LaunchDB with LAUNCHDB_MASTER_KEY, or its signature was removed (if you know where it comes from: --allow-unsigned)`,
      );
      await writeFile(manifestPath, original);
      const elsewhere = engineWith({ masterKey: randomBytes(32) });
      await expect(elsewhere.verify(id)).rejects.toThrow(/was signed under another LAUNCHDB_MASTER_KEY than this platform's/);
      expect(await elsewhere.verify(id, { allowUnsigned: true })).toMatchObject({ ok: true });
      expect(await signing.verify(id)).toMatchObject({ ok: true });
      await unchanged(before);
      await store.delete(id);
    });

    it('a backup of a project with another template', async () => {
      const [backup] = await store.list();
      const before = (await store.list()).map((manifest) => manifest.id);
      await withClient(platform.adminUrl, (admin) => admin.query(`update platform.projects set template = 'haven' where id = $1`, [projectId]));
      try {
        await expect(engine.restoreProject(backup!.id, { projectId, confirm: projectId })).rejects.toThrow(
          `backup ${backup!.id} is of a project with no template, project ${projectId} has template haven: restore it with --as-new <id> instead`,
        );
      } finally {
        await withClient(platform.adminUrl, (admin) => admin.query(`update platform.projects set template = null where id = $1`, [projectId]));
      }
      await unchanged(before);
    });

    it('not enough disk', async () => {
      const [backup] = await store.list();
      const before = (await store.list()).map((manifest) => manifest.id);
      const cramped = engineWith({ diskReserveBytes: 1e18 });
      await expect(cramped.restoreProject(backup!.id, { projectId, confirm: projectId })).rejects.toThrow(/^not enough disk at .*: needs about .* free$/);
      await expect(cramped.backupProject(projectId)).rejects.toThrow(/^not enough disk at /);
      await unchanged(before);
    });
  });
});
