import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { projectSecretContext, type SecretBox } from '@launchdb/common';
import { AuthErrors } from '../errors.ts';
import {
  acceptTotpStep,
  deleteChallenge,
  deleteFactor,
  factorsForEnrolment,
  findOwnedFactor,
  insertChallenge,
  insertTotpFactor,
  listFactors,
  lockChallenge,
  sessionAal,
  stepUpSession,
  type FactorRow,
} from '../sql/mfa.ts';
import { audit } from '../sql/audit-log.ts';
import { findUserById, type UserRow } from '../sql/users.ts';
import { inAuthSchema, sessionResponse, type AuthRequestContext, type AuthServices, type SessionResponse } from './auth-context.ts';
import type { SignedInCaller } from './current-user.ts';
import { newOpaqueToken } from './secure-tokens.ts';
import { factorJson } from './user-json.ts';

/** GoTrue's TOTP: SHA-1, six digits, 30-second steps, one step of skew either way. */
const TOTP_PERIOD = 30;
const TOTP_DIGITS = 6;
const TOTP_WINDOW = 1;
/** A 160-bit secret, as GoTrue's generator makes them (32 base32 characters). */
const SECRET_BYTES = 20;
/** GoTrue's defaults: an unverified, never challenged factor lapses after 300 s; a challenge after 300 s. */
const FACTOR_EXPIRY_SECONDS = 300;
const CHALLENGE_EXPIRY_SECONDS = 300;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseFactorId(id: string): string {
  if (!UUID.test(id)) throw AuthErrors.factorIdInvalid();
  return id;
}

/** Each factor's secret is bound to its project and factor: a row copied elsewhere does not decrypt. */
function secretContext(projectId: string, factorId: string): string {
  return projectSecretContext(projectId, `mfa_factor:${factorId}`);
}

function sealSecret(secrets: SecretBox, projectId: string, factorId: string, base32: string): string {
  return secrets.encrypt(base32, secretContext(projectId, factorId));
}

/** A secret imported from GoTrue (which stores it in the clear unless told otherwise) is read as it is. */
function openSecret(secrets: SecretBox, projectId: string, factor: FactorRow): string {
  const stored = factor.secret ?? '';
  return stored.startsWith('v1.') ? secrets.decrypt(stored, secretContext(projectId, factor.id)) : stored;
}

function sessionOf(caller: SignedInCaller): string {
  if (caller.sessionId === null) throw AuthErrors.mfaSessionRequired();
  return caller.sessionId;
}

export interface EnrollParams {
  factorType: string;
  friendlyName: string;
  issuer: string | undefined;
}

/**
 * POST /factors: a new unverified TOTP factor, its secret, otpauth:// URI and QR code (SVG; auth-js
 * turns it into a data URI). A user who already has a verified factor must be at aal2 to add one.
 */
export async function enrollFactor(ctx: AuthRequestContext, services: AuthServices, caller: SignedInCaller, user: UserRow, params: EnrollParams): Promise<Record<string, unknown>> {
  const sessionId = sessionOf(caller);
  switch (params.factorType) {
    case 'totp':
      if (!ctx.config.mfaTotpEnrollEnabled) throw AuthErrors.mfaEnrollDisabled('TOTP');
      break;
    case 'phone':
      throw AuthErrors.mfaEnrollDisabled('Phone');
    case 'webauthn':
      throw AuthErrors.mfaEnrollDisabled('WebAuthn');
    default:
      throw AuthErrors.factorTypeInvalid();
  }
  const issuer = params.issuer !== undefined && params.issuer !== '' ? params.issuer : new URL(ctx.config.siteUrl).host;
  const factorId = randomUUID();
  const secret = new Secret({ size: SECRET_BYTES });
  const totp = new TOTP({ issuer, label: user.email ?? '', algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD, secret });
  const uri = totp.toString();
  const qrCode = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'H', margin: 1 });

  const factor = await inAuthSchema(ctx, async (client) => {
    const factors = await factorsForEnrolment(client, user.id, FACTOR_EXPIRY_SECONDS);
    if (factors.some((existing) => (existing.friendly_name ?? '') === params.friendlyName)) throw AuthErrors.factorNameConflict(params.friendlyName);
    if (factors.length >= ctx.config.mfaMaxEnrolledFactors) throw AuthErrors.tooManyFactors();
    if (factors.some((existing) => existing.status === 'verified') && (await sessionAal(client, sessionId)) !== 'aal2') throw AuthErrors.aal2RequiredToEnroll();
    const inserted = await insertTotpFactor(client, { id: factorId, userId: user.id, friendlyName: params.friendlyName, secret: sealSecret(services.secrets, ctx.project.id, factorId, secret.base32) });
    await audit(client, { action: 'factor_in_progress', actorId: user.id, actorEmail: user.email, ip: ctx.ip, traits: { factor_id: factorId } });
    return inserted;
  });
  return {
    id: factor.id,
    type: 'totp',
    friendly_name: factor.friendly_name ?? '',
    totp: { qr_code: qrCode, secret: secret.base32, uri },
  };
}

