import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { AuthError, AuthErrors } from '../errors.ts';
import { audit } from '../sql/audit-log.ts';
import { createOAuthFlowState, deleteIdentity, findIdentityUser, issueOAuthAuthCode, upsertIdentity } from '../sql/identities.ts';
import type { PoolClient } from '@launchdb/common';
import { findUserByEmail, findUserById, insertUser, type UserRow } from '../sql/users.ts';
import { inAuthSchema, isBanned, newSessionResponse, startSession, type AuthRequestContext, type SessionResponse } from './auth-context.ts';
import { ID_TOKEN_ISSUERS, isExternalProvider } from './unoffered-features.ts';
import type { PkceChallenge } from './mail-links.ts';
import type { OidcProviderConfig } from './project-config.ts';
import { allowedRedirect } from './redirects.ts';
import { newOpaqueToken } from './secure-tokens.ts';

/** How long a sign-in may stay at the provider (the state's lifetime). */
const STATE_TTL_SECONDS = 600;
const STATE_AUDIENCE = 'launchdb:oauth-state';
const DISCOVERY_TTL_MS = 3600_000;
const PROVIDER_TIMEOUT_MS = 10_000;

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
}

const discoveries = new Map<string, { until: number; discovery: Promise<Discovery>; jwks: Promise<ReturnType<typeof createRemoteJWKSet>> }>();

/** The provider's endpoints and keys, from its discovery document, kept for an hour. */
function discover(issuer: string): { discovery: Promise<Discovery>; jwks: Promise<ReturnType<typeof createRemoteJWKSet>> } {
  const cached = discoveries.get(issuer);
  if (cached !== undefined && cached.until > Date.now()) return cached;
  const discovery = (async () => {
    const response = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`discovery answered ${response.status}`);
    const document = (await response.json()) as Partial<Discovery>;
    if (document.issuer !== issuer || !document.authorization_endpoint || !document.token_endpoint || !document.jwks_uri) {
      throw new Error('the discovery document does not describe this issuer');
    }
    return document as Discovery;
  })();
  const entry = { until: Date.now() + DISCOVERY_TTL_MS, discovery, jwks: discovery.then((found) => createRemoteJWKSet(new URL(found.jwks_uri))) };
  discoveries.set(issuer, entry);
  discovery.catch(() => discoveries.get(issuer) === entry && discoveries.delete(issuer));
  return entry;
}

function stateKey(ctx: AuthRequestContext): Uint8Array {
  return new TextEncoder().encode(ctx.project.jwtSecret);
}

function callbackUrl(ctx: AuthRequestContext): string {
  return `${ctx.authUrl}/callback`;
}

/** The provider the request names, enabled for the project; GoTrue's errors otherwise. */
export function providerOf(ctx: AuthRequestContext, name: string): OidcProviderConfig {
  const provider = ctx.config.oidcProviders[name];
  if (provider !== undefined) return provider;
  throw isExternalProvider(name) ? AuthErrors.providerNotEnabled() : AuthErrors.providerNotFound(name);
}

/**
 * GET /authorize?provider=…: where the browser goes next — the provider's authorization endpoint,
 * with a signed state (provider, where to return, the PKCE flow, a nonce the ID token must carry).
 */
