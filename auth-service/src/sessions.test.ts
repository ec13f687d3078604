import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoTrueAdminApi, isAuthApiError } from '@supabase/auth-js';
import { decodeJwt } from 'jose';
import bcrypt from 'bcryptjs';
import pg from 'pg';
import { withClient } from '@launchdb/common';
import type { ServiceTestProject } from '../../test/service-projects.ts';
import { startAuthTestbed, type AuthTestbed } from './testing/auth-testbed.ts';

const email = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}@example.com`;

describe('auth-service: sign-up, sign-in and sessions with auth-js (no SMTP: sign-ups confirmed at once)', () => {
  let bed: AuthTestbed;
  let project: ServiceTestProject;
  let other: ServiceTestProject;

  beforeAll(async () => {
    bed = await startAuthTestbed();
    [project, other] = await Promise.all([bed.createProject(), bed.createProject()]);
  });
  afterAll(async () => bed?.close());

  it('signs up with email, password and metadata, and is signed in at once', async () => {
    const auth = bed.client(project);
    const address = email('signup');
    const { data, error } = await auth.signUp({ email: address, password: 'correct horse', options: { data: { name: 'Ada' } } });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email: address, aud: 'authenticated', role: 'authenticated', user_metadata: { name: 'Ada' }, is_anonymous: false });
    expect(data.user!.email_confirmed_at).toBeTruthy();
    expect(data.user!.identities).toEqual([expect.objectContaining({ provider: 'email', user_id: data.user!.id })]);
    expect(data.session?.token_type).toBe('bearer');
    expect(data.session?.expires_in).toBe(3600);

    const claims = decodeJwt(data.session!.access_token);
    expect(claims).toMatchObject({
      sub: data.user!.id,
      aud: 'authenticated',
      role: 'authenticated',
      email: address,
      phone: '',
      aal: 'aal1',
      is_anonymous: false,
      iss: `${bed.base}/p/${project.id}/auth/v1`,
      user_metadata: { name: 'Ada' },
      app_metadata: { provider: 'email', providers: ['email'] },
    });
    expect(claims.session_id).toEqual(expect.any(String));
    expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it('refuses a second sign-up of the address (user_already_exists) and weak passwords (weak_password)', async () => {
    const auth = bed.client(project);
    const address = email('twice');
    await auth.signUp({ email: address, password: 'first password' });
    const again = await auth.signUp({ email: address.toUpperCase(), password: 'second password' });
    expect(again.error).toMatchObject({ status: 422, code: 'user_already_exists' });
    const weak = await auth.signUp({ email: email('weak'), password: '123' });
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password' });
    expect((weak.error as { reasons?: string[] }).reasons).toEqual(['length']);
  });

  it('signs in with the password, and refuses a wrong one or an unknown address alike', async () => {
    const address = email('signin');
    await bed.client(project).signUp({ email: address, password: 'my password' });
    const auth = bed.client(project);
    const good = await auth.signInWithPassword({ email: address, password: 'my password' });
    expect(good.error).toBeNull();
    expect(good.data.user?.last_sign_in_at).toBeTruthy();
    const wrong = await auth.signInWithPassword({ email: address, password: 'not my password' });
    const unknown = await auth.signInWithPassword({ email: email('nobody'), password: 'my password' });
    for (const failed of [wrong, unknown]) {
      expect(failed.error).toMatchObject({ status: 400, code: 'invalid_credentials', message: 'Invalid login credentials' });
    }
  });

  it('gets and updates the user: metadata merges, a new password works and the old one no longer does', async () => {
    const address = email('update');
    const auth = bed.client(project);
    await auth.signUp({ email: address, password: 'old password', options: { data: { a: 1, b: 2 } } });
    const got = await auth.getUser();
    expect(got.data.user).toMatchObject({ email: address, user_metadata: { a: 1, b: 2 } });

    const updated = await auth.updateUser({ data: { b: 3, c: 4 }, password: 'new password' });
    expect(updated.error).toBeNull();
    expect(updated.data.user?.user_metadata).toEqual({ a: 1, b: 3, c: 4 });
    const same = await auth.updateUser({ password: 'new password' });
    expect(same.error).toMatchObject({ status: 422, code: 'same_password' });

    const fresh = bed.client(project);
    expect((await fresh.signInWithPassword({ email: address, password: 'old password' })).error?.code).toBe('invalid_credentials');
    expect((await fresh.signInWithPassword({ email: address, password: 'new password' })).error).toBeNull();
  });

  it('rotates the refresh token on every use; a token reused after the grace interval ends the whole session', async () => {
    await bed.configure(project.id, { refresh_token_reuse_interval: 0 });
    const address = email('rotate');
    const auth = bed.client(project);
    const { data } = await auth.signUp({ email: address, password: 'rotating password' });
    const first = data.session!;
    const refreshed = await auth.refreshSession({ refresh_token: first.refresh_token });
    expect(refreshed.error).toBeNull();
    const second = refreshed.data.session!;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.access_token).session_id).toBe(decodeJwt(first.access_token).session_id);

    // the first token again: theft is assumed, the session ends
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const reused = await bed.client(project).refreshSession({ refresh_token: first.refresh_token });
    expect(reused.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
    const afterwards = await bed.client(project).refreshSession({ refresh_token: second.refresh_token });
    expect(afterwards.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
    // auth-js reports GoTrue's session_not_found as a missing session
    const user = await bed.client(project).getUser(second.access_token);
    expect(user.error?.name).toBe('AuthSessionMissingError');
    await bed.configure(project.id, { refresh_token_reuse_interval: null });
  });

  it('gives a client that lost a refresh race the same new token within the reuse interval', async () => {
    const auth = bed.client(project);
    const { data } = await auth.signUp({ email: email('race'), password: 'racing password' });
    const token = data.session!.refresh_token;
    const [a, b] = await Promise.all([
      bed.client(project).refreshSession({ refresh_token: token }),
      bed.client(project).refreshSession({ refresh_token: token }),
    ]);
    expect([a.error, b.error]).toEqual([null, null]);
    expect(a.data.session!.refresh_token).toBe(b.data.session!.refresh_token);
  });

  it('signs in and refreshes in a project database provisioned before the one-round-trip functions existed', async () => {
    const older = await bed.createProject();
    await withClient(older.adminUrl, (admin: pg.Client) =>
      admin.query(`drop function auth.launchdb_refresh(text, text, text);
                   drop function auth.launchdb_user_by_email(text);
                   drop function auth.launchdb_start_session(uuid, text, text, text, text)`),
    );
    const address = email('older');
    await bed.client(older).signUp({ email: address, password: 'older password' });
    const auth = bed.client(older);
    const { data, error } = await auth.signInWithPassword({ email: address, password: 'older password' });
    expect(error).toBeNull();
    const refreshed = await auth.refreshSession({ refresh_token: data.session!.refresh_token });
    expect(refreshed.error).toBeNull();
    expect(decodeJwt(refreshed.data.session!.access_token).session_id).toBe(decodeJwt(data.session!.access_token).session_id);
  });

  it('signs out one session (local), the others, or all (global)', async () => {
    const address = email('logout');
    await bed.client(project).signUp({ email: address, password: 'logout password' });
    const sessions = await Promise.all(
      [1, 2, 3].map(async () => {
        const client = bed.client(project);
        const { data } = await client.signInWithPassword({ email: address, password: 'logout password' });
        return { client, token: data.session!.access_token };
      }),
    );
    const alive = async () =>
      Promise.all(sessions.map(async ({ token }) => (await bed.client(project).getUser(token)).error === null));

    expect(await alive()).toEqual([true, true, true]);
    expect((await sessions[0]!.client.signOut({ scope: 'local' })).error).toBeNull();
    expect(await alive()).toEqual([false, true, true]);
    expect((await sessions[1]!.client.signOut({ scope: 'others' })).error).toBeNull();
    expect(await alive()).toEqual([false, true, false]);
    const lastSignIn = bed.client(project);
    await lastSignIn.signInWithPassword({ email: address, password: 'logout password' });
    expect((await lastSignIn.signOut({ scope: 'global' })).error).toBeNull();
    expect(await alive()).toEqual([false, false, false]);
    const gone = await bed.client(project).getUser(sessions[1]!.token);
    expect(gone.error?.name).toBe('AuthSessionMissingError');
  });

  it('signs in anonymously: role authenticated, is_anonymous, no email; disabled per project', async () => {
    const auth = bed.client(project);
    const { data, error } = await auth.signInAnonymously({ options: { data: { theme: 'dark' } } });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ is_anonymous: true, email: '', user_metadata: { theme: 'dark' } });
    expect(decodeJwt(data.session!.access_token)).toMatchObject({ role: 'authenticated', is_anonymous: true, amr: [{ method: 'anonymous', timestamp: expect.any(Number) }] });
    // an anonymous user becomes a permanent one by adding an address (confirmed at once without SMTP)
    const address = email('was-anonymous');
    const upgraded = await auth.updateUser({ email: address });
    expect(upgraded.data.user).toMatchObject({ email: address, is_anonymous: false });

    await bed.configure(other.id, { external_anonymous_users_enabled: false });
    const refused = await bed.client(other).signInAnonymously();
    expect(refused.error).toMatchObject({ status: 422, code: 'anonymous_provider_disabled' });
    await bed.configure(other.id, { external_anonymous_users_enabled: null });
  });

  it('serves GET /health and GET /settings, also under /p/<id>/auth/v1', async () => {
    for (const path of [`/auth/${project.id}`, `/p/${project.id}/auth/v1`]) {
      const health = await fetch(`${bed.base}${path}/health`, { headers: { apikey: project.anonKey } });
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ name: 'GoTrue' });
      const settings = await fetch(`${bed.base}${path}/settings`, { headers: { apikey: project.anonKey } });
      expect(await settings.json()).toMatchObject({ external: { email: true, anonymous_users: true, phone: false }, disable_signup: false, mailer_autoconfirm: true });
    }
    const viaP = bed.client(project, { path: 'p' });
    expect((await viaP.signUp({ email: email('p-path'), password: 'through p path' })).error).toBeNull();
  });

  it('imports a bcrypt hash through the admin API, signs in with it and upgrades it to argon2id', async () => {
    const admin = new GoTrueAdminApi({ url: `${bed.base}/auth/${project.id}`, headers: { apikey: project.serviceKey, Authorization: `Bearer ${project.serviceKey}` } });
    const address = email('imported');
    const created = await admin.createUser({ email: address, email_confirm: true, password_hash: bcrypt.hashSync('imported password', 8) } as never);
    expect(created.error).toBeNull();
    const auth = bed.client(project);
    expect((await auth.signInWithPassword({ email: address, password: 'imported password' })).error).toBeNull();
    const stored = await withClient(project.adminUrl, async (client: pg.Client) =>
      (await client.query<{ encrypted_password: string }>('select encrypted_password from auth.users where email = $1', [address])).rows[0]!.encrypted_password,
    );
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await bed.client(project).signInWithPassword({ email: address, password: 'imported password' })).error).toBeNull();
  });

  it('administers users with the service key: create, list, get, update, ban, delete', async () => {
    const admin = new GoTrueAdminApi({ url: `${bed.base}/auth/${project.id}`, headers: { apikey: project.serviceKey, Authorization: `Bearer ${project.serviceKey}` } });
    const address = email('admin');
    const created = await admin.createUser({ email: address, password: 'admin made password', email_confirm: true, user_metadata: { plan: 'free' }, app_metadata: { tier: 1 } });
    expect(created.error).toBeNull();
    const id = created.data.user!.id;
    expect(created.data.user).toMatchObject({ email: address, user_metadata: { plan: 'free' }, app_metadata: { provider: 'email', providers: ['email'], tier: 1 } });

    const listed = await admin.listUsers({ page: 1, perPage: 1000 });
    expect(listed.error).toBeNull();
    expect(listed.data.users.map((user) => user.id)).toContain(id);
    expect((listed.data as { total?: number }).total).toBeGreaterThan(0);

    expect((await admin.getUserById(id)).data.user?.email).toBe(address);
    const updated = await admin.updateUserById(id, { user_metadata: { plan: 'pro' }, email: `new-${address}` });
    expect(updated.data.user).toMatchObject({ email: `new-${address}`, user_metadata: { plan: 'pro' } });

    const auth = bed.client(project);
    expect((await auth.signInWithPassword({ email: `new-${address}`, password: 'admin made password' })).error).toBeNull();
    expect((await admin.updateUserById(id, { ban_duration: '24h' })).error).toBeNull();
    expect((await bed.client(project).signInWithPassword({ email: `new-${address}`, password: 'admin made password' })).error).toMatchObject({ code: 'user_banned' });
    expect((await auth.getUser()).error).not.toBeNull();

    expect((await admin.deleteUser(id)).error).toBeNull();
    expect((await admin.getUserById(id)).error).toMatchObject({ status: 404, code: 'user_not_found' });

    // the anon key's token is not an admin's; a user's own token neither
    const asAnon = new GoTrueAdminApi({ url: `${bed.base}/auth/${project.id}`, headers: { apikey: project.anonKey, Authorization: `Bearer ${project.anonKey}` } });
    const refused = await asAnon.listUsers();
    expect(refused.error).toMatchObject({ status: 403, code: 'not_admin' });
    expect(isAuthApiError(refused.error)).toBe(true);
  });

  it("rejects one project's tokens in every other project", async () => {
    const auth = bed.client(project);
    const { data } = await auth.signUp({ email: email('cross'), password: 'cross password' });
    const foreign = bed.client(other);
    const user = await foreign.getUser(data.session!.access_token);
    expect(user.error).toMatchObject({ status: 403, code: 'bad_jwt' });
    const refresh = await foreign.refreshSession({ refresh_token: data.session!.refresh_token });
    expect(refresh.error).toMatchObject({ code: 'refresh_token_not_found' });
    const admin = new GoTrueAdminApi({ url: `${bed.base}/auth/${other.id}`, headers: { apikey: other.anonKey, Authorization: `Bearer ${project.serviceKey}` } });
    expect((await admin.listUsers()).error).toMatchObject({ status: 403, code: 'bad_jwt' });
    // and a key of one project opens no other
    const wrongKey = await fetch(`${bed.base}/auth/${other.id}/settings`, { headers: { apikey: project.anonKey } });
    expect(wrongKey.status).toBe(401);
  });

  it('rejects expired and tampered tokens', async () => {
    const auth = bed.client(project);
    const { data } = await auth.signUp({ email: email('tamper'), password: 'tamper password' });
    const sub = data.user!.id;
    const expired = await project.token({ sub, session_id: decodeJwt(data.session!.access_token).session_id }, { expiresInSeconds: -10 });
    const response = await fetch(`${bed.base}/auth/${project.id}/user`, { headers: { apikey: project.anonKey, authorization: `Bearer ${expired}`, 'x-supabase-api-version': '2024-01-01' } });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-sb-error-code')).toBe('bad_jwt');
    expect(await response.json()).toEqual({ code: 'bad_jwt', message: expect.stringContaining('expired') });

    const [header, payload, signature] = data.session!.access_token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'service_role' })).toString('base64url');
    const tampered = await fetch(`${bed.base}/auth/${project.id}/admin/users`, { headers: { apikey: project.anonKey, authorization: `Bearer ${header}.${forged}.${signature}` } });
    expect(tampered.status).toBe(403);
    expect(await tampered.json()).toMatchObject({ code: 403, error_code: 'bad_jwt' });
  });

  it('needs an apikey of the project, and knows no other project', async () => {
    const none = await fetch(`${bed.base}/auth/${project.id}/settings`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error_code: 'no_api_key' });
    const query = await fetch(`${bed.base}/auth/${project.id}/settings?apikey=${project.anonKey}`);
    expect(query.status).toBe(200);
    const missing = await fetch(`${bed.base}/auth/nosuchproject/settings`, { headers: { apikey: project.anonKey } });
    expect(missing.status).toBe(404);
    const preflight = await fetch(`${bed.base}/auth/${project.id}/token?grant_type=password`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'apikey, content-type, x-supabase-api-version' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-supabase-api-version');
    expect(query.headers.get('access-control-allow-origin')).toBe('*');
    // auth-js in a browser must read the API version to read an error's code
    expect(query.headers.get('access-control-expose-headers')).toContain('x-supabase-api-version');
    expect(none.headers.get('access-control-expose-headers')).toContain('x-sb-error-code');
  });
});
