import ws from 'ws';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { startSmtpInbox, type SmtpInbox } from '@launchdb/testkit/smtp-inbox';
import { startRunningPlatform, type RunningPlatform, type RunningProject } from '../../cli/src/testing/running-platform.ts';
import { startFakeGithub, type FakeGithub, type GithubTestAccount } from './testing/fake-github.ts';
import { browse, paramsOf } from './testing/redirects.ts';

const SITE = 'http://app.example/';
const APP = { clientId: 'Iv1.launchdb0test', clientSecret: 'github-client-secret-for-tests' };
const atApp = (url: URL) => url.origin === 'http://app.example';

/**
 * Sign-in with GitHub on the platform as `launchdb up` runs it, through supabase-js at `/p/<id>`,
 * against a local GitHub (set as the project's GitHub Enterprise address): GitHub's OAuth 2.0 code
 * flow, the account from `/user` and its addresses from `/user/emails`.
 */
describe('auth on the running platform: sign-in with GitHub', () => {
  let running: RunningPlatform;
  let project: RunningProject;
  let github: FakeGithub;
  let inbox: SmtpInbox;

  const client = (flowType: 'implicit' | 'pkce' = 'implicit'): SupabaseClient =>
    createClient(project.urls.supabase, project.keys.anon, {
      realtime: { transport: ws as never },
      auth: { persistSession: true, autoRefreshToken: false, detectSessionInUrl: false, flowType, storageKey: `github-${Math.random()}` },
    });
  const configure = async (settings: Record<string, unknown>) => {
    const changed = await running.api('PATCH', `/api/projects/${project.id}/auth-settings`, settings);
    expect(changed.status).toBe(200);
  };
  const account = (login: string, values: Partial<GithubTestAccount> = {}) => {
    github.accounts.set(login, { id: 1000 + github.accounts.size, login, name: `The ${login}`, emails: [{ email: `${login}@example.com`, primary: true, verified: true }], ...values });
    github.signInAs(login);
    return github.accounts.get(login)!;
  };
  const startSignIn = async (supabase = client(), redirectTo = SITE, queryParams?: Record<string, string>) => {
    const { data, error } = await supabase.auth.signInWithOAuth({ provider: 'github', options: { redirectTo, skipBrowserRedirect: true, ...(queryParams ? { queryParams } : {}) } });
    expect(error).toBeNull();
    return data.url!;
  };

  beforeAll(async () => {
    [running, github, inbox] = await Promise.all([startRunningPlatform(), startFakeGithub(), startSmtpInbox()]);
    project = await running.createProject('GitHub');
    github.registerApp({ ...APP, callbackUrl: `${running.url}/auth/${project.id}/callback` });
  });
  afterAll(async () => {
    await running?.stop();
    await github?.close();
    await inbox?.close();
  });

  it('answers GoTrue\'s "provider is not enabled" while GitHub is off, and names what is missing once it is on', async () => {
    const url = await startSignIn();
    const off = await fetch(url, { redirect: 'manual' });
    expect(off.status).toBe(400);
    expect(await off.json()).toMatchObject({ error_code: 'validation_failed', msg: 'Unsupported provider: provider is not enabled' });

    await configure({ external_github_enabled: true, external_github_client_id: APP.clientId, external_github_url: github.url });
    const noSecret = await fetch(url, { redirect: 'manual' });
    expect(noSecret.status).toBe(400);
    expect(await noSecret.json()).toMatchObject({ msg: 'Unsupported provider: missing OAuth secret' });
  });

  it('signs a new user up with the PKCE flow: identity data in GoTrue\'s names, the primary verified address confirmed', async () => {
    await configure({
      site_url: SITE,
      uri_allow_list: ['http://app.example/**'],
      mailer_autoconfirm: false,
      oauth_client_secrets: { github: APP.clientSecret },
    });
    const settings = (await (await fetch(`${project.urls.auth}/settings`, { headers: { apikey: project.keys.anon } })).json()) as { external: Record<string, boolean> };
    expect(settings.external).toMatchObject({ github: true, google: false });

    const octocat = account('octocat', {
      emails: [
        { email: 'octocat@old.example', primary: false, verified: false },
        { email: 'Octocat@Example.com', primary: true, verified: true },
      ],
    });
    const supabase = client('pkce');
    // the app's own parameters reach GitHub, but never in place of the redirect URI or the state
    const queryParams = { allow_signup: 'false', redirect_uri: 'https://evil.example/steal', state: 'pinned' };
    const landed = await browse(await startSignIn(supabase, 'http://app.example/welcome', queryParams), atApp);
    const atGithub = github.authorizeRequests.at(-1)!;
    expect(Object.fromEntries(atGithub)).toMatchObject({ scope: 'user:email', allow_signup: 'false', client_id: APP.clientId, redirect_uri: `${running.url}/auth/${project.id}/callback` });
    expect(atGithub.get('state')).not.toBe('pinned');
    expect(landed.pathname).toBe('/welcome');
    const { data, error } = await supabase.auth.exchangeCodeForSession(landed.searchParams.get('code')!);
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email: 'octocat@example.com', app_metadata: { provider: 'github', providers: ['github'] } });
    expect(data.user!.email_confirmed_at).toBeTruthy();
    expect(data.session!.provider_token).toMatch(/^gho_/);
    expect(data.user!.identities).toEqual([
      expect.objectContaining({
        provider: 'github',
        id: String(octocat.id),
        identity_data: expect.objectContaining({
          provider_id: String(octocat.id),
          sub: String(octocat.id),
          user_name: 'octocat',
          preferred_username: 'octocat',
          full_name: 'The octocat',
          name: 'The octocat',
          avatar_url: `https://avatars.githubusercontent.com/u/${octocat.id}?v=4`,
          email: 'octocat@example.com',
          email_verified: true,
          iss: `${github.url}/api/v3`,
        }),
      }),
    ]);

    // again, with the implicit flow: the same user, the session in the fragment
    const again = paramsOf(await browse(await startSignIn(client()), atApp));
    expect(again).toMatchObject({ token_type: 'bearer', provider_token: expect.stringMatching(/^gho_/) });
    expect(decodeJwt(again.access_token!)).toMatchObject({ sub: data.user!.id, amr: [expect.objectContaining({ method: 'oauth' })] });
  });

  it('links the identity to the account that has an address GitHub verified, never one it has not', async () => {
    const service = createClient(project.urls.supabase, project.keys.service_role, { realtime: { transport: ws as never }, auth: { persistSession: false, autoRefreshToken: false } });
    const existing = await service.auth.admin.createUser({ email: 'mona@example.com', password: 'mona password 1', email_confirm: true });
    expect(existing.error).toBeNull();
    // her GitHub account's primary address is another one; the verified second one is hers
    account('mona', {
      emails: [
        { email: 'mona@work.example', primary: true, verified: true },
        { email: 'mona@example.com', primary: false, verified: true },
      ],
    });
    const session = paramsOf(await browse(await startSignIn(), atApp));
    expect(decodeJwt(session.access_token!).sub).toBe(existing.data.user!.id);
    const supabase = client();
    await supabase.auth.setSession({ access_token: session.access_token!, refresh_token: session.refresh_token! });
    expect((await supabase.auth.getUserIdentities()).data!.identities.map((identity) => identity.provider).sort()).toEqual(['email', 'github']);

    await service.auth.admin.createUser({ email: 'hubot@example.com', password: 'hubot password 1', email_confirm: true });
    account('mallory', { emails: [{ email: 'hubot@example.com', primary: true, verified: false }] });
    const refused = paramsOf(await browse(await startSignIn(), atApp));
    expect(refused).toMatchObject({ error_code: 'email_exists' });
    expect(refused.access_token).toBeUndefined();
  });

  it('takes an unconfirmed account made beforehand with the address GitHub verified from whoever made it', async () => {
    // someone signs up with her address and a password of theirs, and never confirms it
    const attacker = client();
    expect((await attacker.auth.signUp({ email: 'ada@example.com', password: 'not ada at all 1' })).error).toBeNull();
    account('ada', { emails: [{ email: 'ada@example.com', primary: true, verified: true }] });
    const session = paramsOf(await browse(await startSignIn(), atApp));
    expect(session.access_token).toEqual(expect.any(String));
    const ada = client();
    await ada.auth.setSession({ access_token: session.access_token!, refresh_token: session.refresh_token! });
    const { data } = await ada.auth.getUser();
    expect(data.user!.email_confirmed_at).toBeTruthy();
    expect(data.user!.identities!.map((identity) => identity.provider)).toEqual(['github']);
    expect(data.user!.user_metadata).toMatchObject({ user_name: 'ada' });
    // the password set before is gone
    expect((await client().auth.signInWithPassword({ email: 'ada@example.com', password: 'not ada at all 1' })).error).toMatchObject({ code: 'invalid_credentials' });
  });

  it('refuses an account with no verified address as GoTrue does (mailing a confirmation when it can), and one with no address at all', async () => {
    account('unverified', { emails: [{ email: 'unverified@example.com', primary: true, verified: false }] });
    expect(paramsOf(await browse(await startSignIn(), atApp))).toMatchObject({
      error: 'access_denied',
      error_code: 'provider_email_needs_verification',
      error_description: 'Unverified email with github. Verify the email with github in order to sign in',
    });

    await configure({ smtp: { host: inbox.host, port: inbox.port, sender_email: 'auth@app.example' } });
    account('mailed', { emails: [{ email: 'mailed@example.com', primary: true, verified: false }] });
    expect(paramsOf(await browse(await startSignIn(client(), 'http://app.example/confirmed'), atApp))).toMatchObject({
      error: 'access_denied',
      error_code: 'provider_email_needs_verification',
      error_description: 'Unverified email with github. A confirmation email has been sent to your github email',
    });
    const mail = await inbox.waitFor('mailed@example.com');
    const confirmed = paramsOf(await browse(mail.links.find((link) => link.includes('/verify?'))!, atApp));
    expect(confirmed.access_token).toEqual(expect.any(String));
    // confirmed by mail: GitHub's unverified flag no longer stands in the way
    expect(decodeJwt(paramsOf(await browse(await startSignIn(), atApp)).access_token!).sub).toBe(decodeJwt(confirmed.access_token!).sub);
    await configure({ smtp: null });

    account('noaddress', { emails: [] });
    expect(paramsOf(await browse(await startSignIn(), atApp))).toMatchObject({
      error: 'server_error',
      error_code: 'unexpected_failure',
      error_description: 'Error getting user email from external provider',
    });
  });

  it('refuses a tampered state, a code GitHub has already exchanged ("bad_verification_code", answered 200), and passes on a refusal at GitHub', async () => {
    account('replayer');
    const atCallback = (url: URL) => url.pathname.endsWith(`/auth/${project.id}/callback`);
    const callback = await browse(await startSignIn(), atCallback);

    const tampered = new URL(callback);
    const state = tampered.searchParams.get('state')!;
    tampered.searchParams.set('state', `${state.slice(0, -4)}AAAA`);
    expect(paramsOf(await browse(tampered.href, atApp))).toMatchObject({ error_code: 'bad_oauth_state', error_description: 'OAuth callback with invalid state' });

    expect(paramsOf(await browse(callback.href, atApp)).access_token).toEqual(expect.any(String));
    const replayed = paramsOf(await browse(callback.href, atApp));
    expect(replayed).toMatchObject({ error: 'server_error', error_code: 'unexpected_failure', error_description: `Unable to exchange external code: ${callback.searchParams.get('code')!.slice(0, 4)}` });
    expect(replayed.access_token).toBeUndefined();

    github.denyNext();
    const denied = paramsOf(await browse(await startSignIn(client(), 'http://app.example/denied'), atApp));
    expect(denied).toMatchObject({ error: 'access_denied', error_description: 'The user has denied your application access.' });
    expect(denied.access_token).toBeUndefined();
  });
});
