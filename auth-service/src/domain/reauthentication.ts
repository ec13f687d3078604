import { timingSafeEqual } from 'node:crypto';
import type { PoolClient } from '@launchdb/common';
import { AuthErrors } from '../errors.ts';
import { audit } from '../sql/audit-log.ts';
import { saveOneTimeToken } from '../sql/one-time-tokens.ts';
import { confirmReauthentication, reauthenticationOf, setReauthentication, type UserRow } from '../sql/users.ts';
import { inAuthSchema, type AuthRequestContext, type AuthServices } from './auth-context.ts';
import { countMail } from './mail-links.ts';
import { newOtp, tokenHashOf } from './secure-tokens.ts';

/** GoTrue's SMTP_MAX_FREQUENCY: one reauthentication mail a minute. */
const MAX_FREQUENCY_SECONDS = 60;
/** GoTrue asks for a nonce only when the session began longer ago than this. */
export const RECENT_SIGN_IN_SECONDS = 24 * 3600;

/**
 * GET /reauthenticate: a six-digit nonce mailed to the user's confirmed address; only its digest
 * is kept (users.reauthentication_token and a one-time token), as for every mailed code.
 */
export async function requestReauthentication(ctx: AuthRequestContext, services: AuthServices, user: UserRow): Promise<Record<string, never>> {
  const email = user.email ?? '';
  if (email === '') throw AuthErrors.reauthenticationNeedsAddress();
  if (user.email_confirmed_at === null) throw AuthErrors.verifyEmailFirst();
  const otp = newOtp();
  const tokenHash = tokenHashOf(email, otp);
  await inAuthSchema(ctx, async (client) => {
    const pending = await reauthenticationOf(client, user.id);
    if (pending.sent_seconds_ago !== null && pending.sent_seconds_ago < MAX_FREQUENCY_SECONDS) {
      throw AuthErrors.sentTooRecently(Math.max(1, Math.ceil(MAX_FREQUENCY_SECONDS - pending.sent_seconds_ago)));
    }
    countMail(ctx, services, email);
    await setReauthentication(client, user.id, tokenHash);
    await saveOneTimeToken(client, user.id, 'reauthentication_token', tokenHash, email);
    await audit(client, { action: 'user_reauthenticate_requested', actorId: user.id, actorEmail: email, ip: ctx.ip });
  });
  try {
    await services.mailer.send(ctx.config, {
      projectId: ctx.project.id,
      to: email,
      kind: 'reauthentication',
      values: { ConfirmationURL: '', Token: otp, TokenHash: tokenHash, SiteURL: ctx.config.siteUrl, Email: email, NewEmail: '', RedirectTo: '', Data: user.raw_user_meta_data ?? {} },
    });
  } catch (error) {
    services.logger.error({ err: error, projectId: ctx.project.id, kind: 'reauthentication' }, 'sending a mail failed');
    throw AuthErrors.smtpFailed();
  }
  return {};
}

/**
 * Inside the update's transaction: the nonce of the user's last GET /reauthenticate, mailed less
 * than mailer_otp_exp ago. Used once; every other pending code of the user ends with it.
 */
export async function consumeReauthenticationNonce(ctx: AuthRequestContext, client: PoolClient, user: UserRow, nonce: string): Promise<void> {
  const pending = await reauthenticationOf(client, user.id);
  const email = user.email ?? '';
  if (pending.token_hash === '' || pending.sent_seconds_ago === null || email === '') throw AuthErrors.nonceInvalid();
  const expected = Buffer.from(pending.token_hash);
  const given = Buffer.from(tokenHashOf(email, nonce));
  const matches = expected.length === given.length && timingSafeEqual(expected, given);
  if (!matches || pending.sent_seconds_ago > ctx.config.otpExp) throw AuthErrors.nonceInvalid();
  await confirmReauthentication(client, user.id);
}
