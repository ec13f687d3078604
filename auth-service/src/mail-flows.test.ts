import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoTrueAdminApi } from '@supabase/auth-js';
import { decodeJwt } from 'jose';
import type { ServiceTestProject } from '../../test/service-projects.ts';
import { startSmtpInbox, type ReceivedMail, type SmtpInbox } from '@launchdb/testkit/smtp-inbox';
import { startAuthTestbed, type AuthTestbed } from './testing/auth-testbed.ts';

const email = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}@example.com`;
const SITE = 'http://app.example/';

/** Opens a mailed link as a browser would, without following the redirect. */
async function follow(link: string): Promise<URL> {
  const response = await fetch(link, { redirect: 'manual' });
  expect(response.status).toBe(303);
  return new URL(response.headers.get('location')!);
}

const fragmentOf = (url: URL) => Object.fromEntries(new URLSearchParams(url.hash.slice(1)));
const codeIn = (mail: ReceivedMail) => /enter the code: (\d{6})/.exec(mail.text)![1]!;
const verifyLinkOf = (mail: ReceivedMail) => mail.links.find((link) => link.includes('/verify?'))!;

describe('auth-service: mails through a real SMTP server (confirm, recover, magic link, OTP, email change, invite, PKCE)', () => {
  let bed: AuthTestbed;
  let inbox: SmtpInbox;
  let project: ServiceTestProject;
  let admin: GoTrueAdminApi;

  beforeAll(async () => {
    [bed, inbox] = await Promise.all([startAuthTestbed(), startSmtpInbox()]);
    project = await bed.createProject(
      {
        site_url: SITE,
        uri_allow_list: ['http://app.example/**', 'myapp://callback'],
        smtp: { host: inbox.host, port: inbox.port, user: 'mailer', sender_email: 'auth@app.example', sender_name: 'App' },
        mailer_templates: { invite: { subject: 'Join {{ .SiteURL }}' } },
      },
      'smtp secret',
    );
    admin = new GoTrueAdminApi({ url: `${bed.base}/auth/${project.id}`, headers: { apikey: project.serviceKey, Authorization: `Bearer ${project.serviceKey}` } });
  });
  afterAll(async () => {
    await bed?.close();
    await inbox?.close();
  });

  it('confirms a sign-up through the mailed link, and only then lets the user sign in', async () => {
    const address = email('confirm');
    const auth = bed.client(project);
    const { data, error } = await auth.signUp({ email: address, password: 'confirm me please', options: { emailRedirectTo: 'http://app.example/welcome' } });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user).toMatchObject({ email: address, confirmation_sent_at: expect.any(String) });
    expect(data.user!.email_confirmed_at).toBeUndefined();
    expect((await auth.signInWithPassword({ email: address, password: 'confirm me please' })).error).toMatchObject({ status: 400, code: 'email_not_confirmed' });

    const mail = await inbox.waitFor(address);
    expect(mail.subject).toBe('Confirm Your Signup');
    expect(mail.from).toBe('auth@app.example');
    const link = verifyLinkOf(mail);
    expect(link.startsWith(`${bed.base}/auth/${project.id}/verify?`)).toBe(true);
    const landed = await follow(link);
    expect(`${landed.origin}${landed.pathname}`).toBe('http://app.example/welcome');
    const fragment = fragmentOf(landed);
    expect(fragment).toMatchObject({ token_type: 'bearer', type: 'signup', expires_in: '3600' });
    expect(decodeJwt(fragment['access_token']!).email).toBe(address);

    // a link works once
    const again = fragmentOf(await follow(link));
    expect(again).toMatchObject({ error: 'access_denied', error_code: 'otp_expired' });
    expect((await auth.signInWithPassword({ email: address, password: 'confirm me please' })).error).toBeNull();
  });

  it('confirms a sign-up with the six-digit code of the mail', async () => {
    const address = email('code');
    const auth = bed.client(project);
    await auth.signUp({ email: address, password: 'code confirmation' });
    const mail = await inbox.waitFor(address);
    const wrong = await auth.verifyOtp({ email: address, token: codeIn(mail) === '000000' ? '111111' : '000000', type: 'email' });
    expect(wrong.error).toMatchObject({ status: 403, code: 'otp_expired' });
    const { data, error } = await auth.verifyOtp({ email: address, token: codeIn(mail), type: 'email' });
    expect(error).toBeNull();
    expect(data.session?.user.email_confirmed_at).toBeTruthy();
    expect((await auth.getUser()).data.user?.email).toBe(address);
  });

  it('does not tell a repeated sign-up of a confirmed address from a new one', async () => {
    const address = email('repeat');
    await admin.createUser({ email: address, password: 'already here', email_confirm: true });
    const repeat = await bed.client(project).signUp({ email: address, password: 'someone else' });
    expect(repeat.error).toBeNull();
    expect(repeat.data.user).toMatchObject({ email: address, identities: [] });
  });

  it('resets a password through the recovery mail, and answers the same for an unknown address', async () => {
    const address = email('recover');
    await admin.createUser({ email: address, password: 'forgotten password', email_confirm: true });
    const auth = bed.client(project);
    expect(await auth.resetPasswordForEmail(address, { redirectTo: 'http://app.example/reset' })).toEqual({ data: {}, error: null });
    expect(await auth.resetPasswordForEmail(email('unknown'))).toEqual({ data: {}, error: null });

    const mail = await inbox.waitFor(address);
    expect(mail.subject).toBe('Reset Your Password');
    const tokenHash = new URL(verifyLinkOf(mail)).searchParams.get('token')!;
    const { data, error } = await auth.verifyOtp({ token_hash: tokenHash, type: 'recovery' });
    expect(error).toBeNull();
    expect(decodeJwt(data.session!.access_token).amr).toEqual([{ method: 'recovery', timestamp: expect.any(Number) }]);
    expect((await auth.updateUser({ password: 'remembered password' })).error).toBeNull();
    expect((await bed.client(project).signInWithPassword({ email: address, password: 'remembered password' })).error).toBeNull();
  });

  it('signs in by magic link and by its code; creates the user unless told not to', async () => {
    const address = email('magic');
    const auth = bed.client(project);
    expect((await auth.signInWithOtp({ email: address, options: { emailRedirectTo: 'myapp://callback' } })).error).toBeNull();
    // a new address: the user is created and gets the confirmation mail
    const first = await inbox.waitFor(address);
    expect(first.subject).toBe('Confirm Your Signup');
    const landed = await follow(verifyLinkOf(first));
    expect(landed.protocol).toBe('myapp:');
    expect(fragmentOf(landed).access_token).toBeTruthy();

    // a known, confirmed address gets a magic link whose code signs in
    expect((await auth.signInWithOtp({ email: address })).error).toBeNull();
    const magic = await inbox.waitFor(address, (mail) => mail.subject === 'Your Magic Link');
    const { data, error } = await auth.verifyOtp({ email: address, token: codeIn(magic), type: 'email' });
    expect(error).toBeNull();
    expect(data.user?.email).toBe(address);

    const refused = await auth.signInWithOtp({ email: email('no-create'), options: { shouldCreateUser: false } });
    expect(refused.error).toMatchObject({ status: 422, code: 'otp_disabled' });
  });

  it('sends redirects outside the allow list to the site URL', async () => {
    const address = email('redirect');
    await bed.client(project).signUp({ email: address, password: 'redirect me', options: { emailRedirectTo: 'https://evil.example/steal' } });
    const link = new URL(verifyLinkOf(await inbox.waitFor(address)));
    expect(link.searchParams.get('redirect_to')).toBe(SITE);
    // a link edited by hand is checked again
    link.searchParams.set('redirect_to', 'https://evil.example/steal');
    const landed = await follow(link.toString());
    expect(landed.origin).toBe('http://app.example');
  });

  it('changes the email once both addresses confirmed it (secure email change)', async () => {
    const address = email('old');
    const next = email('new');
    const auth = bed.client(project);
    await admin.createUser({ email: address, password: 'changing email', email_confirm: true });
    await auth.signInWithPassword({ email: address, password: 'changing email' });
    const { data, error } = await auth.updateUser({ email: next });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email: address, new_email: next });
    const toNew = await inbox.waitFor(next);
    const toOld = await inbox.waitFor(address, (mail) => mail.subject === 'Confirm Email Change');
    expect(toNew.subject).toBe('Confirm Email Change');
    expect(toOld.html).toContain(next);

    // the new address alone is not enough
    const halfway = fragmentOf(await follow(verifyLinkOf(toNew)));
    expect(halfway.message).toBe('Confirmation link accepted. Please proceed to confirm link sent to the other email');
    expect((await auth.getUser()).data.user?.email).toBe(address);
    // the current address's code completes it
    const done = await auth.verifyOtp({ email: address, token: codeIn(toOld), type: 'email_change' });
    expect(done.error).toBeNull();
    const user = (await auth.getUser()).data.user;
    expect(user?.email).toBe(next);
    expect(user?.new_email).toBeUndefined();
  });

  it('changes the email by the new address alone when secure email change is off', async () => {
    await bed.configure(project.id, { mailer_secure_email_change_enabled: false });
    try {
      const address = email('old1');
      const next = email('new1');
      const auth = bed.client(project);
      await admin.createUser({ email: address, password: 'changing email', email_confirm: true });
      await auth.signInWithPassword({ email: address, password: 'changing email' });
      await auth.updateUser({ email: next });
      await follow(verifyLinkOf(await inbox.waitFor(next)));
      expect((await auth.getUser()).data.user?.email).toBe(next);
      expect(inbox.mails.some((mail) => mail.to.includes(address) && mail.subject === 'Confirm Email Change')).toBe(false);
    } finally {
      await bed.configure(project.id, { mailer_secure_email_change_enabled: null });
    }
  });

  it('resends the sign-up confirmation', async () => {
    const address = email('resend');
    const auth = bed.client(project);
    await auth.signUp({ email: address, password: 'resend please' });
    const first = await inbox.waitFor(address);
    expect((await auth.resend({ type: 'signup', email: address })).error).toBeNull();
    const second = await inbox.waitFor(address, (mail) => mail !== first);
    // the first code no longer works: a new token replaced it (unless both drew the same six digits)
    if (codeIn(first) !== codeIn(second)) {
      expect((await auth.verifyOtp({ email: address, token: codeIn(first), type: 'signup' })).error?.code).toBe('otp_expired');
    }
    expect((await auth.verifyOtp({ email: address, token: codeIn(second), type: 'signup' })).error).toBeNull();
  });

  it('invites a user by mail, with the project template, who then chooses a password', async () => {
    const address = email('invited');
    const invited = await admin.inviteUserByEmail(address, { data: { team: 'blue' } });
    expect(invited.error).toBeNull();
    expect(invited.data.user).toMatchObject({ email: address, invited_at: expect.any(String), user_metadata: { team: 'blue' } });
    const mail = await inbox.waitFor(address);
    expect(mail.subject).toBe(`Join ${SITE}`);
    const fragment = fragmentOf(await follow(verifyLinkOf(mail)));
    expect(fragment.type).toBe('invite');
    const auth = bed.client(project);
    await auth.setSession({ access_token: fragment['access_token']!, refresh_token: fragment['refresh_token']! });
    expect((await auth.updateUser({ password: 'chosen by invitee' })).error).toBeNull();
    expect((await bed.client(project).signInWithPassword({ email: address, password: 'chosen by invitee' })).error).toBeNull();
  });

  it('generates links for the admin without sending them', async () => {
    const address = email('generated');
    await admin.createUser({ email: address, password: 'generated links', email_confirm: true });
    const before = inbox.mails.length;
    const { data, error } = await admin.generateLink({ type: 'magiclink', email: address, options: { redirectTo: 'http://app.example/here' } });
    expect(error).toBeNull();
    expect(data.properties!).toMatchObject({ verification_type: 'magiclink', redirect_to: 'http://app.example/here', email_otp: expect.stringMatching(/^\d{6}$/) });
    expect(data.properties!.action_link).toContain(`/auth/${project.id}/verify?`);
    expect(data.user!.email).toBe(address);
    const signedIn = await bed.client(project).verifyOtp({ email: address, token: data.properties!.email_otp, type: 'magiclink' });
    expect(signedIn.error).toBeNull();
    expect(inbox.mails.length).toBe(before);

    const signup = await admin.generateLink({ type: 'signup', email: email('gen-signup'), password: 'generated signup' });
    expect(signup.error).toBeNull();
    expect((await fetch(signup.data.properties!.action_link, { redirect: 'manual' })).status).toBe(303);
  });

  it('runs the PKCE flow: the link hands out a code that only the verifier of its challenge exchanges', async () => {
    const address = email('pkce');
    const auth = bed.client(project, { flowType: 'pkce' });
    expect((await auth.signUp({ email: address, password: 'proof key please', options: { emailRedirectTo: 'http://app.example/callback' } })).error).toBeNull();
    const landed = await follow(verifyLinkOf(await inbox.waitFor(address)));
    expect(`${landed.origin}${landed.pathname}`).toBe('http://app.example/callback');
    const code = landed.searchParams.get('code')!;
    expect(code).toBeTruthy();
    expect(landed.hash).toBe('');

    // another client has no verifier for this challenge
    const thief = await fetch(`${bed.base}/auth/${project.id}/token?grant_type=pkce`, {
      method: 'POST',
      headers: { apikey: project.anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' },
      body: JSON.stringify({ auth_code: code, code_verifier: 'x'.repeat(64) }),
    });
    expect(thief.status).toBe(400);
    expect(await thief.json()).toEqual({ code: 'bad_code_verifier', message: expect.any(String) });

    // the code was spent by the failed attempt: a fresh flow, by magic link, then the rightful exchange
    expect((await auth.signInWithOtp({ email: address, options: { emailRedirectTo: 'http://app.example/callback' } })).error).toBeNull();
    const magic = await inbox.waitFor(address, (mail) => mail.subject === 'Your Magic Link');
    const second = await follow(verifyLinkOf(magic));
    const { data, error } = await auth.exchangeCodeForSession(second.searchParams.get('code')!);
    expect(error).toBeNull();
    expect(data.session?.user.email).toBe(address);
    expect((await auth.getUser()).data.user?.email).toBe(address);
    const replay = await auth.exchangeCodeForSession(second.searchParams.get('code')!);
    expect(replay.error).not.toBeNull();
  });
});
