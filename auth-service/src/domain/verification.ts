import type { PoolClient } from '@launchdb/common';
import { AuthError, AuthErrors } from '../errors.ts';
import { audit } from '../sql/audit-log.ts';
import { issueAuthCode } from '../sql/flow-state.ts';
import { consumeOneTimeToken, hasOneTimeToken, type OneTimeTokenType } from '../sql/one-time-tokens.ts';
import type { AuthenticationMethod } from '../sql/sessions.ts';
import { applyEmailChange, confirmEmail, findUserByEmail, findUserById, markEmailChangeHalfConfirmed, type UserRow } from '../sql/users.ts';
import { inAuthSchema, isBanned, newSessionResponse, normalizeEmail, startSession, type AuthRequestContext, type SessionResponse } from './auth-context.ts';
import { tokenHashOf } from './secure-tokens.ts';

export const VERIFY_TYPES = ['signup', 'invite', 'magiclink', 'recovery', 'email_change', 'email'] as const;
export type VerifyType = (typeof VERIFY_TYPES)[number];

/** Which stored tokens a verification type may consume; `email` is what auth-js sends for a code from either mail. */
const TOKEN_TYPES: Record<VerifyType, OneTimeTokenType[]> = {
  signup: ['confirmation_token'],
  invite: ['confirmation_token'],
  magiclink: ['recovery_token', 'confirmation_token'],
  recovery: ['recovery_token'],
  email: ['confirmation_token', 'recovery_token'],
  email_change: ['email_change_token_new', 'email_change_token_current'],
};

const FLOW_METHODS: Record<VerifyType, string[]> = {
  signup: ['email/signup'],
  invite: ['invite'],
  magiclink: ['magiclink', 'email/signup'],
  recovery: ['recovery'],
  email: ['email/signup', 'magiclink'],
  email_change: ['email_change'],
};

export function isVerifyType(value: string): value is VerifyType {
  return (VERIFY_TYPES as readonly string[]).includes(value);
}

/** What a token proves: which user, by which kind of mail. */
interface Verified {
  user: UserRow;
  method: AuthenticationMethod;
  /** One half of a secure email change: the other address has yet to confirm, no session yet. */
  halfway?: boolean;
}

/** GoTrue's answer to the first of the two confirmations of a secure email change. */
export const EMAIL_CHANGE_HALFWAY_MESSAGE = 'Confirmation link accepted. Please proceed to confirm link sent to the other email';

async function consume(ctx: AuthRequestContext, client: PoolClient, type: VerifyType, tokenHash: string): Promise<Verified> {
  const token = await consumeOneTimeToken(client, tokenHash, TOKEN_TYPES[type], ctx.config.otpExp);
  if (token === undefined) throw AuthErrors.otpExpired();
  const user = await findUserById(client, token.user_id);
  if (user === undefined || user.deleted_at !== null) throw AuthErrors.otpExpired();
  if (isBanned(user)) throw AuthErrors.userBanned();
  switch (token.token_type) {
    case 'confirmation_token': {
      const invited = user.invited_at !== null && user.email_confirmed_at === null;
      await confirmEmail(client, user.id);
      await audit(client, { action: invited ? 'invite_accepted' : 'user_signedup', actorId: user.id, actorEmail: user.email, ip: ctx.ip });
      return { user, method: invited ? 'invite' : type === 'signup' ? 'email/signup' : 'otp' };
    }
    case 'recovery_token':
      await confirmEmail(client, user.id);
      await audit(client, { action: 'login', actorId: user.id, actorEmail: user.email, ip: ctx.ip, traits: { provider: type } });
      return { user, method: type === 'recovery' ? 'recovery' : type === 'magiclink' ? 'magiclink' : 'otp' };
    case 'email_change_token_new':
    case 'email_change_token_current': {
      const newEmail = user.email_change ?? '';
      const addressOfToken = token.token_type === 'email_change_token_new' ? newEmail : (user.email ?? '');
      if (newEmail === '' || addressOfToken.toLowerCase() !== token.relates_to.toLowerCase()) throw AuthErrors.otpExpired();
      const other = token.token_type === 'email_change_token_new' ? 'email_change_token_current' : 'email_change_token_new';
      if (await hasOneTimeToken(client, user.id, other, ctx.config.otpExp)) {
        await markEmailChangeHalfConfirmed(client, user.id);
        return { user, method: 'email_change', halfway: true };
      }
      const taken = await findUserByEmail(client, newEmail);
      if (taken !== undefined && taken.id !== user.id) throw AuthErrors.emailExists();
      await applyEmailChange(client, user.id, newEmail);
      await audit(client, { action: 'user_modified', actorId: user.id, actorEmail: newEmail, ip: ctx.ip, traits: { email_change: true } });
      return { user, method: 'email_change' };
    }
    case 'reauthentication_token':
    case 'phone_change_token':
      // a reauthentication nonce goes with PUT /user, a phone change's code with its phone (TOKEN_TYPES never asks for them)
      throw AuthErrors.otpExpired();
  }
}

export type VerifyCredentials = { tokenHash: string } | { email: string; otp: string };

function hashOf(credentials: VerifyCredentials): string {
  if ('tokenHash' in credentials) return credentials.tokenHash;
  return tokenHashOf(normalizeEmail(credentials.email), credentials.otp.trim());
}

/** POST /verify: the token (a code with its address, or the hash of a link) is consumed and a session begins. */
export async function verifyAndSignIn(ctx: AuthRequestContext, type: VerifyType, credentials: VerifyCredentials): Promise<SessionResponse | { msg: string; code: 200 }> {
  const tokenHash = hashOf(credentials);
  const started = await inAuthSchema(ctx, async (client) => {
    const verified = await consume(ctx, client, type, tokenHash);
    if (verified.halfway) return undefined;
    return startSession(ctx, client, verified.user.id, verified.method);
  });
  if (started === undefined) return { msg: EMAIL_CHANGE_HALFWAY_MESSAGE, code: 200 };
  return newSessionResponse(ctx, started);
}

export type LinkOutcome =
  | { kind: 'session'; session: SessionResponse }
  | { kind: 'halfway'; message: string }
  | { kind: 'code'; authCode: string }
  | { kind: 'error'; error: AuthError };

/**
 * GET /verify (the link in a mail). A PKCE link (`pkce_` token) ends with an auth code for the
 * flow its request began, exchanged by the client; any other with a session in the redirect's
 * fragment. Failures are outcomes too: they go to the redirect as `#error=…`.
 */
export async function followLink(ctx: AuthRequestContext, type: VerifyType, token: string): Promise<LinkOutcome> {
  const pkce = token.startsWith('pkce_');
  const tokenHash = pkce ? token.slice('pkce_'.length) : token;
  try {
    const outcome = await inAuthSchema(ctx, async (client) => {
      const verified = await consume(ctx, client, type, tokenHash);
      if (verified.halfway) return { kind: 'halfway' as const, message: EMAIL_CHANGE_HALFWAY_MESSAGE };
      if (pkce) {
        const flow = await issueAuthCode(client, verified.user.id, FLOW_METHODS[type]);
        if (flow !== undefined) return { kind: 'code' as const, authCode: flow.auth_code };
      }
      return { kind: 'started' as const, started: await startSession(ctx, client, verified.user.id, verified.method) };
    });
    if (outcome.kind === 'code' || outcome.kind === 'halfway') return outcome;
    return { kind: 'session', session: await newSessionResponse(ctx, outcome.started) };
  } catch (error) {
    if (error instanceof AuthError && error.status < 500) return { kind: 'error', error };
    throw error;
  }
}
