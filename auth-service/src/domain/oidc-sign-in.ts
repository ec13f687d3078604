import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { AuthError, AuthErrors } from '../errors.ts';
import { audit } from '../sql/audit-log.ts';
import { createOAuthFlowState, deleteIdentity, findIdentityUser, issueOAuthAuthCode, keepOnlyIdentity, upsertIdentity } from '../sql/identities.ts';
import type { PoolClient } from '@launchdb/common';
import { confirmEmail, findUserByEmail, findUserById, insertUser, type UserRow } from '../sql/users.ts';
import { inAuthSchema, isBanned, newSessionResponse, startSession, type AuthRequestContext, type AuthServices, type SessionResponse } from './auth-context.ts';
import { ID_TOKEN_ISSUERS, isExternalProvider } from './unoffered-features.ts';
import { prepareLink, sendLink, type PkceChallenge, type PreparedLink } from './mail-links.ts';
import { checkGithubConfig, githubAccount, githubAuthorizeUrl } from './github-sign-in.ts';
import type { GithubProviderConfig, OidcProviderConfig } from './project-config.ts';
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

function callbackUrl(ctx: AuthRequestContext, provider?: ExternalProvider): string {
  return (provider?.kind === 'github' ? provider.github.redirectUri : undefined) ?? `${ctx.authUrl}/callback`;
}

/** A provider users sign in with: an OpenID provider (discovery, ID token), or GitHub (OAuth 2.0 and its REST API). */
type ExternalProvider = { kind: 'oidc'; name: string; oidc: OidcProviderConfig } | { kind: 'github'; name: 'github'; github: GithubProviderConfig };

function enabledProvider(ctx: AuthRequestContext, name: string): ExternalProvider | undefined {
  if (name === 'github' && ctx.config.github !== null) return { kind: 'github', name, github: ctx.config.github };
  const oidc = ctx.config.oidcProviders[name];
  return oidc === undefined ? undefined : { kind: 'oidc', name, oidc };
}

/** The provider the request names, enabled for the project; GoTrue's errors otherwise. */
function providerOf(ctx: AuthRequestContext, name: string): ExternalProvider {
  const provider = enabledProvider(ctx, name);
  if (provider !== undefined) return provider;
  throw isExternalProvider(name) ? AuthErrors.providerNotEnabled() : AuthErrors.providerNotFound(name);
}

/**
 * GET /authorize?provider=…: where the browser goes next — the provider's authorization endpoint,
 * with a signed state (provider, where to return, the PKCE flow, a nonce the ID token must carry).
 */
