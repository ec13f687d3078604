import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { startSmtpInbox, type SmtpInbox } from '@launchdb/testkit/smtp-inbox';
import { startRunningPlatform, type RunningPlatform, type RunningProject } from './testing/running-platform.ts';

/**
 * Haven's homeowners on the platform as `launchdb up` runs it: they sign up through the auth
 * service (confirming by the mail a real SMTP server received), keep their houses through the
 * REST API and their files through storage, each seeing only their own — supabase-js at
 * `/p/<id>` for all three, through PgBouncer.
 */
describe('Haven on the running platform', () => {
  let running: RunningPlatform;
  let inbox: SmtpInbox;
  let project: RunningProject;

  const client = (name: string): SupabaseClient =>
    createClient(project.urls.supabase, project.keys.anon, {
      realtime: { transport: ws as never },
      auth: { persistSession: false, autoRefreshToken: false, storageKey: `haven-${name}` },
    });

  /** Signs a homeowner up, follows the confirmation link of the mail, and signs in. */
  const homeowner = async (name: string): Promise<{ supabase: SupabaseClient; id: string; email: string }> => {
    const email = `${name}-${Date.now()}@haven.example.com`;
    const supabase = client(name);
    const signUp = await supabase.auth.signUp({ email, password: 'correct horse battery staple', options: { data: { name } } });
    expect(signUp.error).toBeNull();
    expect(signUp.data.session).toBeNull();
    const mail = await inbox.waitFor(email);
    const link = mail.links.find((href) => href.includes('/verify'));
    expect(link).toBeDefined();
    const confirmed = await fetch(link!, { redirect: 'manual' });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toMatch(/^https:\/\/haven\.example\.com\/?#access_token=/);
    const signIn = await supabase.auth.signInWithPassword({ email, password: 'correct horse battery staple' });
    expect(signIn.error).toBeNull();
    return { supabase, id: signIn.data.user!.id, email };
  };

  beforeAll(async () => {
    inbox = await startSmtpInbox();
    running = await startRunningPlatform();
    project = await running.createProject('Haven', 'haven');
    const configured = await running.api('PATCH', `/api/projects/${project.id}/auth-settings`, {
      site_url: 'https://haven.example.com',
      mailer_autoconfirm: false,
      smtp: { host: inbox.host, port: inbox.port, user: 'haven', sender_email: 'hello@haven.example.com', sender_name: 'Haven' },
      smtp_password: 'smtp-secret',
    });
    expect(configured.status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
    await inbox?.close();
  }, 60_000);

  it("keeps each household to its own houses and files: documents live in the property's folder", async () => {
    const [alice, bob] = [await homeowner('alice'), await homeowner('bob')];

    const added = await alice.supabase.from('properties').insert({ name: 'Lake house', kind: 'cabin' }).select().single();
    expect(added.error).toBeNull();
    expect(added.data).toMatchObject({ name: 'Lake house', owner_id: alice.id });
    const house = added.data!.id as string;
    expect((await alice.supabase.from('properties').select('name')).data).toEqual([{ name: 'Lake house' }]);
    expect((await bob.supabase.from('properties').select('name')).data).toEqual([]);

    const manual = new Blob(['boiler manual, page 1'], { type: 'text/plain' });
    const uploaded = await alice.supabase.storage.from('documents').upload(`${house}/boiler-manual.txt`, manual);
    expect(uploaded.error).toBeNull();
    const downloaded = await alice.supabase.storage.from('documents').download(`${house}/boiler-manual.txt`);
    expect(await downloaded.data?.text()).toBe('boiler manual, page 1');
    expect((await alice.supabase.storage.from('documents').list(house)).data?.map((file) => file.name)).toEqual(['boiler-manual.txt']);
    const document = await alice.supabase.from('documents').insert({ property_id: house, title: 'Boiler manual', storage_path: `${house}/boiler-manual.txt` }).select('title').single();
    expect(document.error).toBeNull();
    // a document row points into its own property's folder only
    const astray = await alice.supabase.from('documents').insert({ property_id: house, title: 'Elsewhere', storage_path: `${alice.id}/boiler-manual.txt` });
    expect(astray.error?.code).toBe('23514');
    // documents outside a property folder are no one's: not even alice's own user folder
    expect((await alice.supabase.storage.from('documents').upload(`${alice.id}/note.txt`, new Blob(['hi']))).error).not.toBeNull();

    // bob can neither read alice's property folder nor write into it, and sees none of it listed
    expect((await bob.supabase.storage.from('documents').download(`${house}/boiler-manual.txt`)).error).not.toBeNull();
    const intrusion = await bob.supabase.storage.from('documents').upload(`${house}/note.txt`, new Blob(['hi']));
    expect(intrusion.error).not.toBeNull();
    expect((await bob.supabase.storage.from('documents').list(house)).data).toEqual([]);
    // and the anon key alone reaches nothing
    expect((await client('anon').storage.from('documents').download(`${house}/boiler-manual.txt`)).error).not.toBeNull();

    // captures stay personal, under the user's own folder
    expect((await alice.supabase.storage.from('captures').upload(`${alice.id}/leak.txt`, new Blob(['drip'], { type: 'text/plain' }))).error).toBeNull();
    expect((await bob.supabase.storage.from('captures').download(`${alice.id}/leak.txt`)).error).not.toBeNull();
  });

  it('signs a homeowner out everywhere: the refresh token stops working, the REST API sees an anonymous caller', async () => {
    const carol = await homeowner('carol');
    const session = (await carol.supabase.auth.getSession()).data.session!;
    expect((await carol.supabase.auth.signOut({ scope: 'global' })).error).toBeNull();
    const refreshed = await client('carol-again').auth.refreshSession({ refresh_token: session.refresh_token });
    expect(refreshed.error?.status).toBe(400);
    expect((await carol.supabase.from('properties').select('name')).data).toEqual([]);
  });

  it('keeps sessions across a key rotation: the old access token is refused, a refresh signs with the new secret', async () => {
    const dave = await homeowner('dave');
    const before = (await dave.supabase.auth.getSession()).data.session!;
    const rotated = await running.api<RunningProject>('POST', `/api/projects/${project.id}/keys/rotate`);
    expect(rotated.status).toBe(200);
    project = rotated.body;
    const renewed = client('dave-renewed');
    expect((await renewed.auth.getUser(before.access_token)).error?.status).toBe(403);
    const refreshed = await renewed.auth.refreshSession({ refresh_token: before.refresh_token });
    expect(refreshed.error).toBeNull();
    expect((await renewed.from('properties').insert({ name: 'Town flat', kind: 'apartment' }).select('owner_id').single()).data).toEqual({ owner_id: dave.id });
  });

  it('deletes a project with its files', async () => {
    const doomed = await running.createProject('Doomed', 'haven');
    const admin = createClient(doomed.urls.supabase, doomed.keys.service_role, { realtime: { transport: ws as never }, auth: { persistSession: false, storageKey: 'doomed-admin' } });
    expect((await admin.storage.from('documents').upload('someone/receipt.txt', new Blob(['receipt']))).error).toBeNull();
    const folder = join(running.env.LAUNCHDB_DATA_DIR!, 'storage', doomed.id);
    expect(existsSync(folder)).toBe(true);
    expect((await running.api('DELETE', `/api/projects/${doomed.id}?confirm=${doomed.id}`)).status).toBe(204);
    expect(existsSync(folder)).toBe(false);
  });
});
