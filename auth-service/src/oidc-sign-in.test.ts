import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { writeProjectAuthSettings } from '@launchdb/common/auth-settings';
import type { ServiceTestProject } from '../../test/service-projects.ts';
import { startAuthTestbed, type AuthTestbed } from './testing/auth-testbed.ts';
import { startOpenIdProvider, type OpenIdAccount } from './testing/openid-provider.ts';
import { browse, paramsOf } from './testing/redirects.ts';

const SITE = 'http://app.example/';
const CLIENT = { client_id: 'launchdb', client_secret: 'launchdb-client-secret' };
/** Where a native app's own sign-in at the provider ends, before it hands the ID token over. */
const NATIVE_REDIRECT = 'http://app.example/native';

describe('auth-service: sign-in with an OpenID Connect provider (discovery, code flow, ID token), through auth-js', () => {
  let bed: AuthTestbed;
  let project: ServiceTestProject;
  let idp: Awaited<ReturnType<typeof startOpenIdProvider>>;
  const callbackPrefix = () => `${bed.base}/auth/${project.id}/callback`;
  const atApp = (url: URL) => url.origin === 'http://app.example';

  beforeAll(async () => {
    bed = await startAuthTestbed();
    project = await bed.createProject();
    idp = await startOpenIdProvider(CLIENT, [`${bed.base}/auth/${project.id}/callback`, NATIVE_REDIRECT]);
    await writeProjectAuthSettings(bed.services.platformDb, bed.services.secrets, project.id, {
      settings: { site_url: SITE, uri_allow_list: ['http://app.example/**'], external_providers: { keycloak: { issuer: idp.issuer, client_id: CLIENT.client_id } } },
      oauth_client_secrets: { keycloak: CLIENT.client_secret },
    });
    bed.app.auth.forget(project.id);
  });
  afterAll(async () => {
    await bed?.close();
    await idp?.close();
  });

  const account = (id: string, values: Partial<OpenIdAccount> = {}) => {
    idp.accounts.set(id, { email: `${id}@example.com`, email_verified: true, name: `User ${id}`, ...values });
    idp.loginAs(id);
  };

  it('signs a new user up with the PKCE flow: the code comes back to the app and auth-js exchanges it', async () => {
    account('ada');
    const auth = bed.client(project, { flowType: 'pkce' });
    const { data } = await auth.signInWithOAuth({ provider: 'keycloak', options: { redirectTo: 'http://app.example/welcome', skipBrowserRedirect: true } });
    const landed = await browse(data.url!, atApp);
    expect(landed.pathname).toBe('/welcome');
    const exchanged = await auth.exchangeCodeForSession(landed.searchParams.get('code')!);
    expect(exchanged.error).toBeNull();
    expect(exchanged.data.user).toMatchObject({
      email: 'ada@example.com',
      app_metadata: { provider: 'keycloak', providers: ['keycloak'] },
      user_metadata: { name: 'User ada', full_name: 'User ada', email_verified: true, iss: idp.issuer, sub: 'ada' },
    });
    expect(exchanged.data.user!.email_confirmed_at).toBeTruthy();
    expect(exchanged.data.user!.identities).toEqual([expect.objectContaining({ provider: 'keycloak', id: 'ada' })]);
  });

  it('hands the session to the redirect in the fragment with the implicit flow, and signs the same user in again', async () => {
    account('bob');
    const signIn = async () => {
      const { data } = await bed.client(project).signInWithOAuth({ provider: 'keycloak', options: { redirectTo: 'http://app.example/home', skipBrowserRedirect: true } });
      return paramsOf(await browse(data.url!, atApp));
    };
    const first = await signIn();
    expect(first).toMatchObject({ token_type: 'bearer', refresh_token: expect.any(String), provider_token: expect.any(String) });
    expect(decodeJwt(first.access_token!)).toMatchObject({ email: 'bob@example.com', amr: [expect.objectContaining({ method: 'oauth' })] });
    const again = await signIn();
    expect(decodeJwt(again.access_token!).sub).toBe(decodeJwt(first.access_token!).sub);
  });

  it('links the identity to the account that has the address the provider verified', async () => {
    const auth = bed.client(project);
    const existing = await auth.signUp({ email: 'carol@example.com', password: 'carol password' });
    account('carol');
    const { data } = await auth.signInWithOAuth({ provider: 'keycloak', options: { redirectTo: SITE, skipBrowserRedirect: true } });
    const session = paramsOf(await browse(data.url!, atApp));
    expect(decodeJwt(session.access_token!).sub).toBe(existing.data.user!.id);
    const user = await auth.getUser(session.access_token);
    expect(user.data.user!.identities!.map((identity) => identity.provider).sort()).toEqual(['email', 'keycloak']);
  });

  it('never links an address the provider has not verified to an existing account', async () => {
    await bed.client(project).signUp({ email: 'dave@example.com', password: 'dave password' });
    account('mallory', { email: 'dave@example.com', email_verified: false });
    const { data } = await bed.client(project).signInWithOAuth({ provider: 'keycloak', options: { redirectTo: SITE, skipBrowserRedirect: true } });
    const landed = paramsOf(await browse(data.url!, atApp));
    expect(landed).toMatchObject({ error_code: 'email_exists' });
    expect(landed.access_token).toBeUndefined();
  });

  it('refuses a tampered state, a replayed code, a state of another sign-in (nonce), and keeps to the allow list', async () => {
    account('erin');
    const start = async (redirectTo = SITE) =>
      (await bed.client(project).signInWithOAuth({ provider: 'keycloak', options: { redirectTo, skipBrowserRedirect: true } })).data.url!;
    const atCallback = (url: URL) => url.href.startsWith(callbackPrefix());

    const callback = await browse(await start(), atCallback);
    const tampered = new URL(callback);
    const state = tampered.searchParams.get('state')!;
    tampered.searchParams.set('state', `${state.slice(0, -4)}AAAA`);
    expect(paramsOf(await browse(tampered.href, atApp))).toMatchObject({ error_code: 'bad_oauth_state', error_description: 'OAuth callback with invalid state' });

    expect(paramsOf(await browse(callback.href, atApp)).access_token).toEqual(expect.any(String));
    const replayed = paramsOf(await browse(callback.href, atApp));
    expect(replayed).toMatchObject({ error_code: 'bad_oauth_callback' });
    expect(replayed.access_token).toBeUndefined();

    // the provider's code of one sign-in with the state of another: the ID token's nonce is not the state's
    const one = await browse(await start(), atCallback);
    const other = await browse(await start(), atCallback);
    const mixed = new URL(one);
    mixed.searchParams.set('state', other.searchParams.get('state')!);
    expect(paramsOf(await browse(mixed.href, atApp))).toMatchObject({ error_code: 'bad_oauth_callback', error_description: 'Nonces mismatch' });

    const elsewhere = await browse(await start('https://evil.example/steal'), (url) => url.origin === 'http://app.example' || url.origin === 'https://evil.example');
    expect(elsewhere.origin).toBe('http://app.example');
    expect(paramsOf(elsewhere).access_token).toEqual(expect.any(String));
  });

  it('signs in with an ID token a native app got from the provider itself, its nonce hashed in the token', async () => {
    account('frank');
    /** The app's own code flow at the provider, with sha256(nonce) in the request, as Apple and Google want it. */
    const tokensFor = async (rawNonce: string): Promise<{ id_token: string; access_token: string }> => {
      const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string; token_endpoint: string };
      const authorize = new URL(discovery.authorization_endpoint);
      for (const [key, value] of Object.entries({ client_id: CLIENT.client_id, redirect_uri: NATIVE_REDIRECT, response_type: 'code', scope: 'openid email profile', state: 'app', nonce: createHash('sha256').update(rawNonce).digest('hex') })) {
        authorize.searchParams.set(key, value);
      }
      const landed = await browse(authorize.href, atApp);
      const response = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: landed.searchParams.get('code')!, redirect_uri: NATIVE_REDIRECT }),
      });
      return (await response.json()) as { id_token: string; access_token: string };
    };
    const idTokenFor = async (rawNonce: string) => (await tokensFor(rawNonce)).id_token;
    const auth = bed.client(project);
    // this provider gives the address at userinfo only: the app passes its access token along
    const tokens = await tokensFor('nonce-one');
    const signedIn = await auth.signInWithIdToken({ provider: 'keycloak' as 'google', token: tokens.id_token, access_token: tokens.access_token, nonce: 'nonce-one' });
    expect(signedIn.error).toBeNull();
    expect(signedIn.data.user).toMatchObject({ email: 'frank@example.com', app_metadata: { provider: 'keycloak' } });
    expect(decodeJwt(signedIn.data.session!.access_token).amr).toEqual([expect.objectContaining({ method: 'oauth' })]);

    const wrongNonce = await bed.client(project).signInWithIdToken({ provider: 'keycloak' as 'google', token: await idTokenFor('nonce-two'), nonce: 'nonce-one' });
    expect(wrongNonce.error?.message).toBe('Nonces mismatch');
    const forged = await bed.client(project).signInWithIdToken({ provider: 'keycloak' as 'google', token: `${(await idTokenFor('nonce-three')).slice(0, -6)}AAAAAA`, nonce: 'nonce-three' });
    expect(forged.error?.message).toBe('Bad ID token');
  });

  it('links and unlinks identities by hand when the project allows it', async () => {
    const auth = bed.client(project);
    const signedUp = await auth.signUp({ email: 'grace@example.com', password: 'grace password' });
    account('gina', { email: 'gina@elsewhere.example' });
    expect((await auth.linkIdentity({ provider: 'keycloak' })).error).toMatchObject({ status: 404, code: 'manual_linking_disabled' });

    await bed.configure(project.id, { security_manual_linking_enabled: true });
    const link = await auth.linkIdentity({ provider: 'keycloak', options: { redirectTo: 'http://app.example/linked' } });
    expect(link.error).toBeNull();
    const linked = paramsOf(await browse(link.data!.url!, atApp));
    expect(decodeJwt(linked.access_token!).sub).toBe(signedUp.data.user!.id);
    const identities = (await auth.getUserIdentities()).data!.identities;
    expect(identities.map((identity) => identity.provider).sort()).toEqual(['email', 'keycloak']);

    // the same identity for someone else: refused
    const other = bed.client(project);
    await other.signUp({ email: 'heidi@example.com', password: 'heidi password' });
    const again = await other.linkIdentity({ provider: 'keycloak', options: { redirectTo: SITE } });
    expect(paramsOf(await browse(again.data!.url!, atApp))).toMatchObject({ error_code: 'identity_already_exists', error_description: 'Identity is already linked to another user' });

    const keycloak = identities.find((identity) => identity.provider === 'keycloak')!;
    expect((await auth.unlinkIdentity(keycloak)).error).toBeNull();
    const left = (await auth.getUserIdentities()).data!.identities;
    expect(left.map((identity) => identity.provider)).toEqual(['email']);
    expect((await auth.unlinkIdentity(left[0]!)).error).toMatchObject({ status: 422, code: 'single_identity_not_deletable' });
    await bed.configure(project.id, { security_manual_linking_enabled: null });
  });

  it('answers a provider the project has not set up as GoTrue does', async () => {
    const response = await fetch(`${bed.base}/auth/${project.id}/authorize?provider=google`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ msg: 'Unsupported provider: provider is not enabled' });
  });
});
