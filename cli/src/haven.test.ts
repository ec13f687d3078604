import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { startSmtpInbox, type SmtpInbox } from '@launchdb/testkit/smtp-inbox';
import { startRunningPlatform, type RunningPlatform, type RunningProject } from './testing/running-platform.ts';

/**
 * Haven's homeowners on the platform as `launchdb up` runs it: they sign up through the auth
 * service (confirming by the mail a real SMTP server received), share their houses as households
 * through the REST API, its RPCs and storage, and see nothing of anyone else's — supabase-js at
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
  const homeowner = async (name: string, address?: string): Promise<{ supabase: SupabaseClient; id: string; email: string }> => {
    const email = address ?? `${name}-${Date.now()}@haven.example.com`;
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
    // files of rows deleted in SQL (a property, an account) go at the storage service's next sweep
    running = await startRunningPlatform({ STORAGE_REMOVALS_SWEEP_SECONDS: '1' });
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

  it('lets two homeowners share a house: a member completes a task, the owner sees the log and the new due date, a third sees nothing', async () => {
    const [olive, paul, quinn] = [await homeowner('olive'), await homeowner('paul'), await homeowner('quinn')];
    const house = (await olive.supabase.from('properties').insert({ name: 'Shared house' }).select('id').single()).data!.id as string;
    const invited = await olive.supabase.rpc('invite_member', { property_id: house, email: paul.email });
    expect(invited.error).toBeNull();
    expect(invited.data).toMatchObject({ property_id: house, user_id: paul.id, role: 'member' });

    const zone = (await paul.supabase.from('zones').insert({ property_id: house, name: 'Basement' }).select('id').single()).data!.id as string;
    const furnace = await olive.supabase.from('assets').insert({ property_id: house, zone_id: zone, name: 'Furnace' }).select('id').single();
    expect(furnace.error).toBeNull();
    const task = await olive.supabase
      .from('maintenance_tasks')
      .insert({ property_id: house, asset_id: furnace.data!.id, title: 'Replace filter', recurrence: '3 months', next_due_on: '2020-01-01' })
      .select('id')
      .single();
    expect(task.error).toBeNull();

    // paul completes it today on a flaky network: the retry completes nothing more
    const today = new Date().toISOString().slice(0, 10);
    const completion = { task_id: task.data!.id, performed_on: today, notes: 'new filter', cost: 32.5, client_request_id: crypto.randomUUID() };
    const done = await paul.supabase.rpc('complete_task', completion);
    expect(done.error).toBeNull();
    const nextDue = plusMonths(today, 3);
    expect(done.data).toMatchObject({ id: task.data!.id, last_done_on: today, next_due_on: nextDue });
    expect((await paul.supabase.rpc('complete_task', completion)).data).toEqual(done.data);

    // olive sees paul's log and the new due date, in the table and on her dashboard
    expect((await olive.supabase.from('logs').select('notes, cost, created_by').eq('task_id', task.data!.id)).data).toEqual([{ notes: 'new filter', cost: 32.5, created_by: paul.id }]);
    expect((await olive.supabase.from('maintenance_tasks').select('last_done_on, next_due_on').eq('id', task.data!.id).single()).data).toEqual({ last_done_on: today, next_due_on: nextDue });
    // embedding follows the composite (asset_id, property_id) and (zone_id, property_id) keys
    const embedded = await olive.supabase.from('maintenance_tasks').select('title, assets(name, zones(name))').eq('id', task.data!.id).single();
    expect(embedded.data).toEqual({ title: 'Replace filter', assets: { name: 'Furnace', zones: { name: 'Basement' } } });
    const dashboard = await olive.supabase.rpc('property_dashboard', { property_id: house });
    expect(dashboard.error).toBeNull();
    expect(dashboard.data).toMatchObject({ property: { name: 'Shared house', my_role: 'owner' }, overdue_tasks: [], recent_logs: [{ notes: 'new filter', task_title: 'Replace filter' }] });
    const calendar = await paul.supabase.rpc('upcoming_tasks', { from: today, to: nextDue });
    expect(calendar.data).toEqual([expect.objectContaining({ title: 'Replace filter', due_on: nextDue, property_name: 'Shared house', asset_name: 'Furnace', zone_name: 'Basement' })]);

    // their documents folder is the house's, shared by both
    expect((await paul.supabase.storage.from('documents').upload(`${house}/filter-receipt.txt`, new Blob(['filter, 32.50']))).error).toBeNull();
    expect(await (await olive.supabase.storage.from('documents').download(`${house}/filter-receipt.txt`)).data?.text()).toBe('filter, 32.50');

    // quinn sees nothing of it, and is told so as PostgREST would
    for (const table of ['properties', 'zones', 'assets', 'maintenance_tasks', 'logs', 'property_members']) {
      expect((await quinn.supabase.from(table).select('*')).data, table).toEqual([]);
    }
    const refused = await quinn.supabase.rpc('complete_task', { task_id: task.data!.id });
    expect({ status: refused.status, code: refused.error?.code, message: refused.error?.message }).toEqual({ status: 404, code: 'P0002', message: 'task not found' });
    expect((await quinn.supabase.rpc('property_dashboard', { property_id: house })).error?.code).toBe('P0002');
    expect((await quinn.supabase.storage.from('documents').download(`${house}/filter-receipt.txt`)).error).not.toBeNull();
    // a member cannot remove the owner; the anon key gets nothing
    const ousting = await paul.supabase.rpc('remove_member', { property_id: house, user_id: olive.id });
    expect({ status: ousting.status, code: ousting.error?.code }).toEqual({ status: 403, code: '42501' });
    const anonymous = await client('anon-dashboard').rpc('property_dashboard', { property_id: house });
    expect(anonymous.status).toBe(401);
    const badDate = await paul.supabase.rpc('snooze_task', { task_id: task.data!.id, until: '2000-01-01' });
    expect({ status: badDate.status, code: badDate.error?.code }).toEqual({ status: 400, code: '22023' });
  });

  it('turns an invitation to an address without an account into a membership once it signs up and confirms', async () => {
    const rosa = await homeowner('rosa');
    const house = (await rosa.supabase.from('properties').insert({ name: 'Rosa\'s flat', kind: 'apartment' }).select('id').single()).data!.id as string;
    const address = `sam-${Date.now()}@haven.example.com`;
    const invited = await rosa.supabase.rpc('invite_member', { property_id: house, email: address, role: 'owner' });
    expect(invited.data).toMatchObject({ user_id: null, invited_email: address, role: 'owner' });
    const sam = await homeowner('sam', address);
    expect((await sam.supabase.from('properties').select('name')).data).toEqual([{ name: "Rosa's flat" }]);
    expect((await rosa.supabase.from('property_members').select('user_id, role').eq('user_id', sam.id)).data).toEqual([{ user_id: sam.id, role: 'owner' }]);
  });

  it("takes with a property its documents' files, and with an account its captures, files and memberships — by admin.deleteUser or delete_my_account()", async () => {
    const [ida, joe, kim] = [await homeowner('ida'), await homeowner('joe'), await homeowner('kim')];
    const storageFolder = (bucket: string, folder: string) => join(running.env.LAUNCHDB_DATA_DIR!, 'storage', project.id, bucket, folder);
    /** Files (not folders) left under a folder of the fs backend, once the sweep has had its turn. */
    const filesLeft = async (bucket: string, folder: string, expected: number): Promise<number> => {
      let count = -1;
      for (let tries = 0; tries < 50; tries += 1) {
        const entries = await readdir(storageFolder(bucket, folder), { recursive: true, withFileTypes: true }).catch(() => []);
        count = entries.filter((entry) => entry.isFile()).length;
        if (count === expected) break;
        await sleep(200);
      }
      return count;
    };

    // a property deleted through the REST API: its documents' files go with it
    const sold = (await ida.supabase.from('properties').insert({ name: 'Sold house' }).select('id').single()).data!.id as string;
    expect((await ida.supabase.storage.from('documents').upload(`${sold}/deed.txt`, new Blob(['deed']))).error).toBeNull();
    expect(await filesLeft('documents', sold, 2)).toBe(2); // the bytes and their metadata file
    expect((await ida.supabase.from('properties').delete().eq('id', sold).select('name')).data).toEqual([{ name: 'Sold house' }]);
    expect(await filesLeft('documents', sold, 0)).toBe(0);

    // ida shares a house with joe, keeps a cabin alone, and has captures; the service key deletes her account
    const shared = (await ida.supabase.from('properties').insert({ name: 'Family house' }).select('id').single()).data!.id as string;
    const cabin = (await ida.supabase.from('properties').insert({ name: 'Cabin' }).select('id').single()).data!.id as string;
    expect((await ida.supabase.rpc('invite_member', { property_id: shared, email: joe.email })).error).toBeNull();
    expect((await ida.supabase.from('assets').insert({ property_id: shared, name: 'Boiler' })).error).toBeNull();
    expect((await ida.supabase.storage.from('documents').upload(`${shared}/boiler.txt`, new Blob(['manual']))).error).toBeNull();
    expect((await ida.supabase.storage.from('documents').upload(`${cabin}/lease.txt`, new Blob(['lease']))).error).toBeNull();
    expect((await ida.supabase.storage.from('captures').upload(`${ida.id}/note.txt`, new Blob(['a note'], { type: 'text/plain' }))).error).toBeNull();
    expect((await ida.supabase.from('captures').insert({ kind: 'text', body: 'boiler noise' })).error).toBeNull();
    const admin = createClient(project.urls.supabase, project.keys.service_role, { realtime: { transport: ws as never }, auth: { persistSession: false, storageKey: 'haven-admin' } });
    expect((await admin.auth.admin.deleteUser(ida.id)).error).toBeNull();

    expect((await joe.supabase.from('properties').select('name, owner_id')).data).toEqual([{ name: 'Family house', owner_id: joe.id }]);
    expect((await joe.supabase.rpc('household_members', { property_id: shared })).data).toMatchObject([{ user_id: joe.id, role: 'owner', email: joe.email }]);
    expect((await joe.supabase.from('assets').select('name, created_by')).data).toEqual([{ name: 'Boiler', created_by: null }]);
    expect((await admin.from('properties').select('id').eq('id', cabin)).data).toEqual([]);
    expect((await admin.from('captures').select('id').eq('owner_id', ida.id)).data).toEqual([]);
    expect(await filesLeft('captures', ida.id, 0)).toBe(0);
    expect(await filesLeft('documents', cabin, 0)).toBe(0);
    expect(await filesLeft('documents', shared, 2)).toBe(2);

    // kim joins, then deletes her own account: the house stays joe's, her captures go
    expect((await joe.supabase.rpc('invite_member', { property_id: shared, email: kim.email, role: 'owner' })).error).toBeNull();
    expect((await kim.supabase.storage.from('captures').upload(`${kim.id}/photo.txt`, new Blob(['a photo'], { type: 'text/plain' }))).error).toBeNull();
    expect((await client('nobody').rpc('delete_my_account')).error?.code).toBe('42501');
    expect((await kim.supabase.rpc('delete_my_account')).error).toBeNull();
    await kim.supabase.auth.signOut({ scope: 'local' });
    expect((await kim.supabase.auth.signInWithPassword({ email: kim.email, password: 'correct horse battery staple' })).error?.code).toBe('invalid_credentials');
    expect((await joe.supabase.rpc('household_members', { property_id: shared })).data).toMatchObject([{ user_id: joe.id, role: 'owner' }]);
    expect(await filesLeft('captures', kim.id, 0)).toBe(0);
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

/** A 'YYYY-MM-DD' day plus whole months, clamped to the month's end as PostgreSQL does (Jan 31 + 1 month = Feb 28/29). */
function plusMonths(day: string, months: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(year, month - 1 + months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month - 1 + months, Math.min(date, lastDay))).toISOString().slice(0, 10);
}