export async function authorizeUrl(
  ctx: AuthRequestContext,
  params: { provider: string; redirectTo: string | undefined; scopes: string | undefined; pkce: PkceChallenge | undefined; linkingTargetId?: string },
): Promise<string> {
  const provider = providerOf(ctx, params.provider);
  let discovery: Discovery;
  try {
    discovery = await discover(provider.issuer).discovery;
  } catch {
    throw new AuthError('unexpected_failure', 500, 'Error getting provider configuration');
  }
  const redirectTo = allowedRedirect(params.redirectTo, ctx.config.siteUrl, ctx.config.uriAllowList);
  const flowStateId =
    params.pkce === undefined
      ? undefined
      : await inAuthSchema(ctx, (client) => createOAuthFlowState(client, { provider: provider.name, method: params.pkce!.method, challenge: params.pkce!.challenge, authCode: newOpaqueToken() }));
  const nonce = randomBytes(16).toString('base64url');
  const state = await new SignJWT({ provider: provider.name, referrer: redirectTo, flow_state_id: flowStateId ?? '', nonce, linking_target_id: params.linkingTargetId ?? '' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setAudience(STATE_AUDIENCE)
    .setSubject(ctx.project.id)
    .setExpirationTime(`${STATE_TTL_SECONDS}s`)
    .sign(stateKey(ctx));
  const scopes = new Set(['openid', 'email', 'profile', ...provider.scopes, ...(params.scopes ?? '').split(/[\s,]+/).filter((scope) => scope !== '')]);
  const url = new URL(discovery.authorization_endpoint);
  url.searchParams.set('client_id', provider.clientId);
  url.searchParams.set('redirect_uri', callbackUrl(ctx));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', [...scopes].join(' '));
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  return url.toString();
}

export type CallbackOutcome =
  | { kind: 'session'; redirectTo: string; session: SessionResponse; providerToken: string | null; providerRefreshToken: string | null }
  | { kind: 'code'; redirectTo: string; authCode: string }
  | { kind: 'error'; redirectTo: string; error: string; errorCode: string; description: string };

interface OAuthState extends JWTPayload {
  provider: string;
  referrer: string;
  flow_state_id: string;
  nonce: string;
  /** Set by GET /user/identities/authorize: the identity joins this user. */
  linking_target_id?: string;
}

const failure = (redirectTo: string, errorCode: string, description: string, error = 'server_error'): CallbackOutcome => ({ kind: 'error', redirectTo, error, errorCode, description });

/**
 * GET /callback?code=…&state=…: the provider's answer. The state must be one this project signed
 * (not expired, not altered); the code is exchanged with the client secret; the ID token must be
 * signed by the provider's published keys, for this client, with the state's nonce. The identity
 * then signs in its user, joins the user with that verified address, or makes a new one.
 */
export async function oauthCallback(ctx: AuthRequestContext, query: { code?: string; state?: string; error?: string; error_description?: string }): Promise<CallbackOutcome> {
  let state: OAuthState;
  try {
    ({ payload: state } = await jwtVerify<OAuthState>(query.state ?? '', stateKey(ctx), { algorithms: ['HS256'], audience: STATE_AUDIENCE, subject: ctx.project.id }));
  } catch {
    return failure(ctx.config.siteUrl, 'bad_oauth_state', 'OAuth callback with invalid state', 'invalid_request');
  }
  // the state was signed with an allowed address, but the allow list may have changed since
  const redirectTo = allowedRedirect(state.referrer, ctx.config.siteUrl, ctx.config.uriAllowList);
  if (query.error !== undefined) return failure(redirectTo, 'oauth_provider_error', query.error_description ?? query.error, query.error);
  if (!query.code) return failure(redirectTo, 'bad_oauth_callback', 'OAuth callback with missing authorization code', 'invalid_request');
  const provider = ctx.config.oidcProviders[state.provider];
  if (provider === undefined) return failure(redirectTo, 'provider_disabled', 'Unsupported provider: provider is not enabled', 'invalid_request');

  let claims: JWTPayload & { email?: unknown; email_verified?: unknown; nonce?: unknown };
  let tokens: { access_token?: string; refresh_token?: string; id_token?: string };
  try {
    const { discovery, jwks } = discover(provider.issuer);
    const found = await discovery;
    const response = await fetch(found.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(provider.clientId)}:${encodeURIComponent(provider.clientSecret ?? '')}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: query.code, redirect_uri: callbackUrl(ctx) }),
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
    tokens = (await response.json()) as typeof tokens;
    if (!response.ok || typeof tokens.id_token !== 'string') {
      return failure(redirectTo, 'bad_oauth_callback', `Unable to exchange external code: ${(tokens as { error?: string }).error ?? response.status}`);
    }
    ({ payload: claims } = await jwtVerify(tokens.id_token, await jwks, { issuer: provider.issuer, audience: provider.clientId }));
    claims = await withUserinfo(found, claims, tokens.access_token);
  } catch {
    return failure(redirectTo, 'bad_oauth_callback', 'Unable to verify the ID token of the provider');
  }
  if (claims.nonce !== state.nonce) return failure(redirectTo, 'bad_oauth_callback', 'Nonces mismatch', 'invalid_request');
  if (typeof claims.sub !== 'string' || claims.sub === '') return failure(redirectTo, 'bad_oauth_callback', 'The ID token has no subject', 'invalid_request');

  const linkTo = state.linking_target_id !== undefined && state.linking_target_id !== '' ? state.linking_target_id : undefined;
  const outcome = await signInIdentity(ctx, provider, claims, linkTo, async (client, user) => {
    if (state.flow_state_id !== '') {
      const authCode = await issueOAuthAuthCode(client, state.flow_state_id, user.id, { access: tokens.access_token ?? null, refresh: tokens.refresh_token ?? null });
      if (authCode === undefined) return { kind: 'error' as const, error: AuthErrors.flowStateNotFound() };
      return { kind: 'code' as const, authCode };
    }
    return { kind: 'session' as const, started: await startSession(ctx, client, user.id, 'oauth', user) };
  });
  switch (outcome.kind) {
    case 'error':
      return failure(redirectTo, outcome.error.code, outcome.error.message, outcome.error.status === 403 ? 'access_denied' : 'server_error');
    case 'code':
      return { kind: 'code', redirectTo, authCode: outcome.authCode };
    case 'session':
      return { kind: 'session', redirectTo, session: await newSessionResponse(ctx, outcome.started), providerToken: tokens.access_token ?? null, providerRefreshToken: tokens.refresh_token ?? null };
  }
}