/** POST /factors/:id/challenge: a challenge to verify against, from this address, for five minutes. */
export async function challengeFactor(ctx: AuthRequestContext, services: AuthServices, caller: SignedInCaller, factorId: string): Promise<Record<string, unknown>> {
  sessionOf(caller);
  services.limiter.checkKey(ctx.project.id, `mfa-factor|${factorId}`, ctx.config.rateLimits.mfa_per_ip, ctx.config.rateLimits);
  return inAuthSchema(ctx, async (client) => {
    const factor = await findOwnedFactor(client, caller.userId, factorId);
    if (factor === undefined) throw AuthErrors.factorNotFound();
    if (factor.factor_type !== 'totp') throw AuthErrors.mfaVerifyDisabled(factor.factor_type === 'phone' ? 'Phone' : 'WebAuthn');
    if (!ctx.config.mfaTotpVerifyEnabled) throw AuthErrors.mfaVerifyDisabled('TOTP');
    const challenge = await insertChallenge(client, factor.id, ctx.ip);
    await audit(client, { action: 'challenge_created', actorId: caller.userId, actorEmail: null, ip: ctx.ip, traits: { factor_id: factor.id, factor_status: factor.status } });
    return { id: challenge.id, type: 'totp', expires_at: Math.floor(new Date(challenge.created_at).getTime() / 1000) + CHALLENGE_EXPIRY_SECONDS };
  });
}

/**
 * POST /factors/:id/verify: a code of the factor's secret, within one step of now, against an
 * open challenge made from this address. Accepted once per step (and never a step before the
 * last accepted one); the session steps up to aal2 with `totp` in its amr and a new refresh token.
 */
export async function verifyFactor(
  ctx: AuthRequestContext,
  services: AuthServices,
  caller: SignedInCaller,
  factorId: string,
  params: { challengeId: string; code: string },
): Promise<SessionResponse> {
  const sessionId = sessionOf(caller);
  if (params.code === '') throw AuthErrors.validationFailed('Code needs to be non-empty');
  services.limiter.checkKey(ctx.project.id, `mfa-factor|${factorId}`, ctx.config.rateLimits.mfa_per_ip, ctx.config.rateLimits);
  if (!UUID.test(params.challengeId)) throw AuthErrors.challengeNotFound();
  const refreshToken = newOpaqueToken();
  const outcome = await inAuthSchema(ctx, async (client) => {
    const factor = await findOwnedFactor(client, caller.userId, factorId);
    if (factor === undefined) throw AuthErrors.factorNotFound();
    if (factor.factor_type !== 'totp') throw AuthErrors.mfaVerifyDisabled(factor.factor_type === 'phone' ? 'Phone' : 'WebAuthn');
    if (!ctx.config.mfaTotpVerifyEnabled) throw AuthErrors.mfaVerifyDisabled('TOTP');
    const challenge = await lockChallenge(client, factor.id, params.challengeId, ctx.ip);
    if (challenge === undefined) throw AuthErrors.challengeNotFound();
    if (challenge.verified_at !== null || !challenge.same_ip) throw AuthErrors.challengeIpMismatch();
    if (challenge.age_seconds > CHALLENGE_EXPIRY_SECONDS) {
      await deleteChallenge(client, challenge.id);
      return { kind: 'error' as const, error: AuthErrors.challengeExpired(challenge.id) };
    }
    const step = acceptedStep(openSecret(services.secrets, ctx.project.id, factor), params.code);
    if (step === undefined) return { kind: 'error' as const, error: AuthErrors.totpCodeInvalid() };
    const accepted = await acceptTotpStep(client, factor.id, challenge.id, step);
    // a code already used, or older than one used: the same answer as a wrong one
    if (!accepted.accepted) return { kind: 'error' as const, error: AuthErrors.totpCodeInvalid() };
    const claims = await stepUpSession(client, { userId: caller.userId, sessionId, factorId: factor.id, method: 'totp', refreshToken });
    await audit(client, { action: 'verification_attempted', actorId: caller.userId, actorEmail: null, ip: ctx.ip, traits: { factor_id: factor.id, challenge_id: challenge.id, factor_type: 'totp' } });
    const user = (await findUserById(client, caller.userId))!;
    return { kind: 'ok' as const, user, claims };
  });
  // an expired challenge is deleted before its error is answered
  if (outcome.kind === 'error') throw outcome.error;
  return sessionResponse(ctx, outcome.user, sessionId, refreshToken, outcome.claims);
}