export async function authorizeUrl(
  ctx: AuthRequestContext,
  params: {
    provider: string;
    redirectTo: string | undefined;
    scopes: string | undefined;
    pkce: PkceChallenge | undefined;
    linkingTargetId?: string;
    /** The app's own parameters for the provider (auth-js's `queryParams`), see `providerQueryParams`. */
    queryParams?: Record<string, string>;
  },
): Promise<string> {
  const provider = providerOf(ctx, params.provider);
  let discovery: Discovery | undefined;
  if (provider.kind === 'oidc') {
    try {
      discovery = await discover(provider.oidc.issuer).discovery;
    } catch {
      throw new AuthError('unexpected_failure', 500, 'Error getting provider configuration');
    }
  } else {
    // refused before a flow state is written
    checkGithubConfig(provider.github);
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
  if (provider.kind === 'github') return githubAuthorizeUrl(provider.github, { redirectUri: callbackUrl(ctx, provider), state, scopes: params.scopes, queryParams: params.queryParams ?? {} });
  const scopes = new Set(['openid', 'email', 'profile', ...provider.oidc.scopes, ...(params.scopes ?? '').split(/[\s,]+/).filter((scope) => scope !== '')]);
  const url = new URL(discovery!.authorization_endpoint);
  for (const [key, value] of Object.entries(params.queryParams ?? {})) url.searchParams.set(key, value);
  url.searchParams.set('client_id', provider.oidc.clientId);
  url.searchParams.set('redirect_uri', callbackUrl(ctx));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', [...scopes].join(' '));
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  return url.toString();
}

/** Parameters of /authorize this service sets or reads itself: never passed on, so an app cannot swap the redirect URI or the state. */
const OWN_AUTHORIZE_PARAMS = new Set([
  'provider',
  'scopes',
  'redirect_to',
  'skip_http_redirect',
  'invite_token',
  'client_id',
  'client_secret',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'code_verifier',
]);

/**
 * The rest of /authorize's query goes on to the provider, as GoTrue passes it (Google's
 * `access_type=offline`, GitHub's `login` or `allow_signup`): the first value of each.
 */
export function providerQueryParams(query: Record<string, unknown>): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string' && !OWN_AUTHORIZE_PARAMS.has(key.toLowerCase())) passed[key] = first;
  }
  return passed;
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
export async function oauthCallback(ctx: AuthRequestContext, services: AuthServices, query: { code?: string; state?: string; error?: string; error_description?: string }): Promise<CallbackOutcome> {
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
  const provider = enabledProvider(ctx, state.provider);
  if (provider === undefined) return failure(redirectTo, 'provider_disabled', 'Unsupported provider: provider is not enabled', 'invalid_request');

  let identity: ProviderIdentity;
  try {
    identity = provider.kind === 'github' ? await githubAccount(provider.github, query.code, callbackUrl(ctx, provider)) : await oidcIdentity(ctx, provider.oidc, query.code, state.nonce);
  } catch (error) {
    if (error instanceof AuthError) return failure(redirectTo, error.code, error.message, oauthErrorOf(error));
    throw error;
  }

  const linkTo = state.linking_target_id !== undefined && state.linking_target_id !== '' ? state.linking_target_id : undefined;
  const outcome = await signInIdentity(ctx, services, { providerName: provider.name, identity, linkTo, redirectTo }, async (client, user) => {
    if (state.flow_state_id !== '') {
      const authCode = await issueOAuthAuthCode(client, state.flow_state_id, user.id, { access: identity.accessToken, refresh: identity.refreshToken });
      if (authCode === undefined) return { kind: 'error' as const, error: AuthErrors.flowStateNotFound() };
      return { kind: 'code' as const, authCode };
    }
    return { kind: 'session' as const, started: await startSession(ctx, client, user.id, 'oauth', user) };
  });
  switch (outcome.kind) {
    case 'error':
      return failure(redirectTo, outcome.error.code, outcome.error.message, oauthErrorOf(outcome.error));
    case 'code':
      return { kind: 'code', redirectTo, authCode: outcome.authCode };
    case 'session':
      return { kind: 'session', redirectTo, session: await newSessionResponse(ctx, outcome.started), providerToken: identity.accessToken, providerRefreshToken: identity.refreshToken };
  }
}

/** The `error` of a failed callback's redirect, as GoTrue names it from the error's code and status. */
function oauthErrorOf(error: AuthError): string {
  if (error.code === 'signup_disabled' || error.code === 'user_banned' || error.code === 'provider_email_needs_verification') return 'access_denied';
  return { 400: 'invalid_request', 401: 'unauthorized_client', 403: 'access_denied', 503: 'temporarily_unavailable' }[error.status] ?? 'server_error';
}

/** What a provider's answer comes to, whichever protocol it speaks. */
export interface ProviderIdentity {
  /** The provider's id of the account (auth.identities.provider_id). */
  sub: string;
  /** The address the user goes by, and whether the provider verified it. */
  email: string | null;
  emailVerified: boolean;
  /** Every address the provider verified, the user's own first: any of them joins the account that has it. */
  verifiedEmails: string[];
  /** identity_data, and a new user's user_metadata, in GoTrue's field names. */
  data: Record<string, unknown>;
  accessToken: string | null;
  refreshToken: string | null;
}

/**
 * The code exchanged with the client secret for an ID token signed by the provider's published
 * keys, for this client, with the state's nonce.
 */
