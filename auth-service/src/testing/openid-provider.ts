import { createServer, type Server } from 'node:http';
import Provider, { type OidcContext } from 'oidc-provider';
import { reservePort } from '@launchdb/testkit/ports';

export interface OpenIdAccount {
  email: string;
  email_verified: boolean;
  name: string;
}

export interface OpenIdProvider {
  issuer: string;
  accounts: Map<string, OpenIdAccount>;
  /** The account whose browser signs in at the next login step. */
  loginAs(id: string): void;
  close(): Promise<void>;
}

/**
 * A certified OpenID provider (oidc-provider) with one confidential client, a login step that
 * signs in whichever account the caller names, and consent given to every scope asked.
 */
export async function startOpenIdProvider(
  client: { client_id: string; client_secret: string },
  redirectUris: string[],
  options: { codeLifetimeSeconds?: number } = {},
): Promise<OpenIdProvider> {
  const port = await reservePort();
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = new Map<string, OpenIdAccount>();
  let next = '';
  const provider = new Provider(issuer, {
    clients: [{ ...client, redirect_uris: redirectUris, grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (_ctx: unknown, id: string) => {
      const account = accounts.get(id);
      return account === undefined ? undefined : { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    loadExistingGrant: async (ctx: OidcContext) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    // set, so that oidc-provider does not print a notice for each default it uses
    ttl: { Interaction: 3600, Session: 3600, Grant: 3600, AccessToken: 3600, IdToken: 3600, AuthorizationCode: options.codeLifetimeSeconds ?? 60 },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['oidc-test-cookie-key'] },
  });
  const callback = provider.callback();
  const server: Server = createServer((request, response) => {
    if (request.url?.startsWith('/interaction/')) {
      void provider.interactionFinished(request, response, { login: { accountId: next } }, { mergeWithLastSubmission: false });
      return;
    }
    void callback(request, response);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    accounts,
    loginAs: (id) => void (next = id),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
