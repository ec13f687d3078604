import { AuthErrors } from '../errors.ts';
import { audit } from '../sql/audit-log.ts';
import { findUserByEmail, findUserById, insertUser } from '../sql/users.ts';
import { inAuthSchema, newSessionResponse, normalizeEmail, startSession, type AuthRequestContext, type AuthServices, type SessionResponse } from './auth-context.ts';
import { countMail, prepareLink, sendLink, type PkceChallenge, type PreparedLink } from './mail-links.ts';
import { assertStrongPassword, hashPassword } from './passwords.ts';
import { allowedRedirect } from './redirects.ts';
import { obfuscatedUserJson, userJson } from './user-json.ts';

export interface SignUpParams {
  email: string;
  password: string;
  data: Record<string, unknown>;
  pkce: PkceChallenge | undefined;
  redirectTo: string | undefined;
}

/**
 * POST /signup with an email: a session at once when sign-ups are auto-confirmed, otherwise the
 * user (unconfirmed) and a confirmation mail. A repeated sign-up of an address tells nothing
 * when confirmations are on: an unconfirmed account gets its confirmation mail again (its
 * password unchanged), a confirmed one a look-alike answer.
 */
export async function signUp(ctx: AuthRequestContext, services: AuthServices, params: SignUpParams): Promise<SessionResponse | Record<string, unknown>> {
  if (ctx.config.disableSignup) throw AuthErrors.signupDisabled();
  const email = normalizeEmail(params.email);
  if (params.password === '') throw AuthErrors.unprocessable('Signup requires a valid password');
  assertStrongPassword(params.password, { minLength: ctx.config.passwordMinLength, required: ctx.config.passwordRequiredCharacters });
  const passwordHash = await hashPassword(params.password);
  const autoconfirm = ctx.config.mailerAutoconfirm;
  const redirectTo = allowedRedirect(params.redirectTo, ctx.config.siteUrl, ctx.config.uriAllowList);
  if (!autoconfirm) countMail(ctx, services, email);

  const outcome = await inAuthSchema(ctx, async (client) => {
    const existing = await findUserByEmail(client, email);
    if (existing !== undefined) {
      if (autoconfirm || existing.email_confirmed_at !== null) {
        await audit(client, { action: 'user_repeated_signup', actorId: existing.id, actorEmail: email, ip: ctx.ip });
        return { kind: 'exists' as const, confirmed: existing.email_confirmed_at !== null };
      }
      // an unconfirmed account gets its confirmation again, unchanged: who asks cannot be told
      // from its owner yet (GoTrue does not update it either)
      const link = await prepareLink(ctx, client, { user: existing, email, kind: 'confirmation', type: 'signup', tokenType: 'confirmation_token', redirectTo, pkce: params.pkce });
      return { kind: 'mail' as const, link, userId: existing.id };
    }
    const user = await insertUser(client, {
      email,
      passwordHash,
      userMetadata: params.data,
      appMetadata: { provider: 'email', providers: ['email'] },
      confirmed: autoconfirm,
      invited: false,
      anonymous: false,
    });
    await audit(client, { action: 'user_signedup', actorId: user.id, actorEmail: email, ip: ctx.ip, traits: { provider: 'email' } });
    if (autoconfirm) return { kind: 'session' as const, started: await startSession(ctx, client, user.id, 'password') };
    const link = await prepareLink(ctx, client, { user, email, kind: 'confirmation', type: 'signup', tokenType: 'confirmation_token', redirectTo, pkce: params.pkce });
    await audit(client, { action: 'user_confirmation_requested', actorId: user.id, actorEmail: email, ip: ctx.ip });
    return { kind: 'mail' as const, link, userId: user.id };
  });

  switch (outcome.kind) {
    case 'session':
      return newSessionResponse(ctx, outcome.started);
    case 'exists':
      if (autoconfirm) throw AuthErrors.userAlreadyExists();
      return obfuscatedUserJson(email, params.data);
    case 'mail':
      return mailed(ctx, services, outcome.link, outcome.userId);
  }
}

async function mailed(ctx: AuthRequestContext, services: AuthServices, link: PreparedLink, userId: string): Promise<Record<string, unknown>> {
  await sendLink(ctx, services, link);
  const user = await inAuthSchema(ctx, (client) => findUserById(client, userId));
  return userJson(user!);
}

/** POST /signup with neither email nor phone: an anonymous user, signed in (role authenticated, is_anonymous). */
export async function signUpAnonymously(ctx: AuthRequestContext, data: Record<string, unknown>): Promise<SessionResponse> {
  if (!ctx.config.anonymousUsersEnabled) throw AuthErrors.anonymousDisabled();
  const started = await inAuthSchema(ctx, async (client) => {
    const user = await insertUser(client, { email: null, passwordHash: null, userMetadata: data, appMetadata: {}, confirmed: false, invited: false, anonymous: true });
    await audit(client, { action: 'user_signedup', actorId: user.id, actorEmail: null, ip: ctx.ip, traits: { provider: 'anonymous' } });
    return startSession(ctx, client, user.id, 'anonymous');
  });
  return newSessionResponse(ctx, started);
}
