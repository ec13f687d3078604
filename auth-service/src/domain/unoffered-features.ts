/**
 * What GoTrue offers and this service does not (yet), or only when a project turns it on: OAuth
 * providers but for OpenID Connect ones and GitHub, SAML SSO, Web3. Each answers as GoTrue does
 * when the feature is switched off, so a client can tell "off" from "missing" (404).
 */

/** GoTrue's external OAuth providers, off unless the project set one up (GET /settings lists them). */
export const EXTERNAL_PROVIDERS = ['apple', 'azure', 'bitbucket', 'discord', 'facebook', 'figma', 'fly', 'github', 'gitlab', 'google', 'keycloak', 'kakao', 'linkedin', 'linkedin_oidc', 'notion', 'spotify', 'slack', 'slack_oidc', 'workos', 'twitch', 'twitter', 'x', 'zoom'] as const;

/** The issuers GoTrue names for the providers whose ID tokens `grant_type=id_token` accepts. */
export const ID_TOKEN_ISSUERS: Readonly<Record<string, string>> = {
  google: 'https://accounts.google.com',
  apple: 'https://appleid.apple.com',
  facebook: 'https://www.facebook.com',
  kakao: 'https://kauth.kakao.com',
};

export function isExternalProvider(name: string): boolean {
  return (EXTERNAL_PROVIDERS as readonly string[]).includes(name);
}
