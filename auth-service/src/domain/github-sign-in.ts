import { AuthError, AuthErrors } from '../errors.ts';
import type { GithubProviderConfig } from './project-config.ts';

/**
 * GitHub's OAuth 2.0 (not OpenID Connect: no discovery, no ID token): the browser goes to
 * `/login/oauth/authorize`, the code is exchanged at `/login/oauth/access_token`, and the account
 * is read from the REST API's `/user` and `/user/emails`. The state, PKCE flow, redirect checks and
 * account linking are the OpenID providers' (oidc-sign-in.ts).
 */

const PROVIDER_TIMEOUT_MS = 10_000;
/** Asked whatever else the app asks (GoTrue too): /user/emails needs it. */
const DEFAULT_SCOPES = ['user:email'];

interface GithubEndpoints {
  authorize: string;
  token: string;
  api: string;
}

/**
 * github.com's hosts, or a GitHub Enterprise Server's: one host for sign-in and API, the API under
 * `/api/v3` (GoTrue's rule, so one setting serves both).
 */
function endpointsOf(config: GithubProviderConfig): GithubEndpoints {
  if (config.url === undefined) {
    return { authorize: 'https://github.com/login/oauth/authorize', token: 'https://github.com/login/oauth/access_token', api: 'https://api.github.com' };
  }
  const base = config.url.replace(/\/$/, '');
  return { authorize: `${base}/login/oauth/authorize`, token: `${base}/login/oauth/access_token`, api: base.endsWith('api.github.com') ? base : `${base}/api/v3` };
}

/** GoTrue refuses a sign-in with a provider set up by half before the browser leaves. */
export function checkGithubConfig(config: GithubProviderConfig): { clientId: string; clientSecret: string } {
  if (config.clientId === undefined) throw AuthErrors.providerMisconfigured('missing OAuth client ID');
  if (config.clientSecret === undefined) throw AuthErrors.providerMisconfigured('missing OAuth secret');
  return { clientId: config.clientId, clientSecret: config.clientSecret };
}

export function githubAuthorizeUrl(config: GithubProviderConfig, params: { redirectUri: string; state: string; scopes: string | undefined; queryParams: Record<string, string> }): string {
  const { clientId } = checkGithubConfig(config);
  const scopes = new Set([...DEFAULT_SCOPES, ...(params.scopes ?? '').split(/[\s,]+/).filter((scope) => scope !== '')]);
  const url = new URL(endpointsOf(config).authorize);
  for (const [key, value] of Object.entries(params.queryParams)) url.searchParams.set(key, value);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', [...scopes].join(' '));
  url.searchParams.set('state', params.state);
  return url.toString();
}

export interface GithubAccount {
  /** GitHub's numeric account id, as text: the identity's provider_id. */
  sub: string;
  /** The primary address (GoTrue's choice; the last listed when none is primary), and whether GitHub verified it. */
  email: string | null;
  emailVerified: boolean;
  verifiedEmails: string[];
  /** identity_data in GoTrue's field names for GitHub. */
  data: Record<string, unknown>;
  accessToken: string;
  refreshToken: string | null;
}

interface GithubUser {
  id?: unknown;
  login?: unknown;
  name?: unknown;
  avatar_url?: unknown;
}

interface GithubEmail {
  email?: unknown;
  primary?: unknown;
  verified?: unknown;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The code exchanged and the account read, or GoTrue's error: GitHub answers a bad code with 200
 * and `{"error": "bad_verification_code"}`, which counts as a failed exchange like any other.
 */
export async function githubAccount(config: GithubProviderConfig, code: string, redirectUri: string): Promise<GithubAccount> {
  const { clientId, clientSecret } = checkGithubConfig(config);
  const endpoints = endpointsOf(config);
  let tokens: { access_token?: unknown; refresh_token?: unknown; error?: unknown };
  try {
    const response = await fetch(endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, client_secret: clientSecret }),
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
    tokens = (await response.json()) as typeof tokens;
    if (!response.ok || tokens.error !== undefined || text(tokens.access_token) === undefined) throw new Error('no access token');
  } catch {
    // GoTrue names the code by its first four characters only
    throw new AuthError('unexpected_failure', 500, `Unable to exchange external code: ${code.slice(0, 4)}`);
  }
  const accessToken = tokens.access_token as string;

  let user: GithubUser;
  let emails: GithubEmail[];
  try {
    [user, emails] = await Promise.all([apiGet<GithubUser>(endpoints.api, '/user', accessToken), apiGet<GithubEmail[]>(endpoints.api, '/user/emails', accessToken)]);
    if ((typeof user.id !== 'number' && typeof user.id !== 'string') || !Array.isArray(emails)) throw new Error('not an account');
  } catch {
    throw new AuthError('unexpected_failure', 500, 'Error getting user profile from external provider');
  }

  const listed = emails.filter((entry) => text(entry.email) !== undefined);
  if (listed.length === 0) throw new AuthError('unexpected_failure', 500, 'Error getting user email from external provider');
  const chosen = listed.find((entry) => entry.primary === true) ?? listed[listed.length - 1]!;
  const email = (chosen.email as string).toLowerCase();
  const emailVerified = chosen.verified === true;
  const verifiedEmails = listed.filter((entry) => entry.verified === true).map((entry) => (entry.email as string).toLowerCase());

  const sub = String(user.id);
  const name = text(user.name);
  const login = text(user.login);
  const avatar = text(user.avatar_url);
  const data: Record<string, unknown> = {
    iss: endpoints.api,
    sub,
    ...(name !== undefined ? { name, full_name: name } : {}),
    ...(login !== undefined ? { preferred_username: login, user_name: login } : {}),
    ...(avatar !== undefined ? { avatar_url: avatar } : {}),
    provider_id: sub,
    email,
    email_verified: emailVerified,
    phone_verified: false,
  };
  return { sub, email, emailVerified, verifiedEmails: emailVerified ? [email, ...verifiedEmails.filter((other) => other !== email)] : verifiedEmails, data, accessToken, refreshToken: text(tokens.refresh_token) ?? null };
}

async function apiGet<T>(api: string, path: string, accessToken: string): Promise<T> {
  const response = await fetch(`${api}${path}`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/vnd.github+json', 'user-agent': 'launchdb-auth' },
    signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as T;
}
