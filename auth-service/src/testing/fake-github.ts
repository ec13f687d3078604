import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyReply } from 'fastify';
import { reservePort } from '@launchdb/testkit/ports';

/** An account at the fake GitHub: what `/user` and `/user/emails` answer for it. */
export interface GithubTestAccount {
  id: number;
  login: string;
  name: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

/** The OAuth app registered at the fake GitHub (Settings → Developer settings → OAuth Apps). */
export interface GithubTestApp {
  clientId: string;
  clientSecret: string;
  /** The app's "Authorization callback URL": redirect_uri must be it or a path below it. */
  callbackUrl: string;
}

export interface FakeGithub {
  /** The base URL, as a GitHub Enterprise Server's: sign-in at `/login/oauth/…`, the REST API under `/api/v3`. */
  url: string;
  accounts: Map<string, GithubTestAccount>;
  /** The account whose browser consents at the next authorize. */
  signInAs(login: string): void;
  /** The next authorize is cancelled by the user (GitHub's `error=access_denied` back to the app). */
  denyNext(): void;
  /** Registers the OAuth app (once its callback URL is known). */
  registerApp(app: GithubTestApp): void;
  /** The query of each authorize request, in order. */
  authorizeRequests: URLSearchParams[];
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';
const CODE_TTL_MS = 10 * 60_000;

interface IssuedCode {
  login: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
}

/**
 * A local GitHub speaking what GitHub's OAuth apps meet: the authorize page (consent given at once
 * for the account the test names), the code exchange (single-use codes of ten minutes; errors
 * answered 200 with `error`, `error_description`, `error_uri`, as GitHub does; JSON only when
 * asked with `Accept: application/json`, form-encoded otherwise), and the REST API's `/user` and
 * `/user/emails` (401 "Bad credentials" for an unknown token, 404 for a token without the
 * `user:email` or `user` scope, `X-OAuth-Scopes` on each answer).
 */
export async function startFakeGithub(): Promise<FakeGithub> {
  const port = await reservePort();
  const url = `http://127.0.0.1:${port}`;
  const accounts = new Map<string, GithubTestAccount>();
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, { login: string; scopes: string[] }>();
  const authorizeRequests: URLSearchParams[] = [];
  let app: GithubTestApp | undefined;
  let next = '';
  let deny = false;

  const server = Fastify();
  server.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  const underCallback = (redirectUri: string): boolean => {
    if (app === undefined) return false;
    const registered = new URL(app.callbackUrl);
    const given = new URL(redirectUri);
    return given.origin === registered.origin && (given.pathname === registered.pathname || given.pathname.startsWith(`${registered.pathname.replace(/\/$/, '')}/`));
  };

  server.get<{ Querystring: Record<string, string> }>('/login/oauth/authorize', async (request, reply) => {
    const query = new URLSearchParams(request.query);
    authorizeRequests.push(query);
    if (app === undefined || query.get('client_id') !== app.clientId) return reply.code(404).type('text/html').send('<h1>404</h1><p>This is not the web page you are looking for.</p>');
    const redirectUri = query.get('redirect_uri') ?? app.callbackUrl;
    const back = (params: Record<string, string>) => {
      const location = new URL(underCallback(redirectUri) ? redirectUri : app!.callbackUrl);
      for (const [key, value] of Object.entries(params)) location.searchParams.set(key, value);
      if (query.get('state') !== null) location.searchParams.set('state', query.get('state')!);
      return reply.redirect(location.href, 302);
    };
    if (!underCallback(redirectUri)) {
      return back({
        error: 'redirect_uri_mismatch',
        error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
        error_uri: `${DOCS}/#redirect-uri-mismatch2`,
      });
    }
    if (deny) {
      deny = false;
      return back({ error: 'access_denied', error_description: 'The user has denied your application access.', error_uri: `${DOCS}/#access-denied` });
    }
    const code = randomBytes(10).toString('hex');
    codes.set(code, {
      login: next,
      clientId: app.clientId,
      redirectUri,
      scopes: (query.get('scope') ?? '').split(/[\s,]+/).filter((scope) => scope !== ''),
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    return back({ code });
  });

  server.post<{ Body: Record<string, string> | undefined }>('/login/oauth/access_token', async (request, reply) => {
    const body = { ...(request.query as Record<string, string>), ...request.body };
    const answer = (values: Record<string, string>) =>
      request.headers.accept?.includes('application/json') ? reply.send(values) : reply.type('application/x-www-form-urlencoded; charset=utf-8').send(new URLSearchParams(values).toString());
    const fail = (error: string, description: string, anchor: string) => answer({ error, error_description: description, error_uri: `${DOCS}/#${anchor}` });

    if (app === undefined || body.client_id !== app.clientId || body.client_secret !== app.clientSecret) {
      return fail('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.', 'incorrect-client-credentials');
    }
    const issued = codes.get(body.code ?? '');
    // a code counts once, whatever the outcome of its exchange
    codes.delete(body.code ?? '');
    if (issued === undefined || issued.expiresAt < Date.now() || issued.clientId !== body.client_id) {
      return fail('bad_verification_code', 'The code passed is incorrect or expired.', 'bad-verification-code');
    }
    if (body.redirect_uri !== undefined && body.redirect_uri !== issued.redirectUri) {
      return fail('redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.', 'redirect-uri-mismatch2');
    }
    const token = `gho_${randomBytes(18).toString('base64url')}`;
    tokens.set(token, { login: issued.login, scopes: issued.scopes });
    return answer({ access_token: token, token_type: 'bearer', scope: issued.scopes.join(',') });
  });

  /** The token's account, or GitHub's 401. */
  const holder = (authorization: string | undefined, reply: FastifyReply): { account: GithubTestAccount; scopes: string[] } | undefined => {
    const match = /^(?:bearer|token) (\S+)$/i.exec(authorization ?? '');
    if (match === null) {
      void reply.code(401).send({ message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest', status: '401' });
      return undefined;
    }
    const grant = tokens.get(match[1]!);
    const account = grant === undefined ? undefined : accounts.get(grant.login);
    if (grant === undefined || account === undefined) {
      void reply.code(401).send({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
      return undefined;
    }
    void reply.header('x-oauth-scopes', grant.scopes.join(', ')).header('x-github-media-type', 'github.v3; format=json');
    return { account, scopes: grant.scopes };
  };

  server.get('/api/v3/user', async (request, reply) => {
    const found = holder(request.headers.authorization, reply);
    if (found === undefined) return reply;
    const { account } = found;
    void reply.header('x-accepted-oauth-scopes', '');
    return {
      login: account.login,
      id: account.id,
      node_id: Buffer.from(`04:User${account.id}`).toString('base64'),
      avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
      gravatar_id: '',
      url: `${url}/api/v3/users/${account.login}`,
      html_url: `${url}/${account.login}`,
      type: 'User',
      site_admin: false,
      name: account.name,
      company: null,
      blog: '',
      location: null,
      // the public address only: private ones are at /user/emails
      email: null,
      bio: null,
      created_at: '2011-01-25T18:44:36Z',
      updated_at: '2026-01-01T00:00:00Z',
    };
  });

  server.get('/api/v3/user/emails', async (request, reply) => {
    const found = holder(request.headers.authorization, reply);
    if (found === undefined) return reply;
    void reply.header('x-accepted-oauth-scopes', 'user, user:email');
    if (!found.scopes.includes('user:email') && !found.scopes.includes('user')) {
      return reply.code(404).send({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest/users/emails#list-email-addresses-for-the-authenticated-user', status: '404' });
    }
    return found.account.emails.map((entry) => ({ ...entry, visibility: entry.primary ? 'private' : null }));
  });

  await server.listen({ host: '127.0.0.1', port });
  return {
    url,
    accounts,
    signInAs: (login) => void (next = login),
    denyNext: () => void (deny = true),
    registerApp: (registered) => void (app = registered),
    authorizeRequests,
    close: () => server.close(),
  };
}
