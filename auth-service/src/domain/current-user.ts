import { AuthErrors } from '../errors.ts';
import { audit } from '../sql/audit-log.ts';
import { deleteOneTimeToken } from '../sql/one-time-tokens.ts';
import { deleteSession, deleteUserSessions, sessionAgeSeconds, sessionExists } from '../sql/sessions.ts';
import { applyEmailChange, findUserByEmail, findUserById, mergeUserMetadata, setEmailChange, setPasswordHash, type UserRow } from '../sql/users.ts';
import { verifyBearer } from './access-tokens.ts';
import { inAuthSchema, normalizeEmail, type AuthRequestContext, type AuthServices } from './auth-context.ts';
import { countMail, prepareLink, sendLink, type PkceChallenge, type PreparedLink } from './mail-links.ts';
import { assertStrongPassword, checkPassword, hashPassword } from './passwords.ts';
import { consumeReauthenticationNonce, RECENT_SIGN_IN_SECONDS } from './reauthentication.ts';
import { allowedRedirect } from './redirects.ts';
import { userJson } from './user-json.ts';

export interface SignedInCaller {
  userId: string;
  sessionId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The signed-in user behind a Bearer token of this project: a valid token whose user still
 * exists and whose session (session_id claim) has not ended — as GoTrue's requireAuthentication.
 */
export async function signedInCaller(ctx: AuthRequestContext, authorization: string | undefined): Promise<{ caller: SignedInCaller; user: UserRow }> {
  const { claims } = await verifyBearer(authorization, ctx.project);
  const sub = claims.sub;
  if (typeof sub !== 'string' || !UUID.test(sub)) throw AuthErrors.badJwt('invalid claim: missing sub claim');
  const sessionId = typeof claims.session_id === 'string' && UUID.test(claims.session_id) ? claims.session_id : null;
  const user = await inAuthSchema(ctx, async (client) => {
    const found = await findUserById(client, sub);
    if (found === undefined || found.deleted_at !== null) throw AuthErrors.userFromJwtNotFound();
    if (sessionId !== null && !(await sessionExists(client, sessionId, sub))) throw AuthErrors.sessionNotFound();
    return found;
  });
  return { caller: { userId: sub, sessionId }, user };
}

export interface UserUpdate {
  email?: string | undefined;
  password?: string | undefined;
  data?: Record<string, unknown> | undefined;
  pkce?: PkceChallenge | undefined;
  redirectTo?: string | undefined;
  /** From GET /reauthenticate: required for a password change when the project asks for it. */
  nonce?: string | undefined;
  /** The caller's session: a recent one changes the password without a nonce, as in GoTrue. */
  sessionId?: string | null | undefined;
}

/**
 * PUT /user. Metadata merges; a new password must be strong and differ from the old one; a new
 * email takes effect once the link mailed to it is followed (at once when sign-ups are
 * auto-confirmed, as GoTrue does).
 */
export async function updateCurrentUser(ctx: AuthRequestContext, services: AuthServices, current: UserRow, update: UserUpdate): Promise<Record<string, unknown>> {
  let passwordHash: string | undefined;
  let nonce: string | undefined;
  if (update.password !== undefined) {
    assertStrongPassword(update.password, { minLength: ctx.config.passwordMinLength, required: ctx.config.passwordRequiredCharacters });
    if (ctx.config.updatePasswordRequireReauthentication && !(await signedInRecently(ctx, update.sessionId ?? null))) {
      if (update.nonce === undefined || update.nonce === '') throw AuthErrors.reauthenticationNeeded();
      nonce = update.nonce;
    }
    if (current.encrypted_password && (await checkPassword(current.encrypted_password, update.password)).ok) throw AuthErrors.samePassword();
    passwordHash = await hashPassword(update.password);
  }
  const newEmail = update.email !== undefined && update.email !== '' ? normalizeEmail(update.email) : undefined;
  const changesEmail = newEmail !== undefined && newEmail !== current.email?.toLowerCase();
  const confirmByMail = changesEmail && !ctx.config.mailerAutoconfirm;
  if (confirmByMail) countMail(ctx, services, newEmail!);
  if (confirmByMail && ctx.config.secureEmailChange && current.email) countMail(ctx, services, current.email);
  const redirectTo = allowedRedirect(update.redirectTo, ctx.config.siteUrl, ctx.config.uriAllowList);

  const links: PreparedLink[] = [];
  const user = await inAuthSchema(ctx, async (client) => {
    if (update.data !== undefined) await mergeUserMetadata(client, current.id, update.data);
    if (passwordHash !== undefined) {
      if (nonce !== undefined) await consumeReauthenticationNonce(ctx, client, current, nonce);
      await setPasswordHash(client, current.id, passwordHash);
      await audit(client, { action: 'user_updated_password', actorId: current.id, actorEmail: current.email, ip: ctx.ip });
    }
    if (changesEmail) {
      const taken = await findUserByEmail(client, newEmail!);
      if (taken !== undefined && taken.id !== current.id) throw AuthErrors.emailExists();
      if (confirmByMail) {
        await setEmailChange(client, current.id, newEmail!);
        const pending = (await findUserById(client, current.id))!;
        const common = { user: pending, newEmail: newEmail!, kind: 'email_change' as const, type: 'email_change' as const, redirectTo, pkce: update.pkce };
        links.push(await prepareLink(ctx, client, { ...common, email: newEmail!, tokenType: 'email_change_token_new' }));
        // secure email change: the current address confirms too, so a stolen session cannot move the account away
        if (ctx.config.secureEmailChange && current.email) {
          links.push(await prepareLink(ctx, client, { ...common, email: current.email, tokenType: 'email_change_token_current', pkce: undefined }));
        } else {
          await deleteOneTimeToken(client, current.id, 'email_change_token_current');
        }
      } else {
        await applyEmailChange(client, current.id, newEmail!);
      }
    }
    await audit(client, { action: 'user_modified', actorId: current.id, actorEmail: current.email, ip: ctx.ip });
    return (await findUserById(client, current.id))!;
  });
  for (const link of links) await sendLink(ctx, services, link);
  return userJson(user);
}

/** Whether the caller's session began less than a day ago (GoTrue then needs no nonce). */
async function signedInRecently(ctx: AuthRequestContext, sessionId: string | null): Promise<boolean> {
  if (sessionId === null) return false;
  const age = await inAuthSchema(ctx, (client) => sessionAgeSeconds(client, sessionId));
  return age !== undefined && age < RECENT_SIGN_IN_SECONDS;
}

export type LogoutScope = 'global' | 'local' | 'others';

/** POST /logout: this session (local), every session of the user (global), or all but this one (others). */
export async function logout(ctx: AuthRequestContext, caller: SignedInCaller, scope: LogoutScope): Promise<void> {
  await inAuthSchema(ctx, async (client) => {
    if (scope === 'local') {
      if (caller.sessionId !== null) await deleteSession(client, caller.sessionId);
    } else if (scope === 'global') {
      await deleteUserSessions(client, caller.userId, null);
    } else if (caller.sessionId !== null) {
      await deleteUserSessions(client, caller.userId, caller.sessionId);
    }
    await audit(client, { action: 'logout', actorId: caller.userId, actorEmail: null, ip: ctx.ip, traits: { scope } });
  });
}