/** The time step the code belongs to (now, or one step either side); undefined when it is none of them. */
function acceptedStep(base32: string, code: string): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const timestamp = Date.now();
  const totp = new TOTP({ algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD, secret: Secret.fromBase32(base32) });
  const delta = totp.validate({ token: code, timestamp, window: TOTP_WINDOW });
  return delta === null ? undefined : Math.floor(timestamp / 1000 / TOTP_PERIOD) + delta;
}

/** DELETE /factors/:id: a verified factor may only be removed from an aal2 session. */
export async function unenrollFactor(ctx: AuthRequestContext, caller: SignedInCaller, factorId: string): Promise<{ id: string }> {
  const sessionId = sessionOf(caller);
  return inAuthSchema(ctx, async (client) => {
    const factor = await findOwnedFactor(client, caller.userId, factorId);
    if (factor === undefined) throw AuthErrors.factorNotFound();
    if (factor.status === 'verified' && (await sessionAal(client, sessionId)) !== 'aal2') throw AuthErrors.aal2RequiredToUnenroll();
    await deleteFactor(client, factor, amrMethodOf(factor));
    await audit(client, { action: 'factor_unenrolled', actorId: caller.userId, actorEmail: null, ip: ctx.ip, traits: { factor_id: factor.id, factor_status: factor.status, session_id: sessionId } });
    return { id: factor.id };
  });
}

function amrMethodOf(factor: FactorRow): string {
  return factor.factor_type === 'totp' ? 'totp' : factor.factor_type === 'phone' ? 'mfa/phone' : 'mfa/webauthn';
}

/** GET /admin/users/:id/factors. */
export async function adminListFactors(ctx: AuthRequestContext, userId: string): Promise<Record<string, unknown>[]> {
  return inAuthSchema(ctx, async (client) => {
    if ((await findUserById(client, userId)) === undefined) throw AuthErrors.userNotFound();
    return (await listFactors(client, userId)).map((factor) => factorJson({ ...factor }));
  });
}

/** DELETE /admin/users/:id/factors/:factorId: the factor, as it was. */
export async function adminDeleteFactor(ctx: AuthRequestContext, userId: string, factorId: string): Promise<Record<string, unknown>> {
  return inAuthSchema(ctx, async (client) => {
    if ((await findUserById(client, userId)) === undefined) throw AuthErrors.userNotFound();
    const factor = await findOwnedFactor(client, userId, factorId);
    if (factor === undefined) throw AuthErrors.factorNotFound();
    await deleteFactor(client, factor, amrMethodOf(factor));
    await audit(client, { action: 'factor_deleted', actorId: userId, actorEmail: null, ip: ctx.ip, traits: { user_id: userId, factor_id: factor.id } });
    return factorJson({ ...factor });
  });
}