type IdentityClaims = JWTPayload & { email?: unknown; email_verified?: unknown };

/** Providers that keep profile claims out of the ID token give them at userinfo: taken for the same subject only. */
async function withUserinfo<C extends IdentityClaims>(discovery: Discovery, claims: C, accessToken: string | undefined): Promise<C> {
  if (claims.email !== undefined || discovery.userinfo_endpoint === undefined || typeof accessToken !== 'string' || accessToken === '') return claims;
  const userinfo = await fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  const more = userinfo.ok ? ((await userinfo.json()) as Record<string, unknown>) : {};
  return more.sub === claims.sub ? { ...more, ...claims, email: more.email, email_verified: more.email_verified } : claims;
}

/**
 * Inside one transaction: the user of a verified identity — the one it signed in before, the
 * account with the address the provider verified, or a new one (unless sign-ups are off) — then
 * `finish` with it. An address the provider has not verified never joins an existing account.
 */
async function signInIdentity<T>(
  ctx: AuthRequestContext,
  provider: OidcProviderConfig,
  claims: IdentityClaims,
  linkTo: string | undefined,
  finish: (client: PoolClient, user: UserRow) => Promise<T | { kind: 'error'; error: AuthError }>,
): Promise<T | { kind: 'error'; error: AuthError }> {
  const sub = claims.sub!;
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null;
  const emailVerified = email !== null && (claims.email_verified === true || claims.email_verified === 'true');
  const identityData: Record<string, unknown> = { ...claims, provider_id: sub, email: email ?? undefined, email_verified: emailVerified };
  for (const key of ['aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'c_hash', 'sid', 'azp']) delete identityData[key];
  if (typeof identityData.name === 'string') identityData.full_name = identityData.name;
  if (typeof identityData.picture === 'string') identityData.avatar_url = identityData.picture;

  return inAuthSchema(ctx, async (client) => {
    let userId = await findIdentityUser(client, provider.name, sub);
    if (linkTo !== undefined) {
      // manual linking: the identity joins the signed-in user who asked, whatever its address
      if (userId !== undefined) return { kind: 'error' as const, error: AuthErrors.identityAlreadyLinked(userId !== linkTo) };
      if ((await findUserById(client, linkTo)) === undefined) return { kind: 'error' as const, error: AuthErrors.userNotFound() };
      userId = linkTo;
    }
    if (userId === undefined && email !== null) {
      const existing = await findUserByEmail(client, email);
      if (existing !== undefined) {
        if (!emailVerified) return { kind: 'error' as const, error: AuthErrors.emailExists() };
        userId = existing.id;
      }
    }
    if (userId === undefined) {
      if (ctx.config.disableSignup) return { kind: 'error' as const, error: AuthErrors.signupDisabled() };
      const created = await insertUser(client, {
        email,
        passwordHash: null,
        userMetadata: identityData,
        appMetadata: { provider: provider.name, providers: [provider.name] },
        confirmed: emailVerified || (email !== null && ctx.config.mailerAutoconfirm),
        invited: false,
        anonymous: false,
        emailIdentity: false,
      });
      userId = created.id;
      await audit(client, { action: 'user_signedup', actorId: userId, actorEmail: email, ip: ctx.ip, traits: { provider: provider.name } });
    }
    await upsertIdentity(client, { userId, provider: provider.name, providerId: sub, data: identityData });
    const user = (await findUserById(client, userId))!;
    if (isBanned(user)) return { kind: 'error' as const, error: AuthErrors.userBanned() };
    if (user.email !== null && user.email_confirmed_at === null) {
      return { kind: 'error' as const, error: new AuthError('provider_email_needs_verification', 400, `Unverified email with ${provider.name}. Verify the email with ${provider.name} and sign in again`) };
    }
    return finish(client, user);
  });
}

/**
 * POST /token?grant_type=id_token: an ID token a native app got from the provider itself — signed
 * by the provider's keys, for the project's client, and carrying sha256(nonce) when the app sent a
 * nonce (GoTrue's rule: both or neither). GoTrue's OAuth-shaped errors.
 */
export async function idTokenGrant(
  ctx: AuthRequestContext,
  params: { idToken: string; provider: string; clientId: string | undefined; issuer: string | undefined; nonce: string | undefined; accessToken: string | undefined },
): Promise<SessionResponse> {
  const provider =
    ctx.config.oidcProviders[params.provider] ??
    Object.values(ctx.config.oidcProviders).find((candidate) => params.provider === '' && candidate.issuer === params.issuer && candidate.clientId === params.clientId);
  if (provider === undefined) {
    const issuer = ID_TOKEN_ISSUERS[params.provider] ?? Object.values(ID_TOKEN_ISSUERS).find((known) => known === params.issuer);
    throw issuer !== undefined ? AuthErrors.idTokenProviderDisabled(issuer) : AuthErrors.customOidcNotAllowed(params.provider || params.issuer || '');
  }
  let claims: IdentityClaims & { nonce?: unknown };
  try {
    ({ payload: claims } = await jwtVerify(params.idToken, await discover(provider.issuer).jwks, { issuer: provider.issuer }));
  } catch {
    throw oauthError('invalid request', 'Bad ID token');
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') throw oauthError('invalid request', 'Missing sub claim in id_token');
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
  if (!audiences.includes(provider.clientId)) throw oauthError('invalid request', `Unacceptable audience in id_token: [${audiences.join(' ')}]`);
  const tokenNonce = typeof claims.nonce === 'string' && claims.nonce !== '' ? claims.nonce : undefined;
  const given = params.nonce !== undefined && params.nonce !== '' ? params.nonce : undefined;
  if ((tokenNonce === undefined) !== (given === undefined)) throw oauthError('invalid request', 'Passed nonce and nonce in id_token should either both exist or not.');
  if (given !== undefined && createHash('sha256').update(given).digest('hex') !== tokenNonce) throw oauthError('invalid nonce', 'Nonces mismatch');
  try {
    claims = await withUserinfo(await discover(provider.issuer).discovery, claims, params.accessToken);
  } catch {
    // the ID token stands on its own; userinfo only adds the address
  }

  const outcome = await signInIdentity(ctx, provider, claims, undefined, async (client, user) => ({ kind: 'session' as const, started: await startSession(ctx, client, user.id, 'oauth', user) }));
  if (outcome.kind === 'error') throw outcome.error;
  return newSessionResponse(ctx, outcome.started);
}

function oauthError(error: string, description: string): AuthError {
  return new AuthError('validation_failed', 400, description, { oauth: error });
}

/** DELETE /user/identities/:id: the user keeps at least one identity; its providers list follows. */
export async function unlinkIdentity(ctx: AuthRequestContext, user: UserRow, identityId: string): Promise<Record<string, never>> {
  if (user.identities.length <= 1) throw AuthErrors.singleIdentity();
  const identity = user.identities.find((candidate) => candidate.id === identityId);
  if (identity === undefined) throw AuthErrors.identityNotFound();
  await inAuthSchema(ctx, async (client) => {
    await deleteIdentity(client, user.id, identityId);
    await audit(client, { action: 'identity_unlinked', actorId: user.id, actorEmail: user.email, ip: ctx.ip, traits: { identity_id: identityId, provider: identity.provider } });
  });
  return {};
}
