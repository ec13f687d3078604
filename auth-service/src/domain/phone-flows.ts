import { AuthError, AuthErrors } from '../errors.ts';
import { audit } from '../sql/audit-log.ts';
import { consumeOneTimeToken, saveOneTimeToken } from '../sql/one-time-tokens.ts';
import {
  applyPhoneChange,
  confirmPhone,
  findUserById,
  findUserByPhone,
  insertUser,
  markSent,
  pendingPhoneChangeOf,
  secondsSinceCodeSent,
  setPhoneChange,
  type UserRow,
} from '../sql/users.ts';
import { assertStrongPassword, checkPassword, hashPassword } from './passwords.ts';
import { inAuthSchema, isBanned, newSessionResponse, startSession, type AuthRequestContext, type AuthServices, type SessionResponse } from './auth-context.ts';
import { newOtp, tokenHashOf } from './secure-tokens.ts';
import { normalizePhone, sendSms } from './sms.ts';
import { userJson } from './user-json.ts';

/** GoTrue's SMS_MAX_FREQUENCY: one code a minute per number. */
const SMS_MAX_FREQUENCY_SECONDS = 60;

const PhoneErrors = {
  disabled: () => new AuthError('phone_provider_disabled', 422, 'Phone logins are disabled'),
  invalid: () => AuthErrors.invalidPhone(),
  notConfirmed: () => new AuthError('phone_not_confirmed', 400, 'Phone not confirmed'),
  tooSoon: (seconds: number) => new AuthError('over_sms_send_rate_limit', 429, `For security purposes, you can only request this after ${seconds} seconds.`, { retryAfterSeconds: seconds }),
  sendFailed: () => new AuthError('sms_send_failed', 500, 'Error sending confirmation OTP to provider'),
  exists: () => new AuthError('phone_exists', 422, 'Phone number already registered by another user'),
};

/** The project offers phone sign-in and the number is E.164: its digits, as GoTrue stores them. */
export function phoneOf(ctx: AuthRequestContext, phone: string): string {
  if (!ctx.config.phoneEnabled || ctx.config.sms === null) throw PhoneErrors.disabled();
  const digits = normalizePhone(phone);
  if (digits === undefined) throw PhoneErrors.invalid();
  return digits;
}

type PhoneCode = { user: UserRow; phone: string; otp: string } | undefined;

/** Inside the transaction: a new code for the number (its digest kept), unless one went out less than a minute ago. */
async function prepareCode(ctx: AuthRequestContext, client: import('@launchdb/common').PoolClient, user: UserRow, phone: string): Promise<PhoneCode> {
  const ago = await secondsSinceCodeSent(client, user.id);
  if (ago !== null && ago < SMS_MAX_FREQUENCY_SECONDS) throw PhoneErrors.tooSoon(Math.max(1, Math.ceil(SMS_MAX_FREQUENCY_SECONDS - ago)));
  const otp = newOtp();
  const confirmed = user.phone_confirmed_at !== null;
  await saveOneTimeToken(client, user.id, confirmed ? 'recovery_token' : 'confirmation_token', tokenHashOf(phone, otp), phone);
  await markSent(client, user.id, confirmed ? 'recovery_sent_at' : 'confirmation_sent_at');
  return { user, phone, otp };
}

async function deliver(ctx: AuthRequestContext, services: AuthServices, code: PhoneCode): Promise<void> {
  if (code === undefined) return;
  try {
    await sendSms(ctx.config.sms!, code.phone, ctx.config.sms!.template.replace(/\{\{\s*\.Code\s*\}\}/g, code.otp));
  } catch (error) {
    services.logger.error({ err: error, projectId: ctx.project.id }, 'sending an SMS failed');
    throw PhoneErrors.sendFailed();
  }
}

/** POST /otp with a phone: a code by SMS; a new (unconfirmed) user first unless create_user is false. */
export async function sendPhoneOtp(ctx: AuthRequestContext, services: AuthServices, params: { phone: string; createUser: boolean; data: Record<string, unknown> }): Promise<void> {
  const phone = phoneOf(ctx, params.phone);
  const code = await inAuthSchema(ctx, async (client) => {
    let user = await findUserByPhone(client, phone);
    if (user === undefined) {
      if (!params.createUser) throw AuthErrors.otpSignupDisabled();
      if (ctx.config.disableSignup) throw AuthErrors.signupDisabled();
      user = await insertUser(client, { email: null, phone, passwordHash: null, userMetadata: params.data, appMetadata: { provider: 'phone', providers: ['phone'] }, confirmed: false, invited: false, anonymous: false });
      await audit(client, { action: 'user_signedup', actorId: user.id, actorEmail: null, ip: ctx.ip, traits: { provider: 'phone' } });
    }
    if (user.deleted_at !== null || isBanned(user)) return undefined;
    return prepareCode(ctx, client, user, phone);
  });
  await deliver(ctx, services, code);
}