async function oidcIdentity(ctx: AuthRequestContext, provider: OidcProviderConfig, code: string, nonce: string): Promise<ProviderIdentity> {
  let claims: IdentityClaims & { nonce?: unknown };
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
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callbackUrl(ctx) }),
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
    tokens = (await response.json()) as typeof tokens;
    if (!response.ok || typeof tokens.id_token !== 'string') {
      throw new AuthError('bad_oauth_callback', 500, `Unable to exchange external code: ${(tokens as { error?: string }).error ?? response.status}`);
    }
    ({ payload: claims } = await jwtVerify(tokens.id_token, await jwks, { issuer: provider.issuer, audience: provider.clientId }));
    claims = await withUserinfo(found, claims, tokens.access_token);
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw new AuthError('bad_oauth_callback', 500, 'Unable to verify the ID token of the provider');
  }
  if (claims.nonce !== nonce) throw new AuthError('bad_oauth_callback', 400, 'Nonces mismatch');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new AuthError('bad_oauth_callback', 400, 'The ID token has no subject');
  return { ...identityOfClaims(claims), accessToken: tokens.access_token ?? null, refreshToken: tokens.refresh_token ?? null };
}

type IdentityClaims = JWTPayload & { email?: unknown; email_verified?: unknown };

/** An ID token's claims as identity data: its profile claims, less the token's own. */
function identityOfClaims(claims: IdentityClaims): Omit<ProviderIdentity, 'accessToken' | 'refreshToken'> {
  const sub = claims.sub!;
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null;
  const emailVerified = email !== null && (claims.email_verified === true || claims.email_verified === 'true');
  const data: Record<string, unknown> = { ...claims, provider_id: sub, email: email ?? undefined, email_verified: emailVerified };
  for (const key of ['aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'c_hash', 'sid', 'azp']) delete data[key];
  if (typeof data.name === 'string') data.full_name = data.name;
  if (typeof data.picture === 'string') data.avatar_url = data.picture;
  return { sub, email, emailVerified, verifiedEmails: emailVerified ? [email] : [], data };
}

/** Providers that keep profile claims out of the ID token give them at userinfo: taken for the same subject only. */
async function withUserinfo<C extends IdentityClaims>(discovery: Discovery, claims: C, accessToken: string | undefined): Promise<C> {
  if (claims.email !== undefined || discovery.userinfo_endpoint === undefined || typeof accessToken !== 'string' || accessToken === '') return claims;
  const userinfo = await fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
  const more = userinfo.ok ? ((await userinfo.json()) as Record<string, unknown>) : {};
  return more.sub === claims.sub ? { ...more, ...claims, email: more.email, email_verified: more.email_verified } : claims;
}

interface SignInRefused {
  kind: 'error';
  error: AuthError;
  /** The confirmation mail to send once the transaction has committed. */
  confirmation?: PreparedLink;
}

const hasConfirmation = (outcome: unknown): outcome is SignInRefused & { confirmation: PreparedLink } =>
  typeof outcome === 'object' && outcome !== null && (outcome as SignInRefused).confirmation !== undefined;

/**
 * Inside one transaction: the user of a verified identity — the one it signed in before, the
 * account with an address the provider verified, or a new one (unless sign-ups are off) — then
 * `finish` with it. An address the provider has not verified never joins an existing account.
 * An unconfirmed account is confirmed when the provider verified its address, and otherwise gets
 * a confirmation mail when the project can send one (GoTrue's "Unverified email with …").
 */
async function signInIdentity<T>(
  ctx: AuthRequestContext,
  services: AuthServices,
  sign: { providerName: string; identity: Omit<ProviderIdentity, 'accessToken' | 'refreshToken'>; linkTo: string | undefined; redirectTo: string },
  finish: (client: PoolClient, user: UserRow) => Promise<T | SignInRefused>,
): Promise<T | SignInRefused> {
  const { providerName, identity, linkTo } = sign;
  const { sub, email, emailVerified, data: identityData } = identity;
  const outcome = await inAuthSchema<T | SignInRefused>(ctx, async (client) => {
    let userId = await findIdentityUser(client, providerName, sub);
    if (linkTo !== undefined) {
      // manual linking: the identity joins the signed-in user who asked, whatever its address
      if (userId !== undefined) return { kind: 'error' as const, error: AuthErrors.identityAlreadyLinked(userId !== linkTo) };
      if ((await findUserById(client, linkTo)) === undefined) return { kind: 'error' as const, error: AuthErrors.userNotFound() };
      userId = linkTo;
    }
    for (const address of userId === undefined ? identity.verifiedEmails : []) {
      const existing = await findUserByEmail(client, address);
      if (existing !== undefined) {
        userId = existing.id;
        break;
      }
    }
    if (userId === undefined && email !== null && !emailVerified && (await findUserByEmail(client, email)) !== undefined) {
      return { kind: 'error' as const, error: AuthErrors.emailExists() };
    }
    if (userId === undefined) {
      if (ctx.config.disableSignup) return { kind: 'error' as const, error: AuthErrors.signupDisabled() };
      const created = await insertUser(client, {
        email,
        passwordHash: null,
        userMetadata: identityData,
        appMetadata: { provider: providerName, providers: [providerName] },
        confirmed: emailVerified || (email !== null && ctx.config.mailerAutoconfirm),
        invited: false,
        anonymous: false,
        emailIdentity: false,
      });
      userId = created.id;
      await audit(client, { action: 'user_signedup', actorId: userId, actorEmail: email, ip: ctx.ip, traits: { provider: providerName } });
    }
    await upsertIdentity(client, { userId, provider: providerName, providerId: sub, data: identityData });
    let user = (await findUserById(client, userId))!;
    if (isBanned(user)) return { kind: 'error' as const, error: AuthErrors.userBanned() };
    const address = user.email;
    if (address !== null && user.email_confirmed_at === null) {
      // whoever made the account before may not own the address: only this identity keeps it
      await keepOnlyIdentity(client, user.id, { provider: providerName, providerId: sub, data: identityData });
      user = (await findUserById(client, user.id))!;
      if (!emailVerified && !ctx.config.mailerAutoconfirm) {
        if (ctx.config.smtp === null) return { kind: 'error' as const, error: AuthErrors.providerEmailNeedsVerification(providerName) };
        const limited = services.limiter.checkMail(ctx.project.id, address, ctx.config.rateLimits);
        if (limited !== undefined) return { kind: 'error' as const, error: limited };
        const confirmation = await prepareLink(ctx, client, { user, email: address, kind: 'confirmation', type: 'signup', tokenType: 'confirmation_token', redirectTo: sign.redirectTo });
        await audit(client, { action: 'user_confirmation_requested', actorId: user.id, actorEmail: address, ip: ctx.ip, traits: { provider: providerName } });
        return { kind: 'error' as const, error: AuthErrors.providerEmailConfirmationSent(providerName), confirmation };
      }
      await confirmEmail(client, user.id);
      user = (await findUserById(client, user.id))!;
    }
    return finish(client, user);
  });
  if (hasConfirmation(outcome)) {
    try {
      await sendLink(ctx, services, outcome.confirmation);
    } catch (error) {
      if (error instanceof AuthError) return { kind: 'error', error };
      throw error;
    }
  }
  return outcome;
}

/**
 * POST /token?grant_type=id_token: an ID token a native app got from the provider itself — signed
 * by the provider's keys, for the project's client, and carrying sha256(nonce) when the app sent a
 * nonce (GoTrue's rule: both or neither). GoTrue's OAuth-shaped errors.
 */
export async function idTokenGrant(
  ctx: AuthRequestContext,
  services: AuthServices,
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

  const sign = { providerName: provider.name, identity: identityOfClaims(claims), linkTo: undefined, redirectTo: ctx.config.siteUrl };
  const outcome = await signInIdentity(ctx, services, sign, async (client, user) => ({ kind: 'session' as const, started: await startSession(ctx, client, user.id, 'oauth', user) }));
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
