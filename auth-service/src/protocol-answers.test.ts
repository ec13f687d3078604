import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoTrueAdminApi } from '@supabase/auth-js';
import type { ServiceTestProject } from '../../test/service-projects.ts';
import { startAuthTestbed, type AuthTestbed } from './testing/auth-testbed.ts';

const email = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}@example.com`;
const INVALID_EMAIL = { status: 400, code: 'validation_failed', message: 'Unable to validate email address: invalid format' };

describe("auth-service: GoTrue's answers where clients tell a mistake or a switched-off feature from a missing route", () => {
  let bed: AuthTestbed;
  let project: ServiceTestProject;
  let admin: GoTrueAdminApi;

  beforeAll(async () => {
    bed = await startAuthTestbed();
    project = await bed.createProject();
    admin = new GoTrueAdminApi({ url: `${bed.base}/auth/${project.id}`, headers: { apikey: project.serviceKey, authorization: `Bearer ${project.serviceKey}` } });
  });
  afterAll(async () => bed?.close());

  const raw = async (path: string, init: { method?: string; body?: unknown; token?: string } = {}) => {
    const response = await fetch(`${bed.base}/auth/${project.id}${path}`, {
      method: init.method ?? 'POST',
      headers: { apikey: project.anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
      body: init.body === undefined ? null : JSON.stringify(init.body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('refuses an invalid address with validation_failed on sign-up, admin create, invite and generate-link', async () => {
    expect((await bed.client(project).signUp({ email: 'not-an-address', password: 'valid password' })).error).toMatchObject(INVALID_EMAIL);
    expect((await admin.createUser({ email: 'two@@example.com', password: 'valid password' })).error).toMatchObject(INVALID_EMAIL);
    expect((await admin.inviteUserByEmail('a@b')).error).toMatchObject(INVALID_EMAIL);
    expect((await admin.generateLink({ type: 'magiclink', email: 'spaces in@example.com' })).error).toMatchObject(INVALID_EMAIL);
  });

  it('answers a phone code as a wrong one (403 otp_expired): no code is ever sent to a phone here', async () => {
    const auth = bed.client(project);
    expect((await auth.verifyOtp({ phone: '+15555550100', token: '123456', type: 'sms' })).error).toMatchObject({
      status: 403,
      code: 'otp_expired',
      message: 'Token has expired or is invalid',
    });
    expect((await auth.verifyOtp({ phone: 'not a phone', token: '123456', type: 'sms' })).error).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(await raw('/verify', { body: { token: '123456' } })).toMatchObject({ status: 400, body: { message: 'Verify requires a verification type' } });
  });

  it('says SAML SSO, Web3, OAuth providers and manual linking are off, as GoTrue does', async () => {
    const auth = bed.client(project);
    expect((await auth.signInWithSSO({ domain: 'example.com' })).error).toMatchObject({ status: 404, code: 'saml_provider_disabled', message: 'SAML 2.0 is disabled' });
    expect((await raw('/token?grant_type=web3', { body: { chain: 'solana' } })).body).toMatchObject({ code: 'web3_provider_disabled', message: 'Web3 provider is disabled' });
    expect((await auth.signInWithIdToken({ provider: 'google', token: 'header.payload.signature' })).error).toMatchObject({
      status: 400,
      code: 'provider_disabled',
      message: 'Provider (issuer "https://accounts.google.com") is not enabled',
    });

    const { data } = await auth.signInWithOAuth({ provider: 'github', options: { skipBrowserRedirect: true, redirectTo: 'http://localhost:3000/' } });
    const authorize = await fetch(data.url!, { headers: { apikey: project.anonKey }, redirect: 'manual' });
    expect(authorize.status).toBe(400);
    expect(await authorize.json()).toMatchObject({ error_code: 'validation_failed', msg: 'Unsupported provider: provider is not enabled' });
    expect((await raw('/authorize?provider=myspace', { method: 'GET' })).body).toMatchObject({ message: 'Unsupported provider: Provider myspace could not be found' });

    const signedIn = await auth.signUp({ email: email('linking'), password: 'valid password' });
    expect((await auth.linkIdentity({ provider: 'github' })).error).toMatchObject({ status: 404, code: 'manual_linking_disabled', message: 'Manual linking is disabled' });
    expect(await raw('/user/identities/00000000-0000-4000-8000-000000000000', { method: 'DELETE', token: signedIn.data.session!.access_token })).toMatchObject({
      status: 404,
      body: { code: 'manual_linking_disabled' },
    });
  });
});