/** POST /signup with a phone and a password: confirmed by the SMS code (at once with sms_autoconfirm). */
export async function signUpWithPhone(ctx: AuthRequestContext, services: AuthServices, params: { phone: string; password: string; data: Record<string, unknown> }): Promise<SessionResponse | Record<string, unknown>> {
  const phone = phoneOf(ctx, params.phone);
  if (ctx.config.disableSignup) throw AuthErrors.signupDisabled();
  assertStrongPassword(params.password, { minLength: ctx.config.passwordMinLength, required: ctx.config.passwordRequiredCharacters });
  const passwordHash = await hashPassword(params.password);
  const outcome = await inAuthSchema(ctx, async (client) => {
    if ((await findUserByPhone(client, phone)) !== undefined) throw AuthErrors.userAlreadyExists();
    const user = await insertUser(client, {
      email: null,
      phone,
      phoneConfirmed: ctx.config.smsAutoconfirm,
      passwordHash,
      userMetadata: params.data,
      appMetadata: { provider: 'phone', providers: ['phone'] },
      confirmed: false,
      invited: false,
      anonymous: false,
    });
    await audit(client, { action: 'user_signedup', actorId: user.id, actorEmail: null, ip: ctx.ip, traits: { provider: 'phone' } });
    if (ctx.config.smsAutoconfirm) return { kind: 'session' as const, started: await startSession(ctx, client, user.id, 'password', user) };
    return { kind: 'code' as const, userId: user.id, code: await prepareCode(ctx, client, user, phone) };
  });
  if (outcome.kind === 'session') return newSessionResponse(ctx, outcome.started);
  await deliver(ctx, services, outcome.code);
  const user = await inAuthSchema(ctx, async (client) => (await findUserById(client, outcome.userId))!);
  return userJson(user);
}

/** POST /verify {phone, token, type: 'sms'}: the code of the number's last SMS, once; the phone is confirmed and a session begins. */
export async function verifyPhoneOtp(ctx: AuthRequestContext, params: { phone: string; token: string }): Promise<SessionResponse> {
  const phone = phoneOf(ctx, params.phone);
  const started = await inAuthSchema(ctx, async (client) => {
    const token = await consumeOneTimeToken(client, tokenHashOf(phone, params.token.trim()), ['confirmation_token', 'recovery_token'], ctx.config.smsOtpExp);
    if (token === undefined || token.relates_to !== phone) throw AuthErrors.otpExpired();
    const user = await findUserById(client, token.user_id);
    if (user === undefined || user.deleted_at !== null || user.phone !== phone) throw AuthErrors.otpExpired();
    if (isBanned(user)) throw AuthErrors.userBanned();
    await confirmPhone(client, user.id);
    return startSession(ctx, client, user.id, 'otp');
  });
  return newSessionResponse(ctx, started);
}

/** grant_type=password with a phone: the same check and costs as with an address. */
export async function phonePasswordGrant(ctx: AuthRequestContext, params: { phone: string; password: string }): Promise<SessionResponse> {
  const phone = normalizePhone(params.phone);
  const user = phone === undefined || !ctx.config.phoneEnabled ? undefined : await inAuthSchema(ctx, (client) => findUserByPhone(client, phone));
  const check = await checkPassword(user?.encrypted_password ?? null, params.password);
  if (user === undefined || !check.ok || user.deleted_at !== null) throw AuthErrors.invalidCredentials();
  if (isBanned(user)) throw AuthErrors.userBanned();
  if (user.phone_confirmed_at === null) throw PhoneErrors.notConfirmed();
  const started = await inAuthSchema(ctx, (client) => startSession(ctx, client, user.id, 'password', user));
  return newSessionResponse(ctx, started);
}

/**
 * PUT /user {phone}: the new number confirmed by the code sent to it (type phone_change), or at
 * once with sms_autoconfirm, as GoTrue. A number another user has is refused.
 */
export async function requestPhoneChange(ctx: AuthRequestContext, services: AuthServices, user: UserRow, newPhone: string): Promise<void> {
  const phone = phoneOf(ctx, newPhone);
  if (phone === user.phone) return;
  const code = await inAuthSchema(ctx, async (client) => {
    const taken = await findUserByPhone(client, phone);
    if (taken !== undefined && taken.id !== user.id) throw PhoneErrors.exists();
    if (ctx.config.smsAutoconfirm) {
      await applyPhoneChange(client, user.id, phone);
      return undefined;
    }
    const ago = await secondsSinceCodeSent(client, user.id);
    if (ago !== null && ago < SMS_MAX_FREQUENCY_SECONDS) throw PhoneErrors.tooSoon(Math.max(1, Math.ceil(SMS_MAX_FREQUENCY_SECONDS - ago)));
    const otp = newOtp();
    await setPhoneChange(client, user.id, phone);
    await saveOneTimeToken(client, user.id, 'phone_change_token', tokenHashOf(phone, otp), phone);
    return { user, phone, otp };
  });
  await deliver(ctx, services, code);
}

/** POST /verify {phone, token, type: 'phone_change'}: the code sent to the new number; it becomes the user's. */
export async function verifyPhoneChange(ctx: AuthRequestContext, params: { phone: string; token: string }): Promise<SessionResponse> {
  const phone = phoneOf(ctx, params.phone);
  const started = await inAuthSchema(ctx, async (client) => {
    const token = await consumeOneTimeToken(client, tokenHashOf(phone, params.token.trim()), ['phone_change_token'], ctx.config.smsOtpExp);
    if (token === undefined || token.relates_to !== phone) throw AuthErrors.otpExpired();
    if ((await pendingPhoneChangeOf(client, token.user_id)) !== phone) throw AuthErrors.otpExpired();
    const user = await findUserById(client, token.user_id);
    if (user === undefined || user.deleted_at !== null) throw AuthErrors.otpExpired();
    if (isBanned(user)) throw AuthErrors.userBanned();
    await applyPhoneChange(client, user.id, phone);
    return startSession(ctx, client, user.id, 'otp');
  });
  return newSessionResponse(ctx, started);
}
