import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoTrueAdminApi, type GoTrueClient } from '@supabase/auth-js';
import { decodeJwt } from 'jose';
import { Secret, TOTP } from 'otpauth';
import pg from 'pg';
import { withClient } from '@launchdb/common';
import type { ServiceTestProject } from '../../test/service-projects.ts';
import { RAISED_RATE_LIMITS, startAuthTestbed, type AuthTestbed } from './testing/auth-testbed.ts';

const email = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}@example.com`;
const PASSWORD = 'correct horse battery';

/** The code an authenticator app shows now, or `steps` 30-second steps from now. */
const codeOf = (secret: string, steps = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });

describe('auth-service: multi-factor authentication with TOTP, through auth-js', () => {
  let bed: AuthTestbed;
  let project: ServiceTestProject;

  beforeAll(async () => {
    bed = await startAuthTestbed();
    project = await bed.createProject();
  });
  afterAll(async () => bed?.close());

  const signedUp = async (label: string): Promise<{ auth: GoTrueClient; address: string }> => {
    const auth = bed.client(project);
    const address = email(label);
    const { error } = await auth.signUp({ email: address, password: PASSWORD });
    expect(error).toBeNull();
    return { auth, address };
  };
  const signedIn = async (address: string): Promise<GoTrueClient> => {
    const auth = bed.client(project);
    expect((await auth.signInWithPassword({ email: address, password: PASSWORD })).error).toBeNull();
    return auth;
  };
  const enrolled = async (auth: GoTrueClient, friendlyName?: string) => {
    const { data, error } = await auth.mfa.enroll({ factorType: 'totp', ...(friendlyName ? { friendlyName } : {}) });
    expect(error).toBeNull();
    return data!;
  };

  it('enrols a factor: its secret, an otpauth:// URI and a QR code, stored encrypted and listed unverified', async () => {
    const { auth, address } = await signedUp('enrol');
    const factor = await enrolled(auth, 'Phone app');
    expect(factor).toMatchObject({ type: 'totp', friendly_name: 'Phone app' });
    expect(factor.totp.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(factor.totp.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(decodeURIComponent(uri.host + uri.pathname)).toBe(`totp/localhost:3000:${address}`);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ secret: factor.totp.secret, issuer: 'localhost:3000', algorithm: 'SHA1', digits: '6', period: '30' });
    expect(factor.totp.qr_code).toMatch(/^data:image\/svg\+xml;utf-8,<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);

    const { data: user } = await auth.getUser();
    expect(user.user?.factors).toEqual([expect.objectContaining({ id: factor.id, factor_type: 'totp', status: 'unverified', friendly_name: 'Phone app' })]);
    const listed = await auth.mfa.listFactors();
    expect(listed.data?.all.map((f) => f.id)).toEqual([factor.id]);
    expect(listed.data?.totp).toEqual([]);

    const stored = await withClient(project.adminUrl, async (admin: pg.Client) =>
      (await admin.query('select secret from auth.mfa_factors where id = $1', [factor.id])).rows[0].secret as string,
    );
    expect(stored.startsWith('v1.')).toBe(true);
    expect(stored).not.toContain(factor.totp.secret);

    const again = await auth.mfa.enroll({ factorType: 'totp', friendlyName: 'Phone app' });
    expect(again.error).toMatchObject({ status: 422, code: 'mfa_factor_name_conflict' });
    const phone = await auth.mfa.enroll({ factorType: 'phone', phone: '+15555550100' });
    expect(phone.error).toMatchObject({ status: 422, code: 'mfa_phone_enroll_not_enabled' });
  });

  it('verifies a code: the session steps up to aal2 with totp in its amr, and refreshes keep it', async () => {
    const { auth } = await signedUp('verify');
    expect((await auth.mfa.getAuthenticatorAssuranceLevel()).data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal1' });
    const factor = await enrolled(auth);
    const { data, error } = await auth.mfa.challengeAndVerify({ factorId: factor.id, code: codeOf(factor.totp.secret) });
    expect(error).toBeNull();
    const claims = decodeJwt(data!.access_token);
    expect(claims.aal).toBe('aal2');
    expect((claims.amr as Array<{ method: string }>).map((entry) => entry.method)).toEqual(['totp', 'password']);

    const aal = await auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal.data).toMatchObject({ currentLevel: 'aal2', nextLevel: 'aal2' });
    expect((await auth.mfa.listFactors()).data?.totp).toEqual([expect.objectContaining({ id: factor.id, status: 'verified' })]);

    const refreshed = await auth.refreshSession();
    expect(refreshed.error).toBeNull();
    expect(decodeJwt(refreshed.data.session!.access_token)).toMatchObject({ aal: 'aal2', amr: [expect.objectContaining({ method: 'totp' }), expect.objectContaining({ method: 'password' })] });

    const rows = await withClient(project.adminUrl, async (admin: pg.Client) =>
      (await admin.query('select s.aal::text, s.factor_id, array_agg(c.authentication_method order by c.authentication_method) as methods from auth.sessions s join auth.mfa_amr_claims c on c.session_id = s.id where s.id = $1 group by s.id', [claims.session_id])).rows,
    );
    expect(rows).toEqual([{ aal: 'aal2', factor_id: factor.id, methods: ['password', 'totp'] }]);
  });

  it('accepts a code once: not on a second challenge, nor a challenge twice; wrong codes are refused', async () => {
    const { auth, address } = await signedUp('replay');
    const factor = await enrolled(auth);
    const wrong = await auth.mfa.challengeAndVerify({ factorId: factor.id, code: '000000' === codeOf(factor.totp.secret) ? '111111' : '000000' });
    expect(wrong.error).toMatchObject({ status: 422, code: 'mfa_verification_failed', message: 'Invalid TOTP code entered' });

    const code = codeOf(factor.totp.secret);
    const challenge = (await auth.mfa.challenge({ factorId: factor.id })).data!;
    expect(challenge).toMatchObject({ type: 'totp', expires_at: expect.any(Number) });
    expect((await auth.mfa.verify({ factorId: factor.id, challengeId: challenge.id, code })).error).toBeNull();
    const twice = await auth.mfa.verify({ factorId: factor.id, challengeId: challenge.id, code });
    expect(twice.error).toMatchObject({ status: 422, code: 'mfa_ip_address_mismatch' });

    // another device signs in and replays the code it saw: refused, the next step's code is not
    const other = await signedIn(address);
    const replay = await other.mfa.challengeAndVerify({ factorId: factor.id, code });
    expect(replay.error).toMatchObject({ status: 422, code: 'mfa_verification_failed' });
    const next = await other.mfa.challengeAndVerify({ factorId: factor.id, code: codeOf(factor.totp.secret, 1) });
    expect(next.error).toBeNull();
  });

  it('asks for aal2 to add or remove a verified factor; stepping up ends the user\'s aal1 sessions; removing one falls back to aal1', async () => {
    const { auth, address } = await signedUp('levels');
    const factor = await enrolled(auth, 'first');
    expect((await auth.mfa.challengeAndVerify({ factorId: factor.id, code: codeOf(factor.totp.secret) })).error).toBeNull();

    const later = await signedIn(address);
    expect((await later.mfa.getAuthenticatorAssuranceLevel()).data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal2' });
    expect((await later.mfa.enroll({ factorType: 'totp', friendlyName: 'second' })).error).toMatchObject({ status: 403, code: 'insufficient_aal' });
    expect((await later.mfa.unenroll({ factorId: factor.id })).error).toMatchObject({ status: 422, code: 'insufficient_aal' });

    const bystander = await signedIn(address);
    expect((await later.mfa.challengeAndVerify({ factorId: factor.id, code: codeOf(factor.totp.secret, 1) })).error).toBeNull();
    // GoTrue ends the sessions still at aal1 once the user steps up
    expect((await bystander.getUser()).error?.name).toBe('AuthSessionMissingError');
    expect((await bystander.getSession()).data.session).toBeNull();

    const second = await enrolled(later, 'second');
    expect((await later.mfa.unenroll({ factorId: second.id })).data).toEqual({ id: second.id });
    expect((await later.mfa.unenroll({ factorId: factor.id })).data).toEqual({ id: factor.id });
    const refreshed = await later.refreshSession();
    expect(decodeJwt(refreshed.data.session!.access_token)).toMatchObject({ aal: 'aal1', amr: [expect.objectContaining({ method: 'password' })] });
    expect((await later.mfa.getAuthenticatorAssuranceLevel()).data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal1' });

    expect((await later.mfa.unenroll({ factorId: factor.id })).error).toMatchObject({ status: 404, code: 'mfa_factor_not_found' });
    expect((await later.mfa.challenge({ factorId: 'not-a-uuid' })).error).toMatchObject({ status: 404 });
  });

  it('lets the service role list and delete a user\'s factors', async () => {
    const { auth } = await signedUp('admin');
    const factor = await enrolled(auth);
    const { data: user } = await auth.getUser();
    const admin = new GoTrueAdminApi({ url: `${bed.base}/auth/${project.id}`, headers: { apikey: project.serviceKey, authorization: `Bearer ${project.serviceKey}` } });
    const listed = await admin.mfa.listFactors({ userId: user.user!.id });
    expect(listed.error).toBeNull();
    expect(listed.data?.factors).toEqual([expect.objectContaining({ id: factor.id, factor_type: 'totp', status: 'unverified' })]);
    const deleted = await admin.mfa.deleteFactor({ userId: user.user!.id, id: factor.id });
    expect(deleted.error).toBeNull();
    expect((await admin.mfa.listFactors({ userId: user.user!.id })).data?.factors).toEqual([]);
    expect((await auth.getUser()).data.user?.factors).toBeUndefined();
    const anon = new GoTrueAdminApi({ url: `${bed.base}/auth/${project.id}`, headers: { apikey: project.anonKey, authorization: `Bearer ${project.anonKey}` } });
    expect((await anon.mfa.listFactors({ userId: user.user!.id })).error).toMatchObject({ status: 403, code: 'not_admin' });
  });

  it('follows the project\'s settings: enrolment and verification can be turned off, and verifications are rate limited', async () => {
    const own = await bed.createProject({ mfa_totp_enroll_enabled: false, rate_limits: { ...RAISED_RATE_LIMITS, mfa_per_ip: 3 } });
    const auth = bed.client(own);
    await auth.signUp({ email: email('settings'), password: PASSWORD });
    expect((await auth.mfa.enroll({ factorType: 'totp' })).error).toMatchObject({ status: 422, code: 'mfa_totp_enroll_not_enabled', message: 'MFA enroll is disabled for TOTP' });

    await bed.configure(own.id, { mfa_totp_enroll_enabled: null });
    const factor = await enrolled(auth);
    await bed.configure(own.id, { mfa_totp_verify_enabled: false });
    expect((await auth.mfa.challenge({ factorId: factor.id })).error).toMatchObject({ status: 422, code: 'mfa_totp_verify_not_enabled' });

    await bed.configure(own.id, { mfa_totp_verify_enabled: null });
    const challenge = (await auth.mfa.challenge({ factorId: factor.id })).data!;
    expect((await auth.mfa.verify({ factorId: factor.id, challengeId: challenge.id, code: '123456' })).error).toMatchObject({ status: 422 });
    const limited = await auth.mfa.verify({ factorId: factor.id, challengeId: challenge.id, code: '123456' });
    expect(limited.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
  });
});
