import { AuthErrors } from '../errors.ts';
import { audit } from '../sql/audit-log.ts';
import { findUserByEmail, findUserByPendingEmail, insertUser, type UserRow } from '../sql/users.ts';
import { inAuthSchema, isBanned, normalizeEmail, type AuthRequestContext, type AuthServices } from './auth-context.ts';
import { countMail, prepareLink, sendLink, type PkceChallenge, type PreparedLink } from './mail-links.ts';
import { allowedRedirect } from './redirects.ts';

/**
 * Mails whose answer must not say whether the address has an account are sent after the
 * answer: what the caller waits for is the same either way.
 */
function sendInBackground(ctx: AuthRequestContext, services: AuthServices, link: PreparedLink | undefined): void {
  if (link === undefined) return;
  // sendLink logs a failure itself; nobody waits for it here
  void sendLink(ctx, services, link).catch(() => undefined);
}

/** POST /recover: a password reset mail when the address has an account; the same `{}` answer either way. */
export async function recover(ctx: AuthRequestContext, services: AuthServices, params: { email: string; pkce: PkceChallenge | undefined; redirectTo: string | undefined }): Promise<void> {
  const email = normalizeEmail(params.email);
  countMail(ctx, services, email);
  const redirectTo = allowedRedirect(params.redirectTo, ctx.config.siteUrl, ctx.config.uriAllowList);
  const link = await inAuthSchema(ctx, async (client) => {
    const user = await findUserByEmail(client, email);
    if (user === undefined || user.deleted_at !== null || isBanned(user)) return undefined;
    await audit(client, { action: 'user_recovery_requested', actorId: user.id, actorEmail: email, ip: ctx.ip });
    return prepareLink(ctx, client, { user, email, kind: 'recovery', type: 'recovery', tokenType: 'recovery_token', redirectTo, pkce: params.pkce });
  });
  sendInBackground(ctx, services, link);
}

/**
 * POST /otp with an email: a magic link (with its six-digit code) to an existing user; a new
 * user is created first unless `create_user` is false (GoTrue's 422 otp_disabled then) or
 * sign-ups are off. An unconfirmed user gets the confirmation mail instead.
 */
export async function sendOtp(
  ctx: AuthRequestContext,
  services: AuthServices,
  params: { email: string; createUser: boolean; data: Record<string, unknown>; pkce: PkceChallenge | undefined; redirectTo: string | undefined },
): Promise<void> {
  const email = normalizeEmail(params.email);
  const redirectTo = allowedRedirect(params.redirectTo, ctx.config.siteUrl, ctx.config.uriAllowList);
  const link = await inAuthSchema(ctx, async (client) => {
    let user: UserRow | undefined = await findUserByEmail(client, email);
    if (user === undefined) {
      if (!params.createUser) throw AuthErrors.otpSignupDisabled();
      if (ctx.config.disableSignup) throw AuthErrors.signupDisabled();
      user = await insertUser(client, {
        email,
        passwordHash: null,
        userMetadata: params.data,
        appMetadata: { provider: 'email', providers: ['email'] },
        confirmed: false,
        invited: false,
        anonymous: false,
      });
      await audit(client, { action: 'user_signedup', actorId: user.id, actorEmail: email, ip: ctx.ip, traits: { provider: 'email' } });
    }
    if (user.deleted_at !== null || isBanned(user)) return undefined;
    countMail(ctx, services, email);
    if (user.email_confirmed_at === null) {
      return prepareLink(ctx, client, { user, email, kind: 'confirmation', type: 'signup', tokenType: 'confirmation_token', redirectTo, pkce: params.pkce });
    }
    return prepareLink(ctx, client, { user, email, kind: 'magic_link', type: 'magiclink', tokenType: 'recovery_token', redirectTo, pkce: params.pkce });
  });
  sendInBackground(ctx, services, link);
}

/** POST /resend: the confirmation of a sign-up, or of a pending email change, once more. */
export async function resend(
  ctx: AuthRequestContext,
  services: AuthServices,
  params: { type: string; email: string; pkce: PkceChallenge | undefined; redirectTo: string | undefined },
): Promise<void> {
  if (params.type !== 'signup' && params.type !== 'email_change') throw AuthErrors.validationFailed('Missing one of these types: signup, email_change, sms, phone_change');
  const email = normalizeEmail(params.email);
  countMail(ctx, services, email);
  const redirectTo = allowedRedirect(params.redirectTo, ctx.config.siteUrl, ctx.config.uriAllowList);
  const link = await inAuthSchema(ctx, async (client) => {
    if (params.type === 'signup') {
      const user = await findUserByEmail(client, email);
      if (user === undefined || user.email_confirmed_at !== null) return undefined;
      return prepareLink(ctx, client, { user, email, kind: 'confirmation', type: 'signup', tokenType: 'confirmation_token', redirectTo, pkce: params.pkce });
    }
    const user = await findUserByPendingEmail(client, email);
    if (user === undefined) return undefined;
    return prepareLink(ctx, client, { user, email, newEmail: email, kind: 'email_change', type: 'email_change', tokenType: 'email_change_token_new', redirectTo, pkce: params.pkce });
  });
  sendInBackground(ctx, services, link);
}
