import type { PoolClient } from '@launchdb/common';
import type { AuthMailKind } from '@launchdb/common/auth-settings';
import { AuthErrors } from '../errors.ts';
import { createFlowState } from '../sql/flow-state.ts';
import { saveOneTimeToken, type OneTimeTokenType } from '../sql/one-time-tokens.ts';
import { markSent, type UserRow } from '../sql/users.ts';
import type { AuthRequestContext, AuthServices } from './auth-context.ts';
import { newOpaqueToken, newOtp, tokenHashOf } from './secure-tokens.ts';

/** The verification types of `/verify` that a mailed link carries. */
export type LinkType = 'signup' | 'recovery' | 'magiclink' | 'invite' | 'email_change';

/** A PKCE challenge sent with the request that causes the mail. */
export interface PkceChallenge {
  method: 's256' | 'plain';
  challenge: string;
}

export interface LinkRequest {
  user: UserRow;
  /** The address the token is for, and the mail goes to. */
  email: string;
  kind: AuthMailKind;
  type: LinkType;
  tokenType: OneTimeTokenType;
  /** Already checked against the allow list. */
  redirectTo: string;
  pkce?: PkceChallenge | undefined;
  newEmail?: string;
}

export interface PreparedLink {
  request: LinkRequest;
  otp: string;
  tokenHash: string;
  actionLink: string;
}

const FLOW_METHOD: Record<LinkType, string> = {
  signup: 'email/signup',
  recovery: 'recovery',
  magiclink: 'magiclink',
  invite: 'invite',
  email_change: 'email_change',
};

/**
 * Inside the request's transaction: the one-time token (only its digest is stored), the PKCE
 * flow when one was begun, and the link the mail carries.
 */
export async function prepareLink(ctx: AuthRequestContext, client: PoolClient, request: LinkRequest): Promise<PreparedLink> {
  const otp = newOtp();
  const tokenHash = tokenHashOf(request.email, otp);
  await saveOneTimeToken(client, request.user.id, request.tokenType, tokenHash, request.email);
  await markSent(client, request.user.id, sentColumnOf(request.type));
  if (request.pkce !== undefined) {
    await createFlowState(client, {
      userId: request.user.id,
      method: request.pkce.method,
      challenge: request.pkce.challenge,
      authenticationMethod: FLOW_METHOD[request.type],
      authCode: newOpaqueToken(),
    });
  }
  const link = new URL(`${ctx.authUrl}/verify`);
  link.searchParams.set('token', request.pkce !== undefined ? `pkce_${tokenHash}` : tokenHash);
  link.searchParams.set('type', request.type);
  link.searchParams.set('redirect_to', request.redirectTo);
  return { request, otp, tokenHash, actionLink: link.toString() };
}

function sentColumnOf(type: LinkType): 'confirmation_sent_at' | 'recovery_sent_at' | 'email_change_sent_at' {
  if (type === 'recovery' || type === 'magiclink') return 'recovery_sent_at';
  if (type === 'email_change') return 'email_change_sent_at';
  return 'confirmation_sent_at';
}

/** Refuses a mail to an address that had its share this hour (429 over_email_send_rate_limit). */
export function countMail(ctx: AuthRequestContext, services: AuthServices, email: string): void {
  const limited = services.limiter.checkMail(ctx.project.id, email, ctx.config.rateLimits);
  if (limited !== undefined) throw limited;
}

/** After the transaction committed: the mail, through the project's SMTP server (or the log). */
export async function sendLink(ctx: AuthRequestContext, services: AuthServices, link: PreparedLink): Promise<void> {
  const { request } = link;
  try {
    await services.mailer.send(ctx.config, {
      projectId: ctx.project.id,
      to: request.email,
      kind: request.kind,
      values: {
        ConfirmationURL: link.actionLink,
        Token: link.otp,
        TokenHash: link.tokenHash,
        SiteURL: ctx.config.siteUrl,
        Email: request.user.email ?? request.email,
        NewEmail: request.newEmail ?? '',
        RedirectTo: request.redirectTo,
        Data: request.user.raw_user_meta_data ?? {},
      },
    });
  } catch (error) {
    services.logger.error({ err: error, projectId: ctx.project.id, kind: request.kind }, 'sending a mail failed');
    throw AuthErrors.smtpFailed();
  }
}

/** GoTrue's code_challenge parameters: both or neither; the method is s256 or plain, in any case. */
export function pkceOf(body: { code_challenge?: string | null | undefined; code_challenge_method?: string | null | undefined }): PkceChallenge | undefined {
  const challenge = body.code_challenge ?? '';
  const method = (body.code_challenge_method ?? '').toLowerCase();
  if (challenge === '' && method === '') return undefined;
  if (challenge === '' || method === '') throw AuthErrors.validationFailed('PKCE flow requires code_challenge_method and code_challenge');
  if (method !== 's256' && method !== 'plain') throw AuthErrors.validationFailed('code challenge method not supported');
  if (challenge.length < 43 || challenge.length > 128) throw AuthErrors.validationFailed('code challenge has to be between 43 and 128 characters');
  return { method, challenge };
}
