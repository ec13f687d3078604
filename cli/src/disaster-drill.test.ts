import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ws from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { generateMasterKey } from '@launchdb/common';
import { startTestS3Server, type TestS3Server } from '../../storage-service/src/testing/s3-server.ts';
import { startRunningPlatform, TEST_OPERATOR, type RunningPlatform, type RunningProject } from './testing/running-platform.ts';

const execute = promisify(execFile);
const CLI = new URL('../bin/launchdb.js', import.meta.url).pathname;

/**
 * The disaster an operator must survive: a server whose data folder is gone. A platform with two
 * projects is backed up; its data folder is deleted; a fresh `launchdb up` with the same master
 * key and `launchdb backup restore-platform` bring everything back — the same keys, so clients
 * built before the disaster keep working, and users sign in with their old passwords. Project
 * files are in S3 (s3rver), whose bucket is lost too: the new platform has an empty one.
 */
describe('disaster drill', () => {
  const running: RunningPlatform[] = [];
  const cleanUp: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const platform of running.reverse()) await platform.stop().catch(() => undefined);
    for (const step of cleanUp) await step();
  }, 60_000);

  const client = (project: RunningProject, key: string, name: string): SupabaseClient =>
    createClient(project.urls.supabase, key, {
      realtime: { transport: ws as never },
      auth: { persistSession: false, autoRefreshToken: false, storageKey: `drill-${name}` },
    });

  /** The CLI as an operator runs it, against the platform at `url`. */
  const launchdb = async (url: string, ...args: string[]): Promise<string> => {
    try {
      const { stdout } = await execute(process.execPath, [CLI, ...args], {
        env: { ...process.env, LAUNCHDB_URL: url, LAUNCHDB_ADMIN_EMAIL: TEST_OPERATOR.email, LAUNCHDB_ADMIN_PASSWORD: TEST_OPERATOR.password, LAUNCHDB_NO_TOKEN_CACHE: '1' },
      });
      return stdout;
    } catch (error) {
      const { stdout, stderr } = error as { stdout: string; stderr: string };
      throw new Error(`launchdb ${args.join(' ')} failed:\n${stdout}${stderr}`);
    }
  };

  /** A new S3 server with an empty bucket, as the platform's STORAGE_* settings. */
  const objectStore = async (): Promise<{ server: TestS3Server; env: Record<string, string> }> => {
    const server = await startTestS3Server({ bucket: 'drill-files' });
    cleanUp.push(() => server.close());
    return { server, env: Object.fromEntries(Object.entries(server.settings).map(([name, value]) => [name, String(value)])) };
  };

  it('brings a whole platform back from its backups', async () => {
    // backups are kept off the data folder (another disk, in life)
    const backups = await mkdtemp(join(tmpdir(), 'launchdb-drill-backups-'));
    cleanUp.push(() => rm(backups, { recursive: true, force: true }));
    const firstFiles = await objectStore();
    const first = await startRunningPlatform({ LAUNCHDB_MASTER_KEY: generateMasterKey(), BACKUP_PASSPHRASE: 'drill passphrase, kept offsite', BACKUP_DIR: backups, ...firstFiles.env });
    running.push(first);

    const haven = await first.createProject('Haven', 'haven');
    const notes = await first.createProject('Notes');
    expect((await first.api('POST', `/api/projects/${notes.id}/migrations`, { name: '0001_notes.sql', sql: 'create table public.notes (id serial primary key, body text not null);' })).status).toBe(201);

    const alice = client(haven, haven.keys.anon, 'alice');
    expect((await alice.auth.signUp({ email: 'alice@drill.example.com', password: 'alice password 123' })).error).toBeNull();
    const signedIn = await alice.auth.signInWithPassword({ email: 'alice@drill.example.com', password: 'alice password 123' });
    expect(signedIn.error).toBeNull();
    const house = (await alice.from('properties').insert({ name: 'Lake house', kind: 'cabin' }).select('id').single()).data!.id as string;
    // Haven keeps a property's documents in the property's folder
    expect((await alice.storage.from('documents').upload(`${house}/boiler-manual.txt`, new Blob(['boiler manual, page 1']))).error).toBeNull();
    const notesAdmin = client(notes, notes.keys.service_role, 'notes-admin');
    expect((await notesAdmin.from('notes').insert([{ body: 'first' }, { body: 'second' }])).error).toBeNull();

    const made = await launchdb(first.url, 'backup', 'run', '--all');
    expect(made).toMatch(/made launchdb-platform-/);
    expect(made).toMatch(new RegExp(`made ${haven.id}-\\S+  ${haven.id} \\(haven\\)`));
    expect(made).toMatch(new RegExp(`made ${notes.id}-`));
    // the run is in health, and backups are for operators only
    const health = (await (await fetch(`${first.url}/api/health`)).json()) as { backups: { lastRun: { ok: boolean; backups: number } } };
    expect(health.backups.lastRun).toMatchObject({ ok: true, backups: 3 });
    expect((await fetch(`${first.url}/api/backups`)).status).toBe(401);
    const [notesBackup] = JSON.parse(await launchdb(first.url, 'backup', 'list', '--project', notes.id, '--json')) as { id: string }[];
    // --allow-unsigned changes nothing for a manifest this platform signed: it is checked all the same
    expect(await launchdb(first.url, 'backup', 'verify', notesBackup!.id, '--allow-unsigned')).toMatch(/verified — every SHA-256 matches, \d+ tables and \d+ rows restored/);
    const [havenBackup] = JSON.parse(await launchdb(first.url, 'backup', 'list', '--project', haven.id, '--json')) as { files: number }[];
    expect(havenBackup!.files).toBeGreaterThanOrEqual(2); // the manual and its sidecar, from S3
    // one backup of a project at a time: of two requests at once, the second is refused
    const both = await Promise.all([0, 1].map(() => first.api<{ error?: { code: string; message: string } }>('POST', '/api/backups', { project: haven.id })));
    expect(both.map((answer) => answer.status).sort()).toEqual([201, 409]);
    expect(both.find((answer) => answer.status === 409)!.body.error).toEqual({
      code: 'backup_busy',
      message: `project ${haven.id} is being backed up or restored right now; try again when it is done`,
    });

    // the disaster: the platform stops, its data folder is gone
    await first.platform.stop();
    await rm(first.env.LAUNCHDB_DATA_DIR!, { recursive: true, force: true });
    await firstFiles.server.close();

    const second = await startRunningPlatform({ ...first.env, ...(await objectStore()).env, LAUNCHDB_ADMIN_EMAIL: TEST_OPERATOR.email });
    running.push(second);
    const restored = await launchdb(second.url, 'backup', 'restore-platform', backups);
    expect(restored).toMatch(new RegExp(`${haven.id}: from ${haven.id}-`));
    expect(restored).toMatch(new RegExp(`${notes.id}: from ${notes.id}-`));

    // clients made before the disaster, with the keys and the session they had
    expect((await alice.from('properties').select('name')).data).toEqual([{ name: 'Lake house' }]);
    expect(await (await alice.storage.from('documents').download(`${house}/boiler-manual.txt`)).data?.text()).toBe('boiler manual, page 1');
    expect((await notesAdmin.from('notes').select('body').order('id')).data).toEqual([{ body: 'first' }, { body: 'second' }]);
    // and a user signs in again with the old password
    const again = client(haven, haven.keys.anon, 'alice-again');
    const signIn = await again.auth.signInWithPassword({ email: 'alice@drill.example.com', password: 'alice password 123' });
    expect(signIn.error).toBeNull();
    expect((await again.from('properties').select('name')).data).toEqual([{ name: 'Lake house' }]);
  }, 180_000);
});
